/**
 * What the service worker stores and what it must not: a plain GET, answers that are never stored
 * (no-store, errors, opaque), If-Range upstream, a validator change (purge, never mix versions),
 * and a large file read cold and warm (timings as figures).
 */
import type { Page } from '@playwright/test';
import { expect, fetchInPage, figure, readInPage, recordResponses, test, uniqueTag, type ReadOutcome } from './fixtures';
import { generatedSha256 } from './origin/content';
import { generatedEtag } from './origin/server';
import { expectRangeResponse } from './rangeExpectations';
import { distMedia, generatedSource } from './sources';
import { mountMedia, waitForCurrentTime } from './media';
import { fileInfo } from './workerClient';

const MiB = 1024 * 1024;

/**
 * Segments are stored the moment each is complete, in a transaction that may end a little after
 * the response's last byte. Where a test needs bytes stored it polls for them (`storedSegmentsOf`);
 * this fixed wait is only for checks that something is NOT stored (nothing to poll for) and before
 * online requests that do not depend on what is stored.
 */
async function settle(page: Page): Promise<void> {
  await page.waitForTimeout(1000);
}

/** The stored segments of the file at `path` (this origin), [] while it is not listed. */
async function storedSegmentsOf(page: Page, path: string): Promise<number[]> {
  return (await fileInfo(page, new URL(path, page.url()).href))?.storedSegments ?? [];
}

/** Waits until the file at `path` has every segment stored (the writes of a read trail its last byte). */
async function waitStoredWhole(page: Page, path: string, size: number, timeout = 10_000): Promise<void> {
  await expect
    .poll(async () => (await fileInfo(page, new URL(path, page.url()).href))?.storedBytes ?? 0, { message: `${path}: bytes stored`, timeout })
    .toBe(size);
}

function describe(outcome: ReadOutcome): string {
  return outcome.error === null
    ? `HTTP ${outcome.status}, ${outcome.length} bytes, Content-Range ${outcome.headers['content-range'] ?? '-'}`
    : `failed after ${outcome.length} bytes (status ${outcome.status}): ${outcome.error}`;
}

/** Asserts a complete 206 of exactly `range` whose bytes are all of `version` (never a mix). */
function expectVersionedSlice(outcome: ReadOutcome, start: number, end: number, size: number, version: number, what: string): void {
  expect(outcome.error, `${what}: ${describe(outcome)}`).toBeNull();
  expect(outcome.status, `${what}: status`).toBe(206);
  expect(outcome.headers['content-range'], `${what}: Content-Range`).toBe(`bytes ${start}-${end}/${size}`);
  expect(outcome.length, `${what}: length`).toBe(end - start + 1);
  const other = version === 1 ? 2 : 1;
  const sha = outcome.sha256;
  expect(sha === generatedSha256(start, end + 1, other) ? `version ${other}` : sha === generatedSha256(start, end + 1, version) ? `version ${version}` : 'neither version (mixed or wrong)', `${what}: bytes`).toBe(`version ${version}`);
}

/** Loads `src` into a fresh element and reports whether currentTime advanced within `ms`. */
async function probePlayback(page: Page, src: string, ms: number): Promise<{ advanced: boolean; currentTime: number; errorCode: number | null; events: string[] }> {
  return page.evaluate(
    ({ src, ms }) =>
      new Promise((resolve) => {
        document.getElementById('probe-under-test')?.remove();
        const element = document.createElement('video');
        element.id = 'probe-under-test';
        element.muted = true;
        element.preload = 'auto';
        const events: string[] = [];
        for (const name of ['error', 'playing', 'waiting', 'stalled', 'loadedmetadata', 'canplay']) {
          element.addEventListener(name, () => events.push(name));
        }
        document.body.append(element);
        element.src = src;
        element.play().catch((error: unknown) => events.push(`play() rejected: ${String(error)}`));
        const started = performance.now();
        const timer = setInterval(() => {
          const advanced = element.currentTime >= 0.5;
          if (advanced || element.error || performance.now() - started > ms) {
            clearInterval(timer);
            resolve({ advanced, currentTime: element.currentTime, errorCode: element.error ? element.error.code : null, events });
          }
        }, 50);
      }),
    { src, ms },
  );
}

test.describe('what the service worker stores', () => {
  test('a GET without Range: 200 with Content-Length and Accept-Ranges, exact bytes, cold then offline from storage', async ({ swPage: page, context, origin }) => {
    const size = 6 * MiB;
    const path = `/media/gen/plain-${uniqueTag()}.bin?size=${size}`;
    const check = async (pass: string): Promise<void> => {
      const result = await readInPage(page, path, { maxBodyBytes: 0 });
      expect(result.error, `${pass}: ${describe(result)}`).toBeNull();
      expect(result.status, `${pass}: status`).toBe(200);
      expect(result.headers['content-length'], `${pass}: Content-Length`).toBe(String(size));
      expect(result.headers['accept-ranges'], `${pass}: Accept-Ranges`).toBe('bytes');
      expect(result.headers['content-range'], `${pass}: no Content-Range on 200`).toBeUndefined();
      expect(result.length, `${pass}: length`).toBe(size);
      expect(result.sha256, `${pass}: SHA-256`).toBe(generatedSha256(0, size));
      figure(`plain GET of 6 MiB, ${pass}: ${Math.round(result.elapsedMs)} ms`);
    };
    await check('cold');
    // Cold: the bytes came from the origin (the URL was new), about once.
    const sent = await origin.bytesFor(path);
    expect(sent, 'origin bytes for the cold GET').toBeGreaterThanOrEqual(size);
    expect(sent, 'origin bytes for the cold GET').toBeLessThanOrEqual(1.1 * size);
    await waitStoredWhole(page, path, size);
    await context.setOffline(true);
    await check('offline');
  });

  test('a small range read leaves its segment complete: the rest of that segment (and no more) is fetched and stored, and replays offline', async ({ swPage: page, context, origin }) => {
    const size = 4 * MiB;
    const segment = 512 * 1024;
    const path = `/media/gen/small-range-${uniqueTag()}.bin?size=${size}&trickle=200000`;
    // Trickled, so the page has its 1000 bytes long before the segment's 512 KiB have arrived, and
    // what the origin sends after the segment is the pace times how long the worker takes to stop
    // (the 2 MiB window would take 10 s at this pace).
    const cold = await fetchInPage(page, path, { range: 'bytes=0-999' });
    expectRangeResponse(cold, 'bytes=0-999', generatedSource(size), 'cold 1000 bytes');
    // The worker finishes the segment in progress, then stops: about one segment, never the 2 MiB window.
    await expect.poll(() => origin.bytesFor(path), { message: 'origin bytes once the segment is finished', timeout: 20_000 }).toBeGreaterThanOrEqual(segment);
    await expect
      .poll(async () => (await origin.requestsFor(path)).filter((r) => r.finishedAt === null && !r.aborted).length, { message: 'upstream requests still open after the segment', timeout: 20_000 })
      .toBe(0);
    const sent = await origin.bytesFor(path);
    const requests = (await origin.requestsFor(path)).map((r) => `${r.range} ${r.aborted ? 'closed' : 'finished'} after ${r.bytesSent} bytes`);
    figure(`1000 bytes read cold from a trickled origin: the origin sent ${sent} bytes (one segment is ${segment}): ${requests.join('; ')}`);
    expect(sent, 'origin bytes: the segment in progress and what the pace let through until the worker stopped, not the 2 MiB window').toBeLessThan(2 * segment);
    await expect.poll(() => storedSegmentsOf(page, path), { message: 'stored segments' }).toEqual([0]);
    await context.setOffline(true);
    for (const range of ['bytes=0-999', `bytes=1000-${segment - 1}`]) {
      expectRangeResponse(await fetchInPage(page, path, { range }), range, generatedSource(size), `offline ${range}`);
    }
  });

  test('never stored: Cache-Control no-store and a 404 are answered online and fail offline', async ({ swPage: page, context, origin }) => {
    const size = 2 * MiB;
    const noStore = `/media/gen/nostore-${uniqueTag()}.bin?size=${size}&noStore=1`;
    const missing = `/media/gen/missing-${uniqueTag()}.bin?size=${size}&status=404`;
    const range = 'bytes=100-600000';

    const online = await readInPage(page, noStore, { range });
    expect(online.error, `no-store online: ${describe(online)}`).toBeNull();
    expectRangeResponse({ ...online, sha256: online.sha256! }, range, generatedSource(size), 'no-store online');
    expect((await origin.requestsFor(noStore)).length, 'origin requests for the no-store file').toBeGreaterThan(0);

    const notFound = await readInPage(page, missing, { range });
    expect(notFound.error, `404 online: ${describe(notFound)}`).toBeNull();
    expect(notFound.status, '404 online: answered, not a network error').toBe(404);

    await settle(page);
    await context.setOffline(true);
    const offlineNoStore = await readInPage(page, noStore, { range });
    expect(offlineNoStore.error, `no-store offline must fail (it was never stored), got ${describe(offlineNoStore)}`).not.toBeNull();
    const offlineSmall = await readInPage(page, noStore, { range: 'bytes=0-99' });
    expect(offlineSmall.error, `no-store offline bytes=0-99 must fail, got ${describe(offlineSmall)}`).not.toBeNull();
    const offlineNotFound = await readInPage(page, missing, { range });
    expect(offlineNotFound.error, `404 offline must fail (a 404 is never stored), got ${describe(offlineNotFound)}`).not.toBeNull();
  });

  test('opaque: a cross-origin <video> without crossorigin plays through the SW but is never stored', async ({ swPage: page, context, origin }) => {
    const [video] = distMedia('.mp4');
    expect(video, 'a committed .mp4 in dist/media').toBeDefined();
    // http://localhost:PORT is another origin than the page's http://127.0.0.1:PORT.
    const crossOrigin = new URL(origin.url);
    crossOrigin.hostname = 'localhost';
    const opaqueSrc = `${crossOrigin.origin}${video!.url}?opaque=${uniqueTag()}`;
    const controlSrc = `${video!.url}?control=${uniqueTag()}`;
    const responses = recordResponses(page);

    // Control: a same-origin URL watched online.
    await mountMedia(page, 'video', controlSrc);
    await waitForCurrentTime(page, 2);
    // The cross-origin URL: a no-cors request with destination video.
    await mountMedia(page, 'video', opaqueSrc);
    await waitForCurrentTime(page, 2);
    const opaqueResponses = responses.filter((r) => r.url === opaqueSrc);
    expect(opaqueResponses.length, 'responses for the cross-origin URL').toBeGreaterThan(0);
    const opaquePath = new URL(opaqueSrc).pathname + new URL(opaqueSrc).search;
    expect((await origin.requestsFor(opaquePath)).length, 'origin requests for the cross-origin URL').toBeGreaterThan(0);
    figure(`opaque <video>: ${opaqueResponses.length} response(s), fromServiceWorker: ${[...new Set(opaqueResponses.map((r) => r.fromServiceWorker))].join('/')}, statuses ${[...new Set(opaqueResponses.map((r) => r.status))].join('/')}`);

    await settle(page);
    await context.setOffline(true);
    // A new tab: Chromium's media cache shares a URL's bytes within a page, so the first page's
    // elements could replay from memory; the new page has only the SW (and the app shell it serves).
    const fresh = await context.newPage();
    await fresh.goto('/');
    await fresh.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 10_000 });
    const control = await probePlayback(fresh, controlSrc, 15_000);
    expect(control.advanced, `control (same-origin, watched) offline: ${JSON.stringify(control)}`).toBe(true);
    const opaque = await probePlayback(fresh, opaqueSrc, 5_000);
    expect(opaque.advanced, `cross-origin offline must not play from storage: ${JSON.stringify(opaque)}`).toBe(false);
    figure(`opaque <video> offline: currentTime ${opaque.currentTime}, error code ${opaque.errorCode}, events ${opaque.events.join(',') || '-'}`);
    await fresh.close();
  });

  test('upstream requests carry If-Range with the ETag once the validator is known', async ({ swPage: page, origin }) => {
    const size = 8 * MiB;
    const path = `/media/gen/ifrange-${uniqueTag()}.bin?size=${size}`;
    expectVersionedSlice(await readInPage(page, path, { range: 'bytes=0-99' }), 0, 99, size, 1, 'bytes=0-99');
    expectVersionedSlice(await readInPage(page, path, { range: 'bytes=6000000-6000099' }), 6000000, 6000099, size, 1, 'bytes=6000000-6000099');
    const records = (await origin.requestsFor(path)).filter((r) => r.method === 'GET');
    const head = await fetch(`${origin.url}${path}`, { method: 'HEAD' });
    const etag = head.headers.get('etag');
    expect(etag).toBe(generatedEtag(size));
    const summary = records.map((r) => `${r.range} If-Range ${r.ifRange} → ${r.status}`).join('; ');
    expect(records.length, `upstream requests: ${summary}`).toBeGreaterThanOrEqual(2);
    expect(records[0]!.ifRange, `the first upstream request (${records[0]!.range}) has no validator to send`).toBeNull();
    const covering = records.filter((r) => {
      const match = /^bytes=(\d+)-(\d*)$/.exec(r.range ?? '');
      return match !== null && Number(match[1]) <= 6000000 && (match[2] === '' || Number(match[2]) >= 6000099);
    });
    expect(covering.length, `an upstream request covering 6000000-6000099: ${summary}`).toBeGreaterThan(0);
    for (const record of covering) expect(record.ifRange, `If-Range of ${record.range}`).toBe(etag);
    expect(covering.every((r) => r.status === 206), `the origin honours the matching If-Range: ${summary}`).toBe(true);
  });

  test('a validator change purges the stored segments and never mixes versions', async ({ swPage: page, origin }) => {
    const size = 8 * MiB;
    const name = `/media/gen/version-${uniqueTag()}.bin`;
    const path = `${name}?size=${size}`;
    expectVersionedSlice(await readInPage(page, path, { range: 'bytes=0-1048575' }), 0, 1048575, size, 1, 'v1 bytes=0-1048575 (cold)');
    // Segments 0 and 1 stored as version 1: what the change must purge.
    await expect.poll(() => storedSegmentsOf(page, path), { message: 'version-1 segments stored' }).toEqual(expect.arrayContaining([0, 1]));
    await origin.setVersion(name, 2);

    // Segment 8 is missing: upstream with If-Range "<v1 ETag>", which the origin no longer matches.
    const missing = await readInPage(page, path, { range: 'bytes=4194304-4194403' });
    // Never version-1 bytes and never a mix, whatever else happens.
    if (missing.error === null) {
      expect(missing.sha256, `after the change, bytes=4194304-4194403 are not version 1 (${describe(missing)})`).not.toBe(generatedSha256(4194304, 4194404, 1));
    }
    // None of this range is stored, so the answer must be version 2 (not an error).
    expect.soft(
      missing.error === null ? `${missing.status} ${missing.headers['etag']}` : `error after ${missing.length} bytes, headers ${missing.status} ETag ${missing.headers['etag']}`,
      'the first request after the change (nothing of it stored) is answered with version 2',
    ).toBe(`206 ${generatedEtag(size, 2)}`);
    figure(`validator change, first request after it (bytes=4194304-4194403, nothing stored): ${describe(missing)}, ETag ${missing.headers['etag']}`);
    if (missing.error === null) expectVersionedSlice(missing, 4194304, 4194403, size, 2, 'after the change, bytes=4194304-4194403');
    await settle(page);
    // Asked again (as a media element retries a network error): version 2.
    const again = await readInPage(page, path, { range: 'bytes=4194304-4194403' });
    expectVersionedSlice(again, 4194304, 4194403, size, 2, 'after the change, bytes=4194304-4194403 again');
    expect(again.headers['etag'], 'the answer carries the new validator').toBe(generatedEtag(size, 2));
    // Segment 0 was stored as version 1: it must have been purged, not served.
    const start = await readInPage(page, path, { range: 'bytes=0-99' });
    expectVersionedSlice(start, 0, 99, size, 2, 'after the change, bytes=0-99');
    expect(start.headers['etag']).toBe(generatedEtag(size, 2));

    const records = (await origin.requestsFor(path)).filter((r) => r.method === 'GET');
    const summary = records.map((r) => `${r.range} If-Range ${r.ifRange} → ${r.status}`).join('; ');
    // RFC 9110 §13.1.5: a Range with a non-matching If-Range is answered 200 with the whole body.
    const mismatched = records.filter((r) => r.ifRange === generatedEtag(size, 1) && r.startedAt > 0);
    expect(mismatched.some((r) => r.status === 200), `an upstream If-Range of the old ETag answered 200: ${summary}`).toBe(true);
    figure(`validator change: upstream ${summary}`);
  });

  test('a range that starts on stored old-version bytes and needs new ones errors or is one version', async ({ swPage: page, origin }) => {
    const size = 8 * MiB;
    const name = `/media/gen/version-mix-${uniqueTag()}.bin`;
    const path = `${name}?size=${size}`;
    expectVersionedSlice(await readInPage(page, path, { range: 'bytes=0-1048575' }), 0, 1048575, size, 1, 'v1 bytes=0-1048575 (cold)');
    // The range below starts on these stored version-1 segments.
    await expect.poll(() => storedSegmentsOf(page, path), { message: 'version-1 segments stored' }).toEqual(expect.arrayContaining([0, 1]));
    await origin.setVersion(name, 2);

    // The cold read fetched (and stored) a bounded window from 0; everything past it is missing and
    // the network now has version 2 only. Read from 0 to well past the window.
    const v1Records = (await origin.requestsFor(path)).filter((r) => r.method === 'GET');
    const v1End = Math.max(...v1Records.map((r) => r.bytesSent));
    const end = 6 * MiB - 1;
    expect(v1End, `version-1 bytes the origin sent (${v1Records.map((r) => r.range).join(', ')}) end before ${end}`).toBeLessThan(end);
    const spanning = await readInPage(page, path, { range: `bytes=0-${end}`, maxBodyBytes: 0 });
    let verdict = `errored after ${spanning.length} bytes (${spanning.error})`;
    if (spanning.error === null) {
      expect(spanning.length, `complete answer: ${describe(spanning)}`).toBe(end + 1);
      const version = spanning.sha256 === generatedSha256(0, end + 1, 2) ? 2 : spanning.sha256 === generatedSha256(0, end + 1, 1) ? 1 : 0;
      expect(version, `a complete answer is all one version, never mixed: ${describe(spanning)}`).not.toBe(0);
      verdict = `complete, all version ${version}`;
    }
    figure(`stored v1 (first ${v1End} bytes) + network v2, bytes=0-${end}: ${verdict}`);
    await settle(page);
    expectVersionedSlice(await readInPage(page, path, { range: 'bytes=0-99' }), 0, 99, size, 2, 'afterwards, bytes=0-99');
    expectVersionedSlice(await readInPage(page, path, { range: 'bytes=4194200-4194399' }), 4194200, 4194399, size, 2, 'afterwards, bytes=4194200-4194399');
  });

  test('a 64 MiB file read whole: cold through the SW, warm offline from storage, and direct without a SW', async ({ swPage: page, context, browser, origin }) => {
    test.setTimeout(180_000);
    const size = 64 * MiB;
    const path = `/media/gen/large-${uniqueTag()}.bin?size=${size}`;
    const expectedSha = generatedSha256(0, size);
    const rate = (outcome: ReadOutcome): string => `${Math.round(outcome.elapsedMs)} ms, ${(size / MiB / (outcome.elapsedMs / 1000)).toFixed(1)} MiB/s`;
    const expectWhole = (outcome: ReadOutcome, what: string): void => {
      expect(outcome.error, `${what}: ${describe(outcome)}`).toBeNull();
      expect(outcome.status, `${what}: status`).toBe(206);
      expect(outcome.headers['content-range'], `${what}: Content-Range`).toBe(`bytes 0-${size - 1}/${size}`);
      expect(outcome.length, `${what}: length`).toBe(size);
      expect(outcome.sha256, `${what}: SHA-256`).toBe(expectedSha);
    };

    const cold = await readInPage(page, path, { range: 'bytes=0-', maxBodyBytes: 0 });
    expectWhole(cold, 'cold through the SW');
    const originBytes = await origin.bytesFor(path);

    // Reference: the same bytes in a context with no service worker at all.
    const plainContext = await browser.newContext();
    try {
      const plain = await plainContext.newPage();
      await plain.goto(`${origin.url}/__origin/stats`);
      expect(await plain.evaluate(() => navigator.serviceWorker.controller)).toBeNull();
      const direct = await readInPage(plain, `${path}&direct=1`, { range: 'bytes=0-', maxBodyBytes: 0 });
      expectWhole(direct, 'direct, no SW');
      figure(`64 MiB bytes=0- direct, no SW: ${rate(direct)}`);
    } finally {
      await plainContext.close();
    }

    await waitStoredWhole(page, path, size, 60_000);
    await context.setOffline(true);
    const warm = await readInPage(page, path, { range: 'bytes=0-', maxBodyBytes: 0 });
    expectWhole(warm, 'warm offline from storage');
    figure(`64 MiB bytes=0- cold through the SW (network + storing): ${rate(cold)}; origin sent ${(originBytes / MiB).toFixed(2)} MiB`);
    figure(`64 MiB bytes=0- warm through the SW (offline, from storage): ${rate(warm)}`);
  });
});
