/**
 * Downloads for offline use, through the raw page ↔ worker protocol (src/lib/messages.ts): a
 * whole download and its progress, pause/resume without fetching twice, reading while it
 * downloads, SHA-256 verification, delete, and storage filling up mid-download. Eviction under a
 * small budget and the up-front quota refusal are in downloads-quota.spec.ts.
 */
import { expect, figure, openControlledPage, readInPage, test, uniqueTag } from './fixtures';
import { generatedSha256 } from './origin/content';
import {
  MiB,
  askWorker,
  expectWhole,
  fileInfo,
  listFiles,
  mib,
  overrideQuota,
  recordCacheEvents,
  recordedEvents,
  storageSummary,
  waitForDownload,
  workerResult,
  type DownloadProgress,
} from './workerClient';

function generatedPath(name: string, size: number, knobs = ''): string {
  return `/media/gen/${name}-${uniqueTag()}.bin?size=${size}${knobs}`;
}

test.describe('downloads (worker protocol)', () => {
  test('a 12 MiB download: queued/downloading → complete with rising progress, about one file from the origin, byte-exact offline', async ({ swPage: page, context, origin }) => {
    const size = 12 * MiB;
    // Paced, so that what the progress events see does not depend on the machine's speed: at
    // 2 MB/s per upstream window (two in flight) the download takes about 3 s or more, and
    // progress is announced at most every 250 ms; unpaced, a fast machine finishes in 0.5 s.
    const path = generatedPath('dl', size, '&trickle=2000000');
    const url = new URL(path, origin.url).href;
    await recordCacheEvents(page);

    const started = Date.now();
    const reply = await askWorker<DownloadProgress>(page, { type: 'download', url });
    expect(reply.ok, `download reply: ${JSON.stringify(reply)}`).toBe(true);
    const first = (reply as { result: DownloadProgress }).result;
    expect(first.url).toBe(url);
    expect(['queued', 'downloading'], `state in the download reply`).toContain(first.state);

    const done = await waitForDownload(page, url, ['complete'], { timeoutMs: 60_000, intervalMs: 50 });
    const elapsedMs = Date.now() - started;
    expect(done.storedBytes).toBe(size);
    expect(done.totalBytes).toBe(size);
    expect(done.fraction).toBe(1);

    // Progress events: states in order, storedBytes never falls and rises along the way. The
    // `complete` event may reach the page just after `list` says complete.
    await expect.poll(async () => (await recordedEvents(page, url)).filter((event) => event.progress).at(-1)?.progress?.state, { message: 'the last progress event' }).toBe('complete');
    const progress = (await recordedEvents(page, url)).filter((event) => event.progress).map((event) => event.progress!);
    const states = progress.map((p) => p.state).filter((state, i, all) => i === 0 || all[i - 1] !== state);
    expect(states.at(-1), `states seen: ${states.join(' → ')}`).toBe('complete');
    expect(states, `states seen: ${states.join(' → ')}`).toContain('downloading');
    expect(states.filter((s) => s !== 'queued' && s !== 'downloading' && s !== 'complete'), `no other states: ${states.join(' → ')}`).toEqual([]);
    const stored = progress.map((p) => p.storedBytes);
    for (let i = 1; i < stored.length; i += 1) expect(stored[i]!, `storedBytes of event ${i} ≥ event ${i - 1}`).toBeGreaterThanOrEqual(stored[i - 1]!);
    const distinct = new Set(stored.filter((bytes) => bytes > 0 && bytes < size));
    expect(distinct.size, `intermediate storedBytes values in progress events: ${stored.join(', ')}`).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)!.fraction).toBe(1);

    const sent = await origin.bytesFor(path);
    expect(sent, 'origin bytes for the download').toBeGreaterThanOrEqual(size);
    expect(sent, 'origin bytes for the download').toBeLessThanOrEqual(1.05 * size);
    const file = await fileInfo(page, url);
    expectWhole(file, 'downloaded file');
    expect(file!.pinned, 'a downloaded file is pinned').toBe(true);

    // The same size read cold through the worker (streamed, not downloaded), for comparison.
    const plainPath = generatedPath('plain', size);
    const plain = await readInPage(page, plainPath, { maxBodyBytes: 0 });
    expect(plain.error).toBeNull();
    // And straight from the origin, no browser at all.
    const directStarted = performance.now();
    const direct = await fetch(`${origin.url}${generatedPath('direct', size)}`);
    const directBytes = (await direct.arrayBuffer()).byteLength;
    const directMs = performance.now() - directStarted;
    expect(directBytes).toBe(size);
    const rate = (ms: number): string => `${(size / MiB / (ms / 1000)).toFixed(1)} MiB/s`;
    figure(`download of 12 MiB, origin paced at 2 MB/s per request: ${elapsedMs} ms request → complete (${rate(elapsedMs)}, ${progress.length} progress events); ` +
      `plain fetch() of 12 MiB in the page through the worker, cold: ${Math.round(plain.elapsedMs)} ms (${rate(plain.elapsedMs)}); ` +
      `Node fetch straight from the origin: ${Math.round(directMs)} ms (${rate(directMs)}); origin sent ${mib(sent)} MiB for the download`);

    await context.setOffline(true);
    const offline = await readInPage(page, path, { maxBodyBytes: 0 });
    expect(offline.error, `offline read: ${offline.error}`).toBeNull();
    expect(offline.status).toBe(200);
    expect(offline.length).toBe(size);
    expect(offline.sha256, 'offline bytes').toBe(generatedSha256(0, size));
    const tail = await readInPage(page, path, { range: `bytes=${size - 1000}-` });
    expect(tail.status).toBe(206);
    expect(tail.sha256, 'offline tail range').toBe(generatedSha256(size - 1000, size));
    figure(`offline read of the downloaded 12 MiB: ${Math.round(offline.elapsedMs)} ms`);
  });

  test('pause halfway stops storing, resume completes, and the origin sends about one file in total', async ({ swPage: page, origin }) => {
    const size = 16 * MiB;
    const path = generatedPath('pause', size, '&trickle=4000000');
    const url = new URL(path, origin.url).href;

    await workerResult(page, { type: 'download', url });
    const before = await waitForDownload(page, url, ['downloading'], { until: (p) => p.fraction >= 0.4, intervalMs: 50 });
    const paused = await workerResult<DownloadProgress>(page, { type: 'pause', url });
    expect(paused.state).toBe('paused');
    const atPause = paused.storedBytes;
    expect(atPause, 'stored at the pause').toBeGreaterThanOrEqual(before.storedBytes);
    expect(atPause, 'stored at the pause').toBeLessThan(size);

    // Writes already in flight may land just after the pause; after that, nothing more.
    await page.waitForTimeout(700);
    const settled = (await fileInfo(page, url))!;
    await page.waitForTimeout(2000);
    const later = (await fileInfo(page, url))!;
    expect(later.download?.state).toBe('paused');
    expect(later.storedBytes, `storedBytes while paused (at pause ${atPause}, settled ${settled.storedBytes})`).toBe(settled.storedBytes);
    expect(later.storedBytes - atPause, 'bytes stored after the pause returned').toBeLessThanOrEqual(2 * 512 * 1024);
    const sentWhilePaused = await origin.bytesFor(path);
    await page.waitForTimeout(1000);
    expect(await origin.bytesFor(path), 'origin bytes while paused').toBe(sentWhilePaused);

    const storedAtResume = new Set(later.storedSegments);
    let firstMissing = 0;
    while (storedAtResume.has(firstMissing)) firstMissing += 1;
    const resumeAt = Date.now();
    const resumed = await workerResult<DownloadProgress>(page, { type: 'resume', url });
    expect(['queued', 'downloading', 'complete']).toContain(resumed.state);
    const done = await waitForDownload(page, url, ['complete'], { timeoutMs: 60_000 });
    expect(done.storedBytes).toBe(size);
    expectWhole(await fileInfo(page, url), 'resumed download');

    const sent = await origin.bytesFor(path);
    const requests = await origin.requestsFor(path);
    figure(`pause/resume of 16 MiB: paused at ${mib(atPause)} MiB stored (${mib(sentWhilePaused)} MiB sent by then), ` +
      `origin sent ${mib(sent)} MiB in total (${(sent / size).toFixed(3)}× the file) in ${requests.length} requests`);
    expect(sent, 'origin bytes in total').toBeGreaterThanOrEqual(size);
    expect(sent, 'origin bytes in total (stored segments are not fetched again)').toBeLessThanOrEqual(1.1 * size);
    // After the resume, no request asks for the segments stored before it (a prefix of the file).
    const resumedRequests = requests.filter((r) => r.startedAt >= resumeAt);
    expect(resumedRequests.length, 'requests after the resume').toBeGreaterThan(0);
    for (const request of resumedRequests) {
      const start = Number(/^bytes=(\d+)-/.exec(request.range ?? '')?.[1] ?? 0);
      expect(start, `request after the resume (Range ${request.range}) starts at or after the first missing segment ${firstMissing}`).toBeGreaterThanOrEqual(firstMissing * 512 * 1024);
    }
  });

  test('reading the whole file through the worker while it downloads: the origin sends about one file', async ({ swPage: page, origin }) => {
    const size = 12 * MiB;
    const path = generatedPath('share', size, '&trickle=6000000');
    const url = new URL(path, origin.url).href;

    await workerResult(page, { type: 'download', url });
    await waitForDownload(page, url, ['downloading'], { until: (p) => p.storedBytes > 0, intervalMs: 50 });
    const read = await readInPage(page, path, { maxBodyBytes: 0 });
    expect(read.error, `read while downloading: ${read.error}`).toBeNull();
    expect(read.length).toBe(size);
    expect(read.sha256, 'bytes read while downloading').toBe(generatedSha256(0, size));
    await waitForDownload(page, url, ['complete'], { timeoutMs: 60_000 });

    const sent = await origin.bytesFor(path);
    figure(`read while downloading 12 MiB (trickled 6 MB/s): origin sent ${mib(sent)} MiB (${(sent / size).toFixed(3)}×), read took ${Math.round(read.elapsedMs)} ms`);
    expect(sent, 'origin bytes for the download and the read together').toBeLessThanOrEqual(1.1 * size);
  });

  test('SHA-256: a download with the right hash completes, with a wrong one it ends in error integrity-failed', async ({ swPage: page, origin }) => {
    const size = 3 * MiB + 12345;
    const right = new URL(generatedPath('sha-ok', size), origin.url).href;
    const wrong = new URL(generatedPath('sha-bad', size), origin.url).href;
    const sha = generatedSha256(0, size);
    const badSha = (sha[0] === '0' ? '1' : '0') + sha.slice(1);

    await workerResult(page, { type: 'download', url: right, sha256: sha.toUpperCase() });
    await workerResult(page, { type: 'download', url: wrong, sha256: badSha });
    const ok = await waitForDownload(page, right, ['complete']);
    expect(ok.storedBytes).toBe(size);
    const failed = await waitForDownload(page, wrong, ['error']);
    expect(failed.errorCode, `error: ${failed.errorMessage}`).toBe('integrity-failed');
    expect(failed.errorMessage ?? '', 'error message').not.toBe('');

    // A sha256 that is not 64 hex digits is a bad request.
    const malformed = await askWorker(page, { type: 'download', url: right, sha256: 'abc' });
    expect(malformed.ok).toBe(false);
    expect(!malformed.ok && malformed.error.code).toBe('bad-request');
  });

  test('remove: the file leaves the list, storage usage drops, and offline it no longer reads', async ({ swPage: page, context, origin }) => {
    const size = 16 * MiB;
    const path = generatedPath('remove', size);
    const url = new URL(path, origin.url).href;
    const baseline = await storageSummary(page);

    await workerResult(page, { type: 'download', url });
    await waitForDownload(page, url, ['complete']);
    const full = await storageSummary(page);
    expect(full.pinnedBytes, 'pinned bytes with the download').toBeGreaterThanOrEqual(size);
    expect(full.usageBytes - baseline.usageBytes, 'usage grew by about the file').toBeGreaterThanOrEqual(0.9 * size);

    const removed = await askWorker(page, { type: 'remove', url });
    expect(removed.ok, JSON.stringify(removed)).toBe(true);
    expect((await listFiles(page)).map((file) => file.url)).not.toContain(url);
    const after = await storageSummary(page);
    expect(after.pinnedBytes, 'pinned bytes after remove').toBe(full.pinnedBytes - size);

    // Chromium frees the blob files lazily: poll the estimate.
    const started = Date.now();
    await expect
      .poll(async () => (await storageSummary(page)).usageBytes, { timeout: 30_000, intervals: [250, 500, 1000], message: `usage drops from ${full.usageBytes}` })
      .toBeLessThan(full.usageBytes - 0.9 * size);
    const dropped = await storageSummary(page);
    figure(`remove 16 MiB: usage ${mib(baseline.usageBytes)} → ${mib(full.usageBytes)} → ${mib(dropped.usageBytes)} MiB, dropped within ${Date.now() - started} ms`);

    await context.setOffline(true);
    const offline = await readInPage(page, path, { range: 'bytes=0-1023' });
    expect(offline.error, `offline read after remove must fail, got HTTP ${offline.status} ${offline.length} bytes`).not.toBeNull();
  });

  test.describe('storage full', () => {
    test('storage full during a download (Chromium static quota: estimate() does not show it): error quota-exceeded, stored data intact, the file still plays from the network', async ({ page, context, origin }) => {
      // Once hung in about 1 run in 5 (stayed `downloading`): writing the error record itself failed
      // with QuotaExceededError and that failure was swallowed. The error state is now kept in memory
      // and announced; this test runs without retries.
      // Chromium 156 reports estimate().quota as usage + 10 GiB (StaticStorageQuota), whatever the
      // real quota: the worker cannot refuse up front, and a failing segment write is where it
      // learns there is no room. The override is set before the origin's storage is first opened
      // (IndexedDB enforces only such an override).
      const quota = 20 * MiB;
      await overrideQuota(page, quota, origin.url);
      await openControlledPage(page);
      const keptSize = 4 * MiB;
      const keptPath = generatedPath('kept-full', keptSize);
      const keptUrl = new URL(keptPath, origin.url).href;
      await workerResult(page, { type: 'download', url: keptUrl });
      await waitForDownload(page, keptUrl, ['complete']);

      const bigSize = 32 * MiB;
      const bigPath = generatedPath('full', bigSize);
      const bigUrl = new URL(bigPath, origin.url).href;
      const reply = await askWorker<DownloadProgress>(page, { type: 'download', url: bigUrl });
      if (reply.ok) {
        const outcome = await waitForDownload(page, bigUrl, ['error', 'paused'], { timeoutMs: 60_000 });
        figure(`storage full mid-download (quota ${mib(quota)} MiB): ${outcome.state} ${outcome.errorCode ?? ''} at ${mib(outcome.storedBytes)} MiB stored: "${outcome.errorMessage ?? ''}"`);
        expect(outcome.state, 'the download stops in an error state').toBe('error');
        expect(outcome.errorCode).toBe('quota-exceeded');
        expect(outcome.errorMessage ?? '', 'a clear message').toMatch(/full|room|quota|storage/i);
        expect(outcome.storedBytes, 'stored less than the file').toBeLessThan(bigSize);
      } else {
        // Refused up front is fine too (a worker that learns the real quota some other way).
        expect(reply.error.code).toBe('insufficient-quota');
        figure(`storage full: refused up front: "${reply.error.message}"`);
      }

      const kept = await fileInfo(page, keptUrl);
      expectWhole(kept, 'the file downloaded before');
      expect(kept!.download?.state).toBe('complete');
      // Playback continues from the network: a range near the end reads byte-exact.
      const online = await readInPage(page, bigPath, { range: `bytes=${bigSize - 3 * MiB}-${bigSize - 1}`, maxBodyBytes: 0 });
      expect(online.error, `online read of the file that did not fit: ${online.error}`).toBeNull();
      expect(online.sha256, 'online bytes of the file that did not fit').toBe(generatedSha256(bigSize - 3 * MiB, bigSize));

      await context.setOffline(true);
      const offline = await readInPage(page, keptPath, { maxBodyBytes: 0 });
      expect(offline.error, `offline read of the kept file: ${offline.error}`).toBeNull();
      expect(offline.sha256, 'kept file bytes offline').toBe(generatedSha256(0, keptSize));
      await overrideQuota(page, undefined);
    });
  });
});
