/** Faults and load: a stalled origin, a reader that goes away, many readers of one cold file. */
import { expect, fetchAllInPage, fetchInPage, figure, openControlledPage, serviceWorkerHeapBytes, streamInPage, test, uniqueTag } from './fixtures';
import { generatedSha256 } from './origin/content';
import { expectRangeResponse } from './rangeExpectations';
import { generatedSource } from './sources';
import { cacheMetrics } from './workerClient';

const MiB = 1024 * 1024;

test.describe('faults through the service worker', () => {
  test('a stalled origin fails the range response within the adaptive bound; the SW keeps serving', async ({ swPage: page, origin }) => {
    const size = 8 * MiB;
    // 300 000 bytes, then silence: past the first 256 KiB write, inside the second.
    const path = `/media/gen/stall-${uniqueTag()}.bin?size=${size}&stallAfter=300000`;
    const timeline = await streamInPage(page, path, { range: 'bytes=0-', timeoutMs: 30_000 });
    expect(timeline.status).toBe(206);
    expect(timeline.outcome, `outcome after ${timeline.bytes} bytes: ${timeline.error}`).toBe('error');
    expect(timeline.bytes).toBeLessThanOrEqual(300_000);
    // The SW gave up on the upstream fetch too: the origin saw its socket closed.
    await expect
      .poll(async () => (await origin.requestsFor(path)).filter((r) => !r.aborted && r.finishedAt === null).length, {
        message: 'upstream requests still open at the origin',
        timeout: 5000,
      })
      .toBe(0);

    // Range writes time out after max(2000, 262144 / 128) ≈ 2048 ms. Timed on the origin, from its
    // last byte to the worker closing the request (its detection): the worker reads ahead of the
    // page, and the page's headers or last chunk may come late on a busy machine.
    const [stalled] = await origin.requestsFor(path);
    expect(stalled!.aborted, `the stalled request was closed by the worker: ${JSON.stringify(stalled)}`).toBe(true);
    const detectedMs = stalled!.abortedAt! - stalled!.lastByteAt!;
    const detectedAfterMs = timeline.endedAtMs - timeline.headersAtMs;
    figure(`stall detection: the worker closed the upstream ${detectedMs} ms after the origin's last byte; the page's error came ${timeline.endedAtMs - timeline.lastChunkAtMs} ms after its last byte (${timeline.bytes} bytes read), ${detectedAfterMs} ms after the headers`);
    expect(detectedMs, 'stall detected after the origin went silent (ms)').toBeGreaterThanOrEqual(1500);
    expect(detectedMs, 'stall detected after the origin went silent (ms)').toBeLessThanOrEqual(6000);
    expect(detectedAfterMs, 'the page errors after its headers (ms)').toBeLessThanOrEqual(6000);

    // And the SW still answers: another file, cold, byte for byte.
    const other = `/media/gen/after-stall-${uniqueTag()}.bin?size=${2 * MiB}`;
    const result = await fetchInPage(page, other, { range: 'bytes=100-600000' });
    expectRangeResponse(result, 'bytes=100-600000', generatedSource(2 * MiB), 'after the stall');
  });

  test('a slow but live origin (64 KB/s, half the fixed floor) is not declared stalled: timeouts follow the measured rate', async ({ swPage: page }) => {
    const size = 8 * MiB;
    const rate = 64_000;
    // Under a fixed floor of 128 bytes/ms (the rule before calibration) the first 256 KiB write unit, 4.1 s at this rate, would time out at 2048 ms.
    const path = `/media/gen/slow-${uniqueTag()}.bin?size=${size}&trickle=${rate}`;
    const range = 'bytes=0-393215';
    const result = await fetchInPage(page, path, { range });
    expectRangeResponse(result, range, generatedSource(size), 'slow origin');
    const { adaptive } = await cacheMetrics(page);
    figure(`slow origin at ${rate} B/s: measured ${adaptive.measuredBytesPerSecond} B/s, timeout floor ${adaptive.timeoutFloorBytesPerSecond} B/s`);
    expect(adaptive.measuredBytesPerSecond, 'the rate the worker measured (B/s)').toBeGreaterThan(rate / 2);
    expect(adaptive.measuredBytesPerSecond, 'the rate the worker measured (B/s)').toBeLessThan(rate * 2);
    expect(adaptive.timeoutFloorBytesPerSecond).toBeLessThan(128_000 / 4);
  });

  test('an aborted read stops the origin transfer promptly', async ({ swPage: page, origin }) => {
    const size = 64 * MiB;
    // Paced, so that what the origin sends after the abort is the pace times how long the worker
    // takes to close its requests (unpaced, loopback fills the socket buffers as fast as the reader
    // drains them, which depends on the machine).
    const rate = 8_000_000;
    const path = `/media/gen/abort-${uniqueTag()}.bin?size=${size}&trickle=${rate}`;
    const timeline = await streamInPage(page, path, { range: 'bytes=0-', abortAfterBytes: MiB });
    const abortedAt = Date.now();
    expect(timeline.status).toBe(206);
    expect(timeline.outcome).toBe('aborted');

    // No upstream request stays open (cancelled, or finished a bounded window). Generous: "promptly"
    // is what the bytes below bound.
    await expect
      .poll(async () => (await origin.requestsFor(path)).filter((r) => !r.aborted && r.finishedAt === null).length, {
        message: 'upstream requests still open after the reader aborted',
        timeout: 15_000,
      })
      .toBe(0);
    const records = await origin.requestsFor(path);
    const sentBytes = await origin.bytesFor(path);
    // Signed: a negative time means that request had already ended (a bounded window sent whole,
    // or the socket closed) before the test saw the page's abort return.
    const endings = records.map((r) =>
      r.aborted ? `${r.range} closed by the SW at ${r.abortedAt! - abortedAt} ms` : `${r.range} finished at ${(r.finishedAt ?? abortedAt) - abortedAt} ms`,
    );
    figure(`abort after 1 MiB of 64 MiB at ${rate / 1e6} MB/s per request: origin sent ${(sentBytes / MiB).toFixed(2)} MiB in ${records.length} request(s); relative to the page's abort: ${endings.join('; ')}`);
    // Well under the file: what was read, the worker's read-ahead, and what the pace let through
    // until the worker closed its requests (at 8 MB/s, 16 MiB is over a second of every request).
    expect(sentBytes, `origin bytes after reading 1 MiB of 64 MiB (${records.length} requests: ${endings.join('; ')})`).toBeLessThan(16 * MiB);
    // Nothing is asked for again after the abort.
    await page.waitForTimeout(1500);
    expect(await origin.bytesFor(path), 'origin bytes keep growing after the abort').toBe(sentBytes);
  });

  test('8 concurrent readers of one cold 32 MiB file cost about one file of origin bytes', async ({ swPage: page, origin }) => {
    const size = 32 * MiB;
    const path = `/media/gen/shared-${uniqueTag()}.bin?size=${size}`;
    const results = await fetchAllInPage(page, Array.from({ length: 8 }, () => ({ url: path, range: 'bytes=0-' })), 0);
    const expectedSha = generatedSha256(0, size);
    for (const [i, result] of results.entries()) {
      expect(result.status, `reader ${i}`).toBe(206);
      expect(result.headers['content-range'], `reader ${i}`).toBe(`bytes 0-${size - 1}/${size}`);
      expect(result.length, `reader ${i}`).toBe(size);
      expect(result.sha256, `reader ${i} bytes`).toBe(expectedSha);
    }
    const sentBytes = await origin.bytesFor(path);
    figure(`origin bytes for 8 cold readers of 32 MiB: ${sentBytes} (${(sentBytes / size).toFixed(2)}× the file, ${(await origin.requestsFor(path)).length} upstream requests)`);
    expect(sentBytes, 'origin bytes for 8 readers').toBeGreaterThanOrEqual(size);
    expect(sentBytes, 'origin bytes for 8 readers (≤ 1.1 × the file)').toBeLessThanOrEqual(1.1 * size);
  });

  test('16 concurrent cold readers across 4 tabs: exact bytes each, about one file from the origin, and the worker heap stays bounded', async ({ swPage: page, context, browser, origin }) => {
    test.setTimeout(150_000);
    const size = 24 * MiB;
    // Paced (per request), so that the reads last several seconds on any machine and the heap is
    // sampled while they run: at least the worker's half of the file at 1 MB/s a window, two at a time.
    const path = `/media/gen/tabs-${uniqueTag()}.bin?size=${size}&trickle=1000000`;
    const tabs = [page];
    for (let i = 1; i < 4; i += 1) {
      const tab = await context.newPage();
      await openControlledPage(tab);
      tabs.push(tab);
    }
    const heapOf = async (collectGarbage = false): Promise<number> =>
      Math.max(0, ...(await serviceWorkerHeapBytes(browser, { collectGarbage })).map((worker) => worker.bytes));
    const idle = await heapOf(true);
    let peak = idle;
    let livePeak = idle;
    let sampling = true;
    let samples = 0;
    let liveSamples = 0;
    const sampler = (async () => {
      for (let sample = 0; sampling; sample += 1) {
        // Every 8th sample after a garbage collection (the first one soon): what is live, not what
        // awaits collection.
        const live = sample % 8 === 3;
        const bytes = await heapOf(live).catch(() => 0);
        // A sample that failed (0) or that ended after the reads measured nothing of them.
        if (bytes > 0 && sampling) {
          samples += 1;
          if (live) liveSamples += 1;
        }
        peak = Math.max(peak, bytes);
        if (live) livePeak = Math.max(livePeak, bytes);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    const started = Date.now();
    // Four readers per tab, at different offsets: whole file, from the middle, a late range, the tail.
    const reads = [
      { range: 'bytes=0-', start: 0, end: size },
      { range: `bytes=${size / 2}-`, start: size / 2, end: size },
      { range: `bytes=${size / 4}-${(3 * size) / 4 - 1}`, start: size / 4, end: (3 * size) / 4 },
      { range: `bytes=-${4 * MiB}`, start: size - 4 * MiB, end: size },
    ];
    const results = await Promise.all(tabs.map((tab) => fetchAllInPage(tab, reads.map((read) => ({ url: path, range: read.range })), 0)));
    const elapsedMs = Date.now() - started;
    sampling = false;
    await sampler;
    for (const [t, tabResults] of results.entries()) {
      for (const [r, result] of tabResults.entries()) {
        const read = reads[r]!;
        expect(result.status, `tab ${t} reader ${r}`).toBe(206);
        expect(result.length, `tab ${t} reader ${r}`).toBe(read.end - read.start);
        expect(result.sha256, `tab ${t} reader ${r} bytes`).toBe(generatedSha256(read.start, read.end));
      }
    }
    const sentBytes = await origin.bytesFor(path);
    const aboveIdle = peak - idle;
    const liveAboveIdle = livePeak - idle;
    figure(`16 cold readers in 4 tabs of a 24 MiB file: ${elapsedMs} ms; origin sent ${(sentBytes / size).toFixed(3)}× the file in ${(await origin.requestsFor(path)).length} requests; ` +
      `worker heap idle ${(idle / MiB).toFixed(1)} MiB, peak ${(peak / MiB).toFixed(1)} MiB (+${(aboveIdle / MiB).toFixed(1)} MiB, sampled every 250 ms), ` +
      `live peak after garbage collection +${(liveAboveIdle / MiB).toFixed(1)} MiB (every 8th sample); ${samples} samples during the reads, ${liveSamples} after garbage collection`);
    expect(sentBytes, 'origin bytes for 16 readers').toBeGreaterThanOrEqual(size);
    expect(sentBytes, 'origin bytes for 16 readers (≤ 1.1 × the file)').toBeLessThanOrEqual(1.1 * size);
    // Bounded: the readers' bytes pass through, they are not held. The worker keeps a few recent
    // segments per upstream window and the segments waiting for storage, more when storage lags on
    // a loaded machine (+13 to +32 MiB seen here; the benchmark measures it per file size). This bound
    // only catches a worker that holds a good part of what it hands out (208 MiB to 16 readers).
    // The bound means something only if the heap was measured while the readers ran.
    expect(liveSamples, `heap samples after garbage collection taken during the reads (${elapsedMs} ms, ${samples} samples in all)`).toBeGreaterThanOrEqual(1);
    expect(liveAboveIdle, 'worker heap above idle after garbage collection').toBeLessThan(64 * MiB);
  });
});
