/**
 * Body and header faults of the origin, through the service worker. Each test reads a
 * cold URL (its own knobs, `uniqueTag()`) in the page and checks three things: what the page got
 * (exact bytes, or a clean failure whose bytes before it are exact: never wrong bytes), what the
 * worker stored (`list`: only complete segments, each read back OFFLINE and compared by SHA-256
 * with the generated content) and what the origin was asked (its request log).
 *
 * Covered: a stall mid-body past two segments (detected within the adaptive bound, the complete
 * segments kept, the next read resumes from them without refetching them); a connection reset
 * mid-body; a 503; a 206 whose Content-Range names other bytes, and one without Content-Range; a
 * body shorter than its Content-Length; a 200 with the whole body to a Range request (sliced, not
 * refetched); a slow trickle (kept), then one far below the rate measured from it (detected); an origin
 * without Accept-Ranges; one without ETag (Last-Modified + size as the validator), including a
 * version change. Times to detect and origin bytes are recorded with `figure()`.
 *
 * Knobs: e2e/origin/server.ts. Segments are 512 KiB; range writes of 256 KiB must arrive within
 * max(2000, 262144 / 128) ≈ 2048 ms of upstream waiting (a floor of 128 KB/s) until the worker has
 * measured the origin; then the floor is the measured rate / 8 (TransferRates).
 */
import type { BrowserContext, Page } from '@playwright/test';
import { expect, figure, test, uniqueTag, type Origin } from './fixtures';
import { generatedSha256 } from './origin/content';
import type { RequestRecord } from './origin/server';
import { MiB, cacheMetrics, fileInfo } from './workerClient';

const SEGMENT = 512 * 1024;
/** The write unit of range answers, whose arrival the stall detector times. */
const UNIT = 256 * 1024;

/** What the page received from one fetch, including the bytes before a failure. */
interface Received {
  /** 0 when fetch() itself rejected. */
  status: number;
  headers: Record<string, string>;
  /** Body bytes that arrived, before the end or the failure. */
  length: number;
  /** SHA-256 of the bytes that arrived, also when reading failed. */
  sha256: string;
  /** The body as latin1 text when it is at most 4 KiB (status bodies). */
  text: string | null;
  /** null when the body was read to the end. */
  error: string | null;
  /** ms since the fetch started. */
  headersAtMs: number;
  lastByteAtMs: number;
  endedAtMs: number;
  /** Date.now() at the end (the origin's records use the same clock). */
  endedAtEpochMs: number;
  /** [bytes received so far, ms] after each chunk. */
  chunks: Array<[number, number]>;
}

/**
 * Fetches `url` in the page and reads it to the end or the failure, hashing whatever arrived. A read
 * still going after `limitMs` is aborted and reported as `test timeout` (a hang, never expected).
 */
async function receive(page: Page, url: string, range?: string, limitMs = 40_000): Promise<Received> {
  return page.evaluate(
    async ({ url, range, limitMs }) => {
      const started = performance.now();
      const since = (): number => Math.round(performance.now() - started);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error(`test timeout: no end within ${limitMs} ms`)), limitMs);
      let status = 0;
      let headersAtMs = 0;
      let lastByteAtMs = 0;
      const headers: Record<string, string> = {};
      const chunks: Uint8Array[] = [];
      const timeline: Array<[number, number]> = [];
      let length = 0;
      let error: string | null = null;
      try {
        const response = await fetch(url, { headers: range === undefined ? {} : { Range: range }, signal: controller.signal });
        status = response.status;
        headersAtMs = since();
        response.headers.forEach((value, name) => {
          headers[name] = value;
        });
        const reader = response.body!.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          length += value.length;
          lastByteAtMs = since();
          timeline.push([length, lastByteAtMs]);
        }
      } catch (caught) {
        error = controller.signal.aborted ? String(controller.signal.reason) : String(caught);
      } finally {
        clearTimeout(timer);
      }
      const endedAtMs = since();
      const endedAtEpochMs = Date.now();
      const body = new Uint8Array(length);
      let at = 0;
      for (const chunk of chunks) {
        body.set(chunk, at);
        at += chunk.length;
      }
      chunks.length = 0;
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
      const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
      const text = length <= 4096 ? String.fromCharCode(...body) : null;
      return { status, headers, length, sha256, text, error, headersAtMs, lastByteAtMs, endedAtMs, endedAtEpochMs, chunks: timeline };
    },
    { url, range, limitMs },
  );
}

function show(received: Received): string {
  const head = `HTTP ${received.status}, Content-Range ${received.headers['content-range'] ?? '-'}, ${received.length} bytes`;
  return received.error === null ? head : `${head}, then failed: ${received.error}`;
}

/** A failure that is clean: it happened (no complete body) and every byte before it is exact. */
function expectCleanFailure(received: Received, start: number, what: string): void {
  expect(received.error, `${what}: the read must fail, got ${show(received)}`).not.toBeNull();
  expect(received.error, `${what}: a failure, not a hang`).not.toContain('test timeout');
  expect(received.sha256, `${what}: the ${received.length} bytes before the failure are bytes ${start}.. of the file`).toBe(
    generatedSha256(start, start + received.length),
  );
}

/** A complete 206 of exactly [start, end] (inclusive) of version `version`. */
function expectExact(received: Received, start: number, end: number, size: number, what: string, version = 1): void {
  expect(received.error, `${what}: ${show(received)}`).toBeNull();
  expect(received.status, `${what}: status`).toBe(206);
  expect(received.headers['content-range'], `${what}: Content-Range`).toBe(`bytes ${start}-${end}/${size}`);
  expect(received.length, `${what}: length`).toBe(end - start + 1);
  expect(received.sha256, `${what}: SHA-256 of bytes ${start}-${end} (version ${version})`).toBe(generatedSha256(start, end + 1, version));
}

const absolute = (origin: Origin, path: string): string => `${origin.url}${path}`;

async function storedSegments(page: Page, origin: Origin, path: string): Promise<number[]> {
  return (await fileInfo(page, absolute(origin, path)))?.storedSegments ?? [];
}

/** Waits until segments `indices` of `path` are stored. */
async function waitStored(page: Page, origin: Origin, path: string, indices: number[], timeout = 10_000): Promise<void> {
  await expect
    .poll(async () => {
      const stored = await storedSegments(page, origin, path);
      return indices.filter((index) => !stored.includes(index));
    }, { timeout, message: `segments ${indices.join(', ')} of ${path} stored (listing the missing ones)` })
    .toEqual([]);
}

/**
 * Segment writes may land a little after the response's last byte: give them time before checking
 * what was (not) stored.
 */
async function settle(page: Page): Promise<void> {
  await page.waitForTimeout(1000);
}

/** First byte of the body the origin sent for `record` (a 200 starts at 0). */
function bodyStart(record: RequestRecord): number {
  if (record.status === 200) return 0;
  const match = /^bytes=(\d+)-/.exec(record.range ?? '');
  return match ? Number(match[1]) : 0;
}

/** The segments of a `size`-byte file that some response of `records` carried whole. */
function segmentsSentWhole(records: RequestRecord[], size: number): Set<number> {
  const whole = new Set<number>();
  for (const record of records) {
    if (record.status !== 200 && record.status !== 206) continue;
    const start = bodyStart(record);
    const end = start + record.bytesSent;
    for (let index = Math.ceil(start / SEGMENT); index * SEGMENT < size; index += 1) {
      if (Math.min((index + 1) * SEGMENT, size) <= end) whole.add(index);
      else break;
    }
  }
  return whole;
}

/** The requests, with their start relative to the first one. */
function describeRecords(records: RequestRecord[]): string {
  const first = records[0]?.startedAt ?? 0;
  return records
    .map((r) => `+${r.startedAt - first} ms ${r.range ?? 'no Range'}${r.ifRange ? ` If-Range ${r.ifRange}` : ''} → ${r.status}, ${r.bytesSent} bytes${r.cut ? ` (cut: ${r.cut})` : r.aborted ? ' (closed by the client)' : ''}`)
    .join('; ');
}

/** Upstream requests the origin still has open (not finished, not closed by either side). */
async function openUpstream(origin: Origin, path: string): Promise<number> {
  return (await origin.requestsFor(path)).filter((r) => !r.aborted && r.cut === null && r.finishedAt === null).length;
}

/**
 * Every stored segment of `path` is a segment the origin sent whole, and reads back OFFLINE byte
 * for byte (one read per segment: its SHA-256 against the generated content).
 */
async function expectStoredSegmentsValid(page: Page, context: BrowserContext, origin: Origin, path: string, size: number, what: string): Promise<number[]> {
  const stored = await storedSegments(page, origin, path);
  const whole = segmentsSentWhole(await origin.requestsFor(path), size);
  for (const index of stored) {
    expect(whole.has(index), `${what}: stored segment ${index} was sent whole by the origin (whole: ${[...whole].join(', ')})`).toBe(true);
  }
  await context.setOffline(true);
  try {
    for (const index of stored) {
      const start = index * SEGMENT;
      const end = Math.min(start + SEGMENT, size) - 1;
      expectExact(await receive(page, path, `bytes=${start}-${end}`), start, end, size, `${what}: stored segment ${index} offline`);
    }
  } finally {
    await context.setOffline(false);
  }
  return stored;
}

test.describe('body and header faults through the service worker', () => {
  test('a stall after 1.3 MiB: detected within the adaptive bound, segments 0 and 1 kept exact, the next read resumes at 1 MiB', async ({ swPage: page, context, origin }) => {
    const size = 8 * MiB;
    const stallAfter = Math.round(1.3 * MiB);
    const path = `/media/gen/stall-body-${uniqueTag()}.bin?size=${size}&stallAfter=${stallAfter}`;
    const read = await receive(page, path, 'bytes=0-');
    expect(read.status, show(read)).toBe(206);
    expectCleanFailure(read, 0, 'stalled read');
    // The worker hands bytes on as they arrive: the page got the two whole segments at least.
    expect(read.length, 'bytes the page got before the stall').toBeGreaterThanOrEqual(2 * SEGMENT);
    expect(read.length).toBeLessThanOrEqual(stallAfter);
    await expect.poll(() => openUpstream(origin, path), { message: 'upstream requests still open after the stall', timeout: 5000 }).toBe(0);
    // Timed from the origin's last byte: the worker reads up to 1 MiB ahead of the page, so its
    // stall clock (the write unit in progress must arrive within ≈2048 ms of waiting) may start
    // long before the page's last byte. The worker closing the stalled request is its detection.
    const [stalled] = await origin.requestsFor(path);
    const detectedMs = stalled!.abortedAt! - stalled!.lastByteAt!;
    const pageErrorMs = read.endedAtEpochMs - stalled!.lastByteAt!;
    figure(`stall after ${stallAfter} bytes of 8 MiB: the worker closed the upstream ${detectedMs} ms after the origin's last byte; the page's error came ${pageErrorMs} ms after it, ${read.endedAtMs - read.lastByteAtMs} ms after the page's own last byte (${read.length} bytes read)`);
    expect(stalled!.aborted, `the stalled request was closed by the worker: ${describeRecords([stalled!])}`).toBe(true);
    expect(detectedMs, 'stall detected after the origin went silent (ms)').toBeGreaterThanOrEqual(1500);
    expect(detectedMs, 'stall detected after the origin went silent (ms)').toBeLessThanOrEqual(6000);
    expect(pageErrorMs, 'the page errors after the origin went silent (ms)').toBeLessThanOrEqual(6000);

    await waitStored(page, origin, path, [0, 1]);
    await settle(page);
    const firstRecords = await origin.requestsFor(path);
    const stored = await expectStoredSegmentsValid(page, context, origin, path, size, 'after the stall');
    // Segment 2 got only 1.3 - 1 MiB of its 512 KiB: never stored.
    expect(stored, 'the partial segment 2 is not stored').not.toContain(2);
    // The first two segments, read offline in one piece.
    await context.setOffline(true);
    expectExact(await receive(page, path, `bytes=0-${MiB - 1}`), 0, MiB - 1, size, 'bytes 0..1 MiB offline');
    await context.setOffline(false);
    figure(`after the stall: stored segments ${stored.join(', ')}; origin: ${describeRecords(firstRecords)}`);

    // The next read of the start: 0..1 MiB from storage, the rest from the origin, starting at 1 MiB.
    const lastId = Math.max(...firstRecords.map((r) => r.id));
    const resumed = await receive(page, path, `bytes=0-${2 * MiB - 1}`);
    expectExact(resumed, 0, 2 * MiB - 1, size, 'resumed bytes=0-2097151');
    const next = (await origin.requestsFor(path)).filter((r) => r.id > lastId);
    expect(next.length, 'the resumed read asked the origin for what was missing').toBeGreaterThan(0);
    for (const record of next) {
      const start = bodyStart(record);
      expect(record.status, `resume request ${record.range}: a range answer`).toBe(206);
      expect(start, `resume request ${record.range} starts past the stored 0..1 MiB`).toBeGreaterThanOrEqual(MiB);
      expect(start % SEGMENT, `resume request ${record.range} is segment aligned`).toBe(0);
    }
    figure(`resumed bytes=0-2097151: origin sent ${next.reduce((sum, r) => sum + r.bytesSent, 0)} bytes, none of 0..1 MiB: ${describeRecords(next)}`);
  });

  test('a connection reset after 1.3 MiB: a clean error, only whole exact segments stored, a retry gets exact bytes', async ({ swPage: page, context, origin }) => {
    const size = 8 * MiB;
    const resetAfter = Math.round(1.3 * MiB);
    const path = `/media/gen/reset-body-${uniqueTag()}.bin?size=${size}&resetAfter=${resetAfter}`;
    const read = await receive(page, path, 'bytes=0-');
    expect(read.status, show(read)).toBe(206);
    expectCleanFailure(read, 0, 'reset read');
    expect(read.length).toBeLessThanOrEqual(resetAfter);
    figure(`reset after ${resetAfter} bytes: the page got ${read.length} bytes, error ${read.endedAtMs - read.lastByteAtMs} ms after the last byte`);

    await settle(page);
    const records = await origin.requestsFor(path);
    const stored = await expectStoredSegmentsValid(page, context, origin, path, size, 'after the reset');
    // Bytes from 1.3 MiB on never arrived: segment 2 (1..1.5 MiB) is incomplete.
    expect(stored, 'the partial segment 2 is not stored').not.toContain(2);
    figure(`after the reset: stored segments ${stored.join(', ') || 'none'}; origin: ${describeRecords(records)}`);

    // A media element retries from where it failed: the next 512 KiB, exact.
    const retryStart = read.length;
    const retryEnd = retryStart + SEGMENT - 1;
    const lastId = Math.max(...records.map((r) => r.id));
    const retry = await receive(page, path, `bytes=${retryStart}-${retryEnd}`);
    expectExact(retry, retryStart, retryEnd, size, `retry bytes=${retryStart}-${retryEnd}`);
    const retryRecords = (await origin.requestsFor(path)).filter((r) => r.id > lastId);
    figure(`retry bytes=${retryStart}-${retryEnd}: ${describeRecords(retryRecords)}`);
    // And the start of the file still reads exact (stored segments and network stitched).
    expectExact(await receive(page, path, `bytes=0-${MiB - 1}`), 0, MiB - 1, size, 'bytes 0..1 MiB after the retry');
  });

  test('a 503 is passed to the page as a 503; nothing is stored', async ({ swPage: page, context, origin }) => {
    const size = 2 * MiB;
    const path = `/media/gen/status-${uniqueTag()}.bin?size=${size}&status=503`;
    const ranged = await receive(page, path, 'bytes=0-99');
    expect(ranged.error, show(ranged)).toBeNull();
    expect(ranged.status, 'a Range request answered 503 upstream').toBe(503);
    expect(ranged.text, 'the origin body').toBe('status 503\n');
    const plain = await receive(page, path);
    expect(plain.error, show(plain)).toBeNull();
    expect(plain.status, 'a GET without Range answered 503 upstream').toBe(503);
    await settle(page);
    expect(await fileInfo(page, absolute(origin, path)), 'no record of a file that answered 503').toBeUndefined();
    const records = await origin.requestsFor(path);
    figure(`503: two page reads cost ${records.length} origin requests: ${describeRecords(records)}`);
    await context.setOffline(true);
    const offline = await receive(page, path, 'bytes=0-99');
    expect(offline.error, `offline, nothing stored: must fail, got ${show(offline)}`).not.toBeNull();
  });

  for (const knob of ['badContentRange', 'noContentRange'] as const) {
    test(`${knob}: the page never gets wrong bytes (a clean error or the exact range); nothing is stored`, async ({ swPage: page, context, origin }) => {
      const size = 4 * MiB;
      const path = `/media/gen/${knob}-${uniqueTag()}.bin?size=${size}&${knob}=1`;
      const verdicts: string[] = [];
      for (const [start, end] of [
        [100, 199],
        [1_000_000, 1_099_999],
      ] as const) {
        const range = `bytes=${start}-${end}`;
        const received = await receive(page, path, range);
        const what = `${knob}, ${range}: ${show(received)}`;
        if (received.error !== null) {
          expectCleanFailure(received, start, what);
          verdicts.push(`${range}: clean error (${received.error})`);
          continue;
        }
        if (received.status >= 400) {
          verdicts.push(`${range}: HTTP ${received.status}`);
          continue;
        }
        // A complete answer: its bytes must be the bytes its headers say they are, and those
        // must be the ones asked for. A 206 without Content-Range stands for the range asked for.
        // Soft: every range and what got stored are reported even when one answer is wrong.
        expect.soft(received.status, `${what}: a complete answer is 206`).toBe(206);
        const contentRange = received.headers['content-range'];
        let label = 'the exact bytes';
        if (contentRange !== undefined) {
          const claimed = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange);
          const claimedBytes = claimed ? generatedSha256(Number(claimed[1]), Number(claimed[2]) + 1) : 'unparsable';
          label =
            received.sha256 === claimedBytes ? 'the bytes its Content-Range names'
            : received.sha256 === generatedSha256(start, end + 1) ? `bytes ${start}-${end} labelled as other bytes`
            : 'neither the labelled nor the requested bytes';
          expect.soft(label, `${what}: the bytes match their Content-Range`).toBe('the bytes its Content-Range names');
          expect.soft(contentRange, `${what}: the range asked for`).toBe(`bytes ${start}-${end}/${size}`);
        }
        expect.soft(received.length, `${what}: length`).toBe(end - start + 1);
        expect.soft(received.sha256, `${what}: bytes ${start}-${end}`).toBe(generatedSha256(start, end + 1));
        verdicts.push(`${range}: HTTP ${received.status}, ${label}, Content-Range ${contentRange ?? 'absent'}`);
      }
      await settle(page);
      const file = await fileInfo(page, absolute(origin, path));
      expect(file?.storedSegments ?? [], `${knob}: nothing stored from these answers`).toEqual([]);
      const records = await origin.requestsFor(path);
      figure(`${knob}: ${verdicts.join('; ')}; origin: ${describeRecords(records)}`);
      await context.setOffline(true);
      const offline = await receive(page, path, 'bytes=100-199');
      expect(offline.error, `${knob} offline, nothing stored: must fail, got ${show(offline)}`).not.toBeNull();
    });
  }

  test('a body 1000 bytes shorter than its Content-Length: a clean error, the partial segment never stored', async ({ swPage: page, context, origin }) => {
    const size = 4 * MiB;
    const path = `/media/gen/short-${uniqueTag()}.bin?size=${size}&shortBody=1000`;
    // The first upstream window is 0..2 MiB; its last 1000 bytes (in segment 3) never come.
    const read = await receive(page, path, `bytes=0-${2 * MiB - 1}`);
    expect(read.status, show(read)).toBe(206);
    expectCleanFailure(read, 0, 'short body');
    expect(read.length, 'the page never gets more than the origin sent').toBeLessThanOrEqual(2 * MiB - 1000);
    figure(`short body (window 0..2 MiB, 1000 bytes short): the page got ${read.length} bytes, error ${read.endedAtMs - read.lastByteAtMs} ms after the last byte`);

    await settle(page);
    const records = await origin.requestsFor(path);
    figure(`short body: origin ${describeRecords(records)}`);
    // Every answer the origin completed ended 1000 bytes short (the others the worker closed).
    expect(records.filter((r) => r.finishedAt !== null), `no answer was complete: ${describeRecords(records)}`).toEqual([]);
    const stored = await expectStoredSegmentsValid(page, context, origin, path, size, 'after the short body');
    expect(stored, 'segment 3 (1000 bytes short) is not stored').not.toContain(3);
    figure(`after the short body: stored segments ${stored.join(', ') || 'none'}; origin: ${describeRecords(records)}`);
    await context.setOffline(true);
    const offline = await receive(page, path, `bytes=${3 * SEGMENT}-${3 * SEGMENT + 999}`);
    expect(offline.error, `segment 3 offline must fail (never stored), got ${show(offline)}`).not.toBeNull();
  });

  test('a 200 with the whole body to a Range request: the page gets its 206, from one origin request; segments from byte 0 stored', async ({ swPage: page, context, origin }) => {
    const size = 8 * MiB;
    const path = `/media/gen/ignore-range-${uniqueTag()}.bin?size=${size}&ignoreRange=1`;
    const start = 1_000_000;
    const end = 1_999_999;
    const read = await receive(page, path, `bytes=${start}-${end}`);
    expectExact(read, start, end, size, 'cold bytes=1000000-1999999 over a 200 upstream');
    const records = await origin.requestsFor(path);
    expect(records.length, `origin requests for the cold read: ${describeRecords(records)}`).toBe(1);
    expect(records[0]!.status).toBe(200);
    figure(`200 to a Range: one origin request (${records[0]!.range} → 200), ${records[0]!.bytesSent} of ${size} bytes sent for a 1 000 000-byte read`);

    // Segments 0..2 lie wholly before the read's last byte; segment 3 (to 2 MiB) holds it.
    await waitStored(page, origin, path, [0, 1, 2]);
    await settle(page);
    const stored = await expectStoredSegmentsValid(page, context, origin, path, size, 'after the 200');
    // Stored from the body's first byte on, without holes.
    expect(stored, 'stored segments run from 0 without holes').toEqual(stored.map((_, i) => i));
    await context.setOffline(true);
    const offlineEnd = stored.includes(3) ? end : 3 * SEGMENT - 1;
    expectExact(await receive(page, path, `bytes=${start}-${offlineEnd}`), start, offlineEnd, size, 'the range read cold, offline (as far as stored)');
    expectExact(await receive(page, path, 'bytes=0-99'), 0, 99, size, 'bytes=0-99 offline');
    await context.setOffline(false);
    expect((await origin.requestsFor(path)).length, 'no further origin request').toBe(1);
    figure(`200 to a Range: stored segments ${stored.join(', ')}`);
  });

  test('a trickle at 400 000 B/s completes a 2 MiB read; the floor then follows that rate, and a drop to 4 000 B/s is a stall within the calibrated bound', async ({ swPage: page, context, origin }) => {
    const size = 4 * MiB;
    const fast = `/media/gen/trickle-above-${uniqueTag()}.bin?size=${size}&trickle=400000`;
    const above = await receive(page, fast, `bytes=0-${2 * MiB - 1}`, 60_000);
    expectExact(above, 0, 2 * MiB - 1, size, 'trickle 400 000 B/s');
    // 2 MiB at 400 000 B/s takes ≈5.2 s: the read really was slow, and it was kept going.
    expect(above.endedAtMs, 'a trickled read takes its time').toBeGreaterThanOrEqual(4500);
    figure(`trickle 400 000 B/s: 2 MiB in ${above.endedAtMs} ms (${Math.round((2 * MiB) / (above.endedAtMs / 1000))} B/s)`);
    await waitStored(page, origin, fast, [0, 1, 2, 3]);
    await settle(page);
    await expectStoredSegmentsValid(page, context, origin, fast, size, 'after the 400 000 B/s trickle');

    // The worker measured this origin: a range write unit now has to arrive at 1/8 of that rate.
    const { adaptive } = await cacheMetrics(page);
    expect(adaptive.measuredBytesPerSecond, 'the measured rate (B/s)').toBeGreaterThan(200_000);
    const boundMs = Math.max(2000, Math.ceil(UNIT / (adaptive.timeoutFloorBytesPerSecond / 1000)));
    // 4 000 B/s: the first 64 KiB sample (16 s) cannot arrive before the bound, so the rate never relaxes it.
    const slow = `/media/gen/trickle-below-${uniqueTag()}.bin?size=${size}&trickle=4000`;
    const below = await receive(page, slow, `bytes=0-${2 * MiB - 1}`);
    expect(below.status, show(below)).toBe(206);
    expectCleanFailure(below, 0, 'trickle 4 000 B/s');
    const detectedMs = below.endedAtMs - below.headersAtMs;
    figure(`measured ${adaptive.measuredBytesPerSecond} B/s, floor ${adaptive.timeoutFloorBytesPerSecond} B/s, bound ${boundMs} ms; trickle 4 000 B/s: error ${detectedMs} ms after the headers, ${below.endedAtMs - below.lastByteAtMs} ms after the last byte; the page got ${below.length} bytes; origin sent ${await origin.bytesFor(slow)} bytes`);
    expect(below.length, 'the first write unit never completed').toBeLessThan(UNIT);
    expect(detectedMs, 'stall detected after the headers (ms)').toBeGreaterThanOrEqual(boundMs - 500);
    expect(detectedMs, 'stall detected after the headers (ms)').toBeLessThanOrEqual(boundMs + 4000);
    await expect.poll(() => openUpstream(origin, slow), { message: 'upstream still open after the slow stall', timeout: 5000 }).toBe(0);
    await settle(page);
    expect(await storedSegments(page, origin, slow), 'nothing stored of the too-slow file').toEqual([]);
  });

  test('an origin without Accept-Ranges: reads work, the worker answers with Accept-Ranges, stored bytes replay offline', async ({ swPage: page, context, origin }) => {
    const size = 4 * MiB;
    const path = `/media/gen/no-accept-ranges-${uniqueTag()}.bin?size=${size}&noAcceptRanges=1`;
    const read = await receive(page, path, `bytes=0-${MiB - 1}`);
    expectExact(read, 0, MiB - 1, size, 'cold bytes=0-1048575');
    expect(read.headers['accept-ranges'], 'the worker says it serves ranges').toBe('bytes');
    await waitStored(page, origin, path, [0, 1]);
    await settle(page);
    await expectStoredSegmentsValid(page, context, origin, path, size, 'no Accept-Ranges');
    await context.setOffline(true);
    expectExact(await receive(page, path, `bytes=0-${MiB - 1}`), 0, MiB - 1, size, 'bytes=0-1048575 offline');
    expectExact(await receive(page, path, 'bytes=100-599999'), 100, 599_999, size, 'bytes=100-599999 offline');
  });

  test('an origin with Last-Modified and no ETag: stored and replayed offline; a version change purges the old bytes and never mixes versions', async ({ swPage: page, context, origin }) => {
    const size = 8 * MiB;
    const name = `/media/gen/last-modified-${uniqueTag()}.bin`;
    const path = `${name}?size=${size}&lastModifiedOnly=1`;
    const cold = await receive(page, path, `bytes=0-${MiB - 1}`);
    expectExact(cold, 0, MiB - 1, size, 'v1 cold bytes=0-1048575');
    expect(cold.headers['etag'], 'no ETag invented').toBeUndefined();
    const v1Date = cold.headers['last-modified'];
    expect(Date.parse(v1Date ?? ''), 'Last-Modified passed on').toBeGreaterThan(0);
    await waitStored(page, origin, path, [0, 1]);
    await settle(page);
    await expectStoredSegmentsValid(page, context, origin, path, size, 'Last-Modified only');

    // A missing segment: upstream with If-Range <Last-Modified>, which the origin honours (206).
    const beforeId = Math.max(...(await origin.requestsFor(path)).map((r) => r.id));
    expectExact(await receive(page, path, 'bytes=4194304-4194403'), 4194304, 4194403, size, 'v1 bytes=4194304-4194403');
    const withIfRange = (await origin.requestsFor(path)).filter((r) => r.id > beforeId);
    expect(withIfRange.length, 'an upstream request for the missing segment').toBeGreaterThan(0);
    for (const record of withIfRange) {
      expect(record.ifRange, `If-Range of ${record.range}: the Last-Modified date`).toBe(v1Date);
      expect(record.status, `${record.range} with a matching date`).toBe(206);
    }

    await origin.setVersion(name, 2);
    // Stored v1 (0..1 MiB) followed by bytes only the network has, now version 2.
    const end = 6 * MiB - 1;
    const spanning = await receive(page, path, `bytes=0-${end}`);
    let verdict: string;
    if (spanning.error !== null) {
      // Failing is allowed; the bytes before the failure are version 1, where the answer started.
      expect(spanning.sha256, `spanning read failed after ${spanning.length} bytes: those are version 1`).toBe(generatedSha256(0, spanning.length, 1));
      verdict = `failed after ${spanning.length} bytes (${spanning.error}), all version 1 before that`;
    } else {
      expect(spanning.length, show(spanning)).toBe(end + 1);
      const version = spanning.sha256 === generatedSha256(0, end + 1, 2) ? 2 : spanning.sha256 === generatedSha256(0, end + 1, 1) ? 1 : 0;
      expect(version, `a complete answer is one version, never a mix: ${show(spanning)}`).not.toBe(0);
      verdict = `complete, all version ${version}`;
    }
    figure(`Last-Modified only, stored v1 + network v2, bytes=0-${end}: ${verdict}`);
    await settle(page);

    // Afterwards: version 2 everywhere, the stored version 1 purged.
    const start = await receive(page, path, 'bytes=0-99');
    expectExact(start, 0, 99, size, 'after the change, bytes=0-99', 2);
    expect(Date.parse(start.headers['last-modified'] ?? ''), 'the new Last-Modified').toBeGreaterThan(Date.parse(v1Date!));
    expectExact(await receive(page, path, 'bytes=4194304-4194403'), 4194304, 4194403, size, 'after the change, bytes=4194304-4194403', 2);
    const records = (await origin.requestsFor(path)).filter((r) => r.id > beforeId);
    figure(`Last-Modified only, upstream after the first read: ${describeRecords(records)}`);
    expect(records.some((r) => r.ifRange === v1Date && r.status === 200), `a stale If-Range date answered 200: ${describeRecords(records)}`).toBe(true);
    await settle(page);
    // Offline, only what is stored answers: version 2 segments, never a purged version 1 one.
    const stored = await storedSegments(page, origin, path);
    await context.setOffline(true);
    for (const index of stored) {
      const from = index * SEGMENT;
      expectExact(await receive(page, path, `bytes=${from}-${from + SEGMENT - 1}`), from, from + SEGMENT - 1, size, `stored segment ${index} offline after the change`, 2);
    }
    const offlineStart = await receive(page, path, `bytes=0-${MiB - 1}`);
    if (offlineStart.error === null) expectExact(offlineStart, 0, MiB - 1, size, 'bytes 0..1 MiB offline after the change', 2);
    else expect(offlineStart.sha256, `offline 0..1 MiB failed after ${offlineStart.length} bytes: none of them version 1`).toBe(generatedSha256(0, offlineStart.length, 2));
    figure(`Last-Modified only, after the change: stored segments ${stored.join(', ') || 'none'}; offline 0..1 MiB: ${show(offlineStart)}`);
  });
});
