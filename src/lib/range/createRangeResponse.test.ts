import { describe, expect, it } from 'vitest';
import { createRangeResponse } from './createRangeResponse.js';
import { MIN_MULTIPART_PART_OVERHEAD_BYTES } from './resolveRanges.js';
import type { ByteRange, RangeResolution, Representation } from './types.js';

// Every byte value, twice, so a part that is off by one or re-encoded shows.
const bytes = Uint8Array.from({ length: 512 }, (_, index) => index % 256);
const source = new Blob([bytes]);
const representation: Representation = {
  sizeBytes: bytes.length,
  contentType: 'video/mp4',
  etag: '"abc"',
  lastModified: 'Wed, 21 Oct 2015 07:28:00 GMT',
};
const partial = (...ranges: [number, number][]): RangeResolution => ({
  kind: 'partial',
  ranges: ranges.map(([start, end]) => ({ start, end })),
});

interface Part {
  headers: Record<string, string>;
  body: Uint8Array;
  /** Bytes of delimiter and part headers written before this part's body. */
  overheadBytes: number;
}

/** Parses a multipart/byteranges body (RFC 9110 §14.6, RFC 2046 §5.1.1) without trusting our writer. */
function parseMultipart(body: Uint8Array, boundary: string): { parts: Part[]; closed: boolean } {
  const text = Buffer.from(body).toString('latin1'); // one char per byte, so offsets are byte offsets
  const delimiter = `--${boundary}`;
  const parts: Part[] = [];
  let cursor = 0;
  for (;;) {
    // The first delimiter has no CRLF before it: the preamble is empty.
    const opening = cursor === 0 ? `${delimiter}\r\n` : `\r\n${delimiter}\r\n`;
    expect(text.startsWith(opening, cursor)).toBe(true);
    const headerStart = cursor + opening.length;
    const headerEnd = text.indexOf('\r\n\r\n', headerStart);
    const headers: Record<string, string> = {};
    for (const line of text.slice(headerStart, headerEnd).split('\r\n')) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const bodyStart = headerEnd + 4;
    const next = text.indexOf(`\r\n${delimiter}`, bodyStart);
    parts.push({ headers, body: body.subarray(bodyStart, next), overheadBytes: bodyStart - cursor });
    cursor = next;
    if (text.startsWith(`\r\n${delimiter}--\r\n`, next)) {
      return { parts, closed: next + delimiter.length + 6 === text.length };
    }
  }
}

async function bodyOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

describe('createRangeResponse', () => {
  it('full: 200 with the whole representation and its headers', async () => {
    const response = createRangeResponse({ kind: 'full' }, source, representation);
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toEqual({
      'accept-ranges': 'bytes',
      'content-length': '512',
      'content-type': 'video/mp4',
      etag: '"abc"',
      'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT',
    });
    expect(await bodyOf(response)).toEqual(bytes);
  });

  it.each<[ByteRange, number]>([
    [{ start: 0, end: 0 }, 1],
    [{ start: 0, end: 511 }, 512],
    [{ start: 255, end: 256 }, 2],
    [{ start: 511, end: 511 }, 1],
    [{ start: 100, end: 399 }, 300],
  ])('single range %j: 206 with its slice', async (range, length) => {
    const response = createRangeResponse({ kind: 'partial', ranges: [range] }, source, representation);
    expect(response.status).toBe(206);
    expect(Object.fromEntries(response.headers)).toEqual({
      'accept-ranges': 'bytes',
      'content-length': String(length),
      'content-range': `bytes ${range.start}-${range.end}/512`,
      'content-type': 'video/mp4',
      etag: '"abc"',
      'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT',
    });
    expect(await bodyOf(response)).toEqual(bytes.subarray(range.start, range.end + 1));
  });

  it('unsatisfiable: 416, empty body, Content-Range bytes */size (RFC 9110 §14.4)', async () => {
    const response = createRangeResponse({ kind: 'unsatisfiable' }, source, representation, {
      'Content-Length': '512',
      'Content-Type': 'video/mp4',
    });
    expect(response.status).toBe(416);
    expect(Object.fromEntries(response.headers)).toEqual({
      'accept-ranges': 'bytes',
      'content-range': 'bytes */512',
    });
    expect((await bodyOf(response)).byteLength).toBe(0);
  });

  it('multipart: one part per range with its own Content-Type and Content-Range (RFC 9110 §14.6)', async () => {
    const ranges: [number, number][] = [
      [0, 9],
      [200, 200],
      [500, 511],
    ];
    const response = createRangeResponse(partial(...ranges), source, representation);
    expect(response.status).toBe(206);
    const contentType = response.headers.get('Content-Type') ?? '';
    const boundary = /^multipart\/byteranges; boundary=([0-9a-f]{32})$/.exec(contentType)?.[1];
    expect(boundary).toBeDefined();
    expect(response.headers.get('Content-Range')).toBeNull();
    expect(response.headers.get('Accept-Ranges')).toBe('bytes');
    expect(response.headers.get('ETag')).toBe('"abc"');
    expect(response.headers.get('Last-Modified')).toBe('Wed, 21 Oct 2015 07:28:00 GMT');

    const body = await bodyOf(response);
    expect(response.headers.get('Content-Length')).toBe(String(body.byteLength));
    const { parts, closed } = parseMultipart(body, boundary!);
    expect(closed).toBe(true);
    expect(parts).toHaveLength(ranges.length);
    parts.forEach((part, index) => {
      const [start, end] = ranges[index]!;
      expect(part.headers).toEqual({ 'content-type': 'video/mp4', 'content-range': `bytes ${start}-${end}/512` });
      expect(part.body).toEqual(bytes.subarray(start, end + 1));
    });
  });

  it('multipart parts cost at least the gap resolveRanges coalesces across', async () => {
    const { contentType: _omitted, ...untyped } = representation;
    const response = createRangeResponse(partial([0, 0], [100, 100], [511, 511]), source, untyped);
    expect(response.headers.get('Content-Type')).toMatch(/^multipart\/byteranges; boundary=/);
    const boundary = response.headers.get('Content-Type')!.split('boundary=')[1]!;
    const { parts } = parseMultipart(await bodyOf(response), boundary);
    expect(parts.map((part) => Object.keys(part.headers))).toEqual([
      ['content-range'],
      ['content-range'],
      ['content-range'],
    ]);
    for (const part of parts.slice(1)) {
      expect(part.overheadBytes).toBeGreaterThanOrEqual(MIN_MULTIPART_PART_OVERHEAD_BYTES);
    }
    // The bound is tight for the shortest possible part header, "bytes 0-0/1" aside.
    expect(`\r\n--${boundary}\r\nContent-Range: bytes 0-0/1\r\n\r\n`.length).toBe(MIN_MULTIPART_PART_OVERHEAD_BYTES);
  });

  it('uses a fresh boundary per response', () => {
    const boundaryOf = (): string | null =>
      createRangeResponse(partial([0, 0], [500, 500]), source, representation).headers.get('Content-Type');
    expect(boundaryOf()).not.toBe(boundaryOf());
  });

  it('never reads the source: one slice per part, and nothing else', async () => {
    const calls: [number | undefined, number | undefined][] = [];
    const spy = {
      size: source.size,
      slice(start?: number, end?: number): Blob {
        calls.push([start, end]);
        return source.slice(start, end);
      },
    };
    createRangeResponse(partial([0, 9], [300, 309]), spy, representation);
    createRangeResponse(partial([5, 6]), spy, representation);
    createRangeResponse({ kind: 'full' }, spy, representation);
    createRangeResponse({ kind: 'unsatisfiable' }, spy, representation);
    expect(calls).toEqual([
      [0, 10],
      [300, 310],
      [5, 7],
      [0, 512],
    ]);
  });

  it('keeps extra headers but owns framing and validator headers', () => {
    const response = createRangeResponse(partial([0, 1]), source, representation, {
      'Cache-Control': 'no-store',
      'X-Cache': 'hit',
      'Content-Length': '999',
      'Content-Range': 'bytes 0-998/999',
      'Content-Type': 'text/html',
      ETag: '"other"',
    });
    expect(Object.fromEntries(response.headers)).toEqual({
      'accept-ranges': 'bytes',
      'cache-control': 'no-store',
      'x-cache': 'hit',
      'content-length': '2',
      'content-range': 'bytes 0-1/512',
      'content-type': 'video/mp4',
      etag: '"abc"',
      'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT',
    });
  });

  it('omits Content-Type, ETag and Last-Modified when the representation has none', () => {
    const response = createRangeResponse({ kind: 'full' }, source, { sizeBytes: 512 }, {
      'Content-Type': 'text/html',
      ETag: '"stale"',
      'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT',
    });
    expect(Object.fromEntries(response.headers)).toEqual({ 'accept-ranges': 'bytes', 'content-length': '512' });
  });

  it('answers a zero-length representation with an empty 200', async () => {
    const response = createRangeResponse({ kind: 'full' }, new Blob([]), { sizeBytes: 0, contentType: 'audio/wav' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Length')).toBe('0');
    expect((await bodyOf(response)).byteLength).toBe(0);
  });

  it.each<[string, RangeResolution, number]>([
    ['source size differs from the representation', { kind: 'full' }, 511],
    ['range past the end', partial([0, 512]), 512],
    ['inverted range', partial([5, 4]), 512],
    ['negative start', partial([-1, 4]), 512],
    ['fractional position', partial([0.5, 4]), 512],
    ['no ranges', { kind: 'partial', ranges: [] }, 512],
  ])('throws RangeError for a caller mistake: %s', (_name, resolution, sizeBytes) => {
    expect(() => createRangeResponse(resolution, source, { ...representation, sizeBytes })).toThrow(RangeError);
  });
});
