/**
 * Downloads across browser restarts: `launchPersistentContext` on one profile directory, closed
 * mid-download and relaunched (the worker resumes the interrupted download from the stored
 * segments), then closed after completion and relaunched offline (the file still reads back).
 */
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
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
    await context.close();
    const closedAt = Date.now();
    const sentBeforeRestart = await origin.bytesFor(path);

    // 2. Relaunch on the same profile and open the app: the worker restarts the download.
    context = await launch(profile);
    page = await openApp(context, origin.url);
    const reopened = await fileInfo(page, url);
    expect(reopened?.download, 'the download survived the restart').toBeDefined();
    expect(reopened!.storedBytes, 'segments stored before the restart are still there').toBeGreaterThanOrEqual(beforeClose.storedBytes);
    // The download runs segment after segment from the first missing one: what was stored before the
    // close is a prefix at least this long (the worker resumes as soon as it starts, so the list
    // read after the relaunch may already show more).
    const storedPrefix = Math.floor(beforeClose.storedBytes / SEGMENT);
    const done = await waitForDownload(page, url, ['complete'], { timeoutMs: 120_000, intervalMs: 250 });
    expect(done.storedBytes).toBe(size);
    expectWhole(await fileInfo(page, url), 'resumed download');

    const sent = await origin.bytesFor(path);
    const after = (await origin.requestsFor(path)).filter((request) => request.startedAt >= closedAt);
    expect(after.length, 'requests after the restart').toBeGreaterThan(0);
    for (const request of after) {
      const start = Number(/^bytes=(\d+)-/.exec(request.range ?? '')?.[1] ?? 0);
      expect(start, `request after the restart (Range ${request.range}) does not ask again for the ${storedPrefix} segments stored before the close`).toBeGreaterThanOrEqual(storedPrefix * SEGMENT);
    }
    figure(`restart mid-download of 24 MiB (trickled 3 MB/s): closed at ${mib(beforeClose.storedBytes)} MiB stored (${mib(sentBeforeRestart)} MiB sent), ` +
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
});
