import { expect } from '@playwright/test';
import type { PageFetchResult } from './fixtures';
import { parseRangeRequest, rangesOverlap, type ByteRange } from './origin/ranges';
import type { ByteSource } from './sources';

/** One part of a multipart/byteranges body. */
export interface BytePart {
  range: ByteRange;
  size: number;
  contentType: string | null;
  body: Buffer;
}

/** Parses a multipart/byteranges body (RFC 9110 §14.6); throws on anything malformed. */
export function parseMultipartByteranges(contentType: string, body: Buffer): BytePart[] {
  const boundaryMatch = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundaryMatch) throw new Error(`no boundary in ${contentType}`);
  const boundary = boundaryMatch[1] ?? boundaryMatch[2]!;
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: BytePart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw new Error('multipart body has no delimiter');
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString('latin1') === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', at, 'latin1');
    if (headerEnd < 0) throw new Error('multipart part without header end');
    const headerLines = body.subarray(at, headerEnd).toString('latin1').split('\r\n').filter(Boolean);
    const headers = new Map(
      headerLines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
      }),
    );
    const contentRange = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(headers.get('content-range') ?? '');
    if (!contentRange) throw new Error(`multipart part without a valid Content-Range: ${headerLines.join(' | ')}`);
    const range = { start: Number(contentRange[1]), end: Number(contentRange[2]) };
    const bodyStart = headerEnd + 4;
    const bodyEnd = bodyStart + range.end - range.start + 1;
    parts.push({
      range,
      size: Number(contentRange[3]),
      contentType: headers.get('content-type') ?? null,
      body: body.subarray(bodyStart, bodyEnd),
    });
    const next = body.indexOf(delimiter, bodyEnd);
    if (next < 0) throw new Error('multipart body ends without a closing delimiter');
    if (body.subarray(bodyEnd, next).toString('latin1') !== '\r\n') {
      throw new Error('multipart part body is not followed by CRLF + delimiter (length mismatch)');
    }
    at = next;
  }
  return parts;
}

function expectBytes(result: PageFetchResult, source: ByteSource, start: number, endExclusive: number, what: string): void {
  expect(result.length, `${what}: body length`).toBe(endExclusive - start);
  if (result.bodyBase64 !== null) {
    const body = Buffer.from(result.bodyBase64, 'base64');
    const expected = source.bytes(start, endExclusive);
    if (!body.equals(expected)) {
      let first = 0;
      while (first < body.length && body[first] === expected[first]) first++;
      expect.soft(first, `${what}: first differing byte offset (relative)`).toBe(body.length);
    }
    expect(body.equals(expected), `${what}: body bytes`).toBe(true);
  } else {
    expect(result.sha256, `${what}: body SHA-256`).toBe(source.sha256(start, endExclusive));
  }
}

/**
 * Asserts that `result` is a correct answer to a GET with `rangeHeader` for `source`, under the
 * product's policy (see origin/ranges.ts): invalid or absent Range → 200 full; nothing satisfiable
 * → 416 `bytes *\/size`; one range → 206; several → 206 with parts that cover every requested
 * range, where a server may coalesce ranges that touch, overlap or leave small gaps (RFC 9110
 * §15.3.7.2), and may ignore a Range whose ranges overlap (200).
 */
export function expectRangeResponse(result: PageFetchResult, rangeHeader: string | undefined, source: ByteSource, what = rangeHeader ?? 'no Range'): void {
  const size = source.sizeBytes;
  const request = parseRangeRequest(rangeHeader, size);
  const label = `${what} (size ${size})`;
  if (result.status === 200 || result.status === 206) {
    expect(result.headers['accept-ranges'], `${label}: Accept-Ranges`).toBe('bytes');
  }
  if (request.kind === 'full') {
    expect(result.status, `${label}: status`).toBe(200);
    expect(result.headers['content-range'], `${label}: no Content-Range on 200`).toBeUndefined();
    expectBytes(result, source, 0, size, label);
    return;
  }
  if (request.kind === 'unsatisfiable') {
    expect(result.status, `${label}: status`).toBe(416);
    expect(result.headers['content-range'], `${label}: Content-Range`).toBe(`bytes */${size}`);
    return;
  }
  const { ranges } = request;
  if (ranges.length > 1 && result.status === 200 && rangesOverlap(ranges)) {
    // RFC 9110 §14.2: a server may ignore a Range with overlapping ranges (nginx does).
    expect(result.headers['content-range'], `${label}: no Content-Range on 200`).toBeUndefined();
    expectBytes(result, source, 0, size, label);
    return;
  }
  expect(result.status, `${label}: status`).toBe(206);
  const contentType = result.headers['content-type'] ?? '';
  if (ranges.length === 1 || !contentType.startsWith('multipart/byteranges')) {
    // One part: the requested range, or several coalesced into one span (checked below).
    const contentRange = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(result.headers['content-range'] ?? '');
    expect(contentRange, `${label}: Content-Range "${result.headers['content-range']}"`).not.toBeNull();
    const single = { start: Number(contentRange![1]), end: Number(contentRange![2]) };
    expect(Number(contentRange![3]), `${label}: complete-length`).toBe(size);
    if (ranges.length === 1) {
      expect(result.headers['content-range'], `${label}: Content-Range`).toBe(`bytes ${ranges[0]!.start}-${ranges[0]!.end}/${size}`);
    }
    expect(result.headers['content-length'], `${label}: Content-Length`).toBe(String(single.end - single.start + 1));
    expectBytes(result, source, single.start, single.end + 1, label);
    expectPartsCoverRanges([single], ranges, label);
    return;
  }
  expect(result.bodyBase64, `${label}: multipart body returned whole`).not.toBeNull();
  const parts = parseMultipartByteranges(contentType, Buffer.from(result.bodyBase64!, 'base64'));
  expect(result.headers['content-length'] ?? String(result.length), `${label}: Content-Length`).toBe(String(result.length));
  expect(parts.length, `${label}: a multipart body has several parts`).toBeGreaterThan(1);
  for (const part of parts) {
    expect(part.size, `${label}: part complete-length`).toBe(size);
    expect(part.range.end, `${label}: part within the representation`).toBeLessThan(size);
    expect(part.body.equals(source.bytes(part.range.start, part.range.end + 1)), `${label}: part ${part.range.start}-${part.range.end} bytes`).toBe(true);
  }
  expectPartsCoverRanges(parts.map((part) => part.range), ranges, label);
}

/**
 * Largest gap between requested ranges that a server may fill in when coalescing: RFC 9110
 * §15.3.7.2 allows it for gaps "smaller than the overhead of sending multiple parts" (~70–130 bytes
 * of part headers).
 */
const MAX_COALESCED_GAP_BYTES = 160;

/** Every requested byte is in a part; every extra byte sent lies in a small gap between requested ones. */
function expectPartsCoverRanges(parts: ByteRange[], ranges: ByteRange[], label: string): void {
  for (const range of ranges) {
    const covered = parts.some((part) => part.start <= range.start && part.end >= range.end);
    expect(covered, `${label}: requested ${range.start}-${range.end} is in one part (parts ${parts.map((p) => `${p.start}-${p.end}`).join(', ')})`).toBe(true);
  }
  const requested = [...ranges].sort((a, b) => a.start - b.start);
  for (const part of parts) {
    let cursor = part.start;
    for (const range of requested) {
      if (range.end < cursor || range.start > part.end) continue;
      const gap = range.start - cursor;
      expect(gap, `${label}: part ${part.start}-${part.end} fills a gap of ${gap} bytes before ${range.start}`).toBeLessThanOrEqual(MAX_COALESCED_GAP_BYTES);
      cursor = Math.max(cursor, range.end + 1);
    }
    expect(cursor, `${label}: part ${part.start}-${part.end} ends with requested bytes`).toBe(part.end + 1);
  }
}

/** ~`count` Range headers for a resource of `size` bytes: closed, open-ended, suffix, clamped, tiny. */
export function randomRanges(random: () => number, size: number, count: number): string[] {
  const pick = (max: number): number => Math.floor(random() * max);
  const headers: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = pick(size);
    switch (i % 8) {
      case 0:
        headers.push(`bytes=${start}-`);
        break;
      case 1:
        headers.push(`bytes=-${1 + pick(Math.min(size, 3 * 1024 * 1024))}`);
        break;
      case 2:
        headers.push(`bytes=${start}-${start + pick(size)}`); // often past the end: clamped
        break;
      case 3:
        headers.push(`bytes=${start}-${start}`);
        break;
      case 4: {
        // Across a 512 KiB segment boundary.
        const boundary = (1 + pick(Math.max(1, Math.floor(size / 524288) - 1))) * 524288;
        headers.push(`bytes=${Math.max(0, boundary - 1 - pick(4096))}-${Math.min(size - 1, boundary + pick(4096))}`);
        break;
      }
      default:
        headers.push(`bytes=${start}-${Math.min(size - 1, start + pick(1024 * 1024))}`);
    }
  }
  return headers;
}
