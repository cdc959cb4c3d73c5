/**
 * Downloads across browser restarts: `launchPersistentContext` on one profile directory, closed
 * mid-download and relaunched (the worker resumes the interrupted download from the stored
 * segments), then closed after completion and relaunched offline (the file still reads back); and
 * the browser killed (SIGKILL) mid-write: after the restart no partial segment is visible.
 */
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import config from '../playwright.config';
import { expect, figure, makeOrigin, readInPage, test, uniqueTag } from './fixtures';
import { generatedSha256 } from './origin/content';
import { MiB, expectWhole, fileInfo, mib, waitForDownload, workerResult } from './workerClient';

const SEGMENT = 512 * 1024;

async function launch(profile: string): Promise<BrowserContext> {
  const launchOptions = config.use?.launchOptions ?? {};
  return chromium.launchPersistentContext(profile, {
    executablePath: launchOptions.executablePath,
    args: launchOptions.args,
    serviceWorkers: 'allow',
  });
}

/** SIGKILLs every process whose command line mentions `text` (Linux /proc); returns how many. */
function killProcessesMentioning(text: string): number {
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) continue;
      process.kill(Number(entry), 'SIGKILL');
      killed += 1;
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return killed;
}

/** Opens the app at the origin and waits until the worker controls it. */
async function openApp(context: BrowserContext, originUrl: string): Promise<Page> {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${originUrl}/`);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  return page;
}

test.describe('downloads across browser restarts', () => {
  let profile: string;
  test.beforeEach(() => {
    profile = mkdtempSync(join(tmpdir(), 'media-range-cache-profile-'));
  });
  test.afterEach(() => {
    rmSync(profile, { recursive: true, force: true });
  });

  test('closed mid-download, relaunched: the download resumes from stored segments; after completion it reads back offline after another restart', async () => {
    test.setTimeout(240_000);
    const origin = makeOrigin();
    const size = 24 * MiB;
    const path = `/media/gen/restart-${uniqueTag()}.bin?size=${size}&trickle=3000000`;
    const url = `${origin.url}${path}`;

    // 1. Start the download, close the browser partway.
    let context = await launch(profile);
    let page = await openApp(context, origin.url);
    await workerResult(page, { type: 'download', url });
    const beforeClose = await waitForDownload(page, url, ['downloading'], { until: (p) => p.fraction >= 0.3, intervalMs: 100, timeoutMs: 60_000 });
    expect(beforeClose.fraction, 'closed mid-download').toBeLessThanOrEqual(0.8);
    // Segments stored by now stay stored; the windows in flight may land out of order, so what is
    // stored need not be a prefix: the first segment missing from it is where a resume may start.
    const storedBeforeClose = new Set((await fileInfo(page, url))!.storedSegments);
    let firstMissing = 0;
    while (storedBeforeClose.has(firstMissing)) firstMissing += 1;
    await context.close();
    const closedAt = Date.now();
    const sentBeforeRestart = await origin.bytesFor(path);

    // 2. Relaunch on the same profile and open the app: the worker restarts the download.
    context = await launch(profile);
    page = await openApp(context, origin.url);
    const reopened = await fileInfo(page, url);
    expect(reopened?.download, 'the download survived the restart').toBeDefined();
    expect(reopened!.storedBytes, 'segments stored before the restart are still there').toBeGreaterThanOrEqual(beforeClose.storedBytes);
    // The download resumes from the first missing segment (the worker resumes as soon as it starts,
    // so the list read after the relaunch may already show more: the one read before the close counts).
    const done = await waitForDownload(page, url, ['complete'], { timeoutMs: 120_000, intervalMs: 250 });
    expect(done.storedBytes).toBe(size);
    expectWhole(await fileInfo(page, url), 'resumed download');

    const sent = await origin.bytesFor(path);
    const after = (await origin.requestsFor(path)).filter((request) => request.startedAt >= closedAt);
    expect(after.length, 'requests after the restart').toBeGreaterThan(0);
    for (const request of after) {
      const start = Number(/^bytes=(\d+)-/.exec(request.range ?? '')?.[1] ?? 0);
      expect(start, `request after the restart (Range ${request.range}) does not ask again for the first ${firstMissing} segments, stored before the close`).toBeGreaterThanOrEqual(firstMissing * SEGMENT);
    }
    figure(`restart mid-download of 24 MiB (trickled 3 MB/s): closed at ${mib(beforeClose.storedBytes)} MiB stored (${mib(sentBeforeRestart)} MiB sent; first missing segment ${firstMissing} of the list read before the close), ` +
      `${mib(reopened!.storedBytes)} MiB stored after relaunch; origin sent ${mib(sent)} MiB in total (${(sent / size).toFixed(3)}× the file)`);
    expect(sent, 'origin bytes in total').toBeLessThanOrEqual(1.25 * size);

    // 3. Close after completion, relaunch offline: the app opens and the file reads back byte-exact.
    await context.close();
    context = await launch(profile);
    try {
      await context.setOffline(true);
      page = await openApp(context, origin.url);
      const offline = await readInPage(page, path, { maxBodyBytes: 0 });
      expect(offline.error, `offline read after the restart: ${offline.error}`).toBeNull();
      expect(offline.status).toBe(200);
      expect(offline.length).toBe(size);
      expect(offline.sha256, 'offline bytes after the restart').toBe(generatedSha256(0, size));
      const seek = await readInPage(page, path, { range: `bytes=${size - 777_777}-${size - 1000}` });
      expect(seek.status).toBe(206);
      expect(seek.sha256, 'offline range near the end').toBe(generatedSha256(size - 777_777, size - 999));
      const info = await fileInfo(page, url);
      expect(info?.download?.state).toBe('complete');
      expect(info?.pinned).toBe(true);
    } finally {
      await context.close();
    }
  });

  test('the browser killed (SIGKILL) mid-download: after the restart every visible segment is complete and exact, and the download completes', async () => {
    test.setTimeout(240_000);
    const origin = makeOrigin();
    const size = 24 * MiB;
    const path = `/media/gen/killed-${uniqueTag()}.bin?size=${size}&trickle=3000000`;
    const url = `${origin.url}${path}`;

    let context = await launch(profile);
    let page = await openApp(context, origin.url);
    await workerResult(page, { type: 'download', url });
    const beforeKill = await waitForDownload(page, url, ['downloading'], { until: (p) => p.fraction >= 0.25, intervalMs: 100, timeoutMs: 60_000 });
    // Every process of this profile, at once, mid-transfer and mid-write: no shutdown of any kind.
    expect(killProcessesMentioning(profile), 'browser processes killed').toBeGreaterThan(0);
    await Promise.race([context.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5000))]);

    context = await launch(profile);
    try {
      page = await openApp(context, origin.url);
      // Straight from IndexedDB, before the resumed download adds more: each segment the file record
      // marks exists, has its full length and the file's bytes; no record is unmarked.
      const records = await page.evaluate(async (target) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open('media-range-cache');
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        const read = <T>(request: IDBRequest): Promise<T> => new Promise((resolve, reject) => {
          request.onsuccess = () => resolve(request.result as T);
          request.onerror = () => reject(request.error);
        });
        const tx = db.transaction(['files', 'segments']);
        const file = await read<{ segmentBitmap: Uint8Array; segmentSizeBytes: number; sizeBytes: number }>(tx.objectStore('files').get(target));
        const segments = await read<Array<{ index: number; sizeBytes: number; blob: Blob }>>(
          tx.objectStore('segments').getAll(IDBKeyRange.bound([target, 0], [target, Number.MAX_SAFE_INTEGER])),
        );
        const hex = (buffer: ArrayBuffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
        const out = [];
        for (const segment of segments) {
          out.push({ index: segment.index, sizeBytes: segment.sizeBytes, blobSize: segment.blob.size, sha256: hex(await crypto.subtle.digest('SHA-256', await segment.blob.arrayBuffer())) });
        }
        db.close();
        // The file record marks stored segments in a bitmap: bit i % 8 of byte i >> 3.
        const listed = Array.from({ length: file.segmentBitmap.length * 8 }, (_, index) => index).filter((index) => (file.segmentBitmap[index >> 3]! & (1 << (index & 7))) !== 0);
        return { listed, segmentSizeBytes: file.segmentSizeBytes, sizeBytes: file.sizeBytes, segments: out };
      }, url);
      expect(records.segments.length, 'segments stored before the kill').toBeGreaterThan(0);
      for (const segment of records.segments) {
        const start = segment.index * records.segmentSizeBytes;
        const end = Math.min(records.sizeBytes, start + records.segmentSizeBytes);
        expect(segment.blobSize, `segment ${segment.index} length`).toBe(end - start);
        expect(segment.sizeBytes, `segment ${segment.index} recorded length`).toBe(end - start);
        expect(segment.sha256, `segment ${segment.index} bytes`).toBe(generatedSha256(start, end));
      }
      const recorded = records.segments.map((segment) => segment.index).sort((a, b) => a - b);
      // A segment counts only when its record and the file record's mark were committed together.
      expect(recorded, 'segment records = the segments the file record marks').toEqual(records.listed);

      const done = await waitForDownload(page, url, ['complete'], { timeoutMs: 120_000, intervalMs: 250 });
      expect(done.storedBytes).toBe(size);
      const whole = await readInPage(page, path, { maxBodyBytes: 0 });
      expect(whole.sha256, 'the whole file after the kill and the resume').toBe(generatedSha256(0, size));
      figure(`browser killed at ${mib(beforeKill.storedBytes)} MiB of 24 MiB: ${records.segments.length} segments visible after the restart, each complete and exact; the download resumed and completed`);
    } finally {
      await context.close();
    }
  });
});
