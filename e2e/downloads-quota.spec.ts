/**
 * Downloads against a small storage quota, set with CDP `Storage.overrideQuotaForOrigin`. Chromium
 * 156 reports `navigator.storage.estimate().quota` as usage + 10 GiB (the StaticStorageQuota
 * feature, against fingerprinting) whatever the real quota, so the worker's budget (0.5 × quota)
 * and its up-front refusal only see an override with that feature off: this file's browser runs
 * with `--disable-features=StaticStorageQuota`. (downloads.spec.ts covers the default: storage
 * full at write time.)
 */
import config from '../playwright.config';
import { expect, figure, readInPage, test, uniqueTag } from './fixtures';
import { generatedSha256 } from './origin/content';
import {
  MiB,
  askWorker,
  expectWhole,
  fileInfo,
  listFiles,
  mib,
  overrideQuota,
  storageSummary,
  waitForDownload,
  workerResult,
  type DownloadProgress,
} from './workerClient';

const launchOptions = config.use?.launchOptions ?? {};
test.use({ launchOptions: { ...launchOptions, args: [...(launchOptions.args ?? []), '--disable-features=StaticStorageQuota'] } });

function generatedPath(name: string, size: number, knobs = ''): string {
  return `/media/gen/${name}-${uniqueTag()}.bin?size=${size}${knobs}`;
}

test.describe('downloads under a small quota', () => {
  test('eviction under a small budget: the least recently streamed file goes, the pinned one keeps every segment', async ({ swPage: page, origin }) => {
    // Quota 64 MiB → cache budget 32 MiB for streamed files.
    const quota = 64 * MiB;
    await overrideQuota(page, quota);
    const summary = await storageSummary(page);
    expect(summary.quotaBytes, 'quota the worker sees after the override').toBeLessThanOrEqual(quota);
    expect(summary.cacheBudgetBytes, 'cache budget').toBe(Math.floor(summary.quotaBytes * 0.5));
    const budget = summary.cacheBudgetBytes;

    const pinnedSize = 8 * MiB;
    const pinnedPath = generatedPath('pinned', pinnedSize);
    const pinnedUrl = new URL(pinnedPath, origin.url).href;
    await workerResult(page, { type: 'download', url: pinnedUrl });
    await waitForDownload(page, pinnedUrl, ['complete']);

    // Two streamed files that together exceed the budget, each alone within it.
    const streamedSize = Math.ceil((0.6 * budget) / (512 * 1024)) * 512 * 1024;
    const older = generatedPath('older', streamedSize);
    const newer = generatedPath('newer', streamedSize);
    const olderUrl = new URL(older, origin.url).href;
    const newerUrl = new URL(newer, origin.url).href;
    const first = await readInPage(page, older, { maxBodyBytes: 0 });
    expect(first.error).toBeNull();
    await expect.poll(async () => (await fileInfo(page, olderUrl))?.storedBytes ?? 0, { message: 'older file stored' }).toBe(streamedSize);
    await page.waitForTimeout(50);
    const second = await readInPage(page, newer, { maxBodyBytes: 0 });
    expect(second.error).toBeNull();

    // The budget is enforced at most twice a second after stored data changes.
    await expect
      .poll(async () => (await fileInfo(page, olderUrl))?.storedBytes ?? 0, { timeout: 15_000, message: 'the least recently used streamed file is evicted' })
      .toBeLessThan(streamedSize);
    const pinned = (await listFiles(page)).find((file) => file.url === pinnedUrl);
    expectWhole(pinned, 'pinned file');
    expect(pinned!.pinned).toBe(true);
    // The newer file's last writes may land after the eviction began: it ends up whole, and stays.
    await expect
      .poll(async () => (await fileInfo(page, newerUrl))?.storedBytes ?? 0, { timeout: 15_000, message: 'the recently streamed file stays' })
      .toBe(streamedSize);
    // Those late writes may take the cache over the budget until its next enforcement.
    await expect
      .poll(async () => (await storageSummary(page)).cacheBytes, { timeout: 15_000, message: 'cache bytes within the budget' })
      .toBeLessThanOrEqual(budget);
    expect((await fileInfo(page, newerUrl))?.storedBytes ?? 0, 'the recently streamed file stays once the budget is met').toBe(streamedSize);
    expectWhole(await fileInfo(page, pinnedUrl), 'pinned file once the budget is met');
    const after = await storageSummary(page);
    figure(`eviction: quota ${mib(summary.quotaBytes)} MiB, budget ${mib(budget)} MiB, streamed 2 × ${mib(streamedSize)} MiB → cache ${mib(after.cacheBytes)} MiB, pinned ${mib(after.pinnedBytes)} MiB`);
    await overrideQuota(page, undefined);
  });

  test('a download that cannot fit is refused with insufficient-quota, and what was stored stays intact and plays offline', async ({ swPage: page, context, origin }) => {
    const keptSize = 4 * MiB;
    const keptPath = generatedPath('kept', keptSize);
    const keptUrl = new URL(keptPath, origin.url).href;
    await workerResult(page, { type: 'download', url: keptUrl });
    await waitForDownload(page, keptUrl, ['complete']);

    const { usageBytes } = await storageSummary(page);
    await overrideQuota(page, usageBytes + 8 * MiB);
    const summary = await storageSummary(page);
    expect(summary.quotaBytes, 'quota after the override').toBeLessThanOrEqual(usageBytes + 8 * MiB);

    const bigSize = 32 * MiB;
    const bigPath = generatedPath('big', bigSize);
    const bigUrl = new URL(bigPath, origin.url).href;
    const reply = await askWorker<DownloadProgress>(page, { type: 'download', url: bigUrl });
    expect(reply.ok, `download of 32 MiB with ${mib(summary.quotaBytes - summary.usageBytes)} MiB free: ${JSON.stringify(reply)}`).toBe(false);
    const error = (reply as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('insufficient-quota');
    expect(error.message, 'a clear message').toMatch(/does not fit|storage|quota/i);
    figure(`refused download: "${error.message}"`);

    const files = await listFiles(page);
    const big = files.find((file) => file.url === bigUrl);
    expect(big?.download, 'no download record for the refused file').toBeUndefined();
    expect(big?.pinned ?? false, 'the refused file is not pinned').toBe(false);
    expectWhole(files.find((file) => file.url === keptUrl), 'the file downloaded before');
    expect((await fileInfo(page, keptUrl))!.download?.state).toBe('complete');

    await context.setOffline(true);
    const offline = await readInPage(page, keptPath, { maxBodyBytes: 0 });
    expect(offline.error, `offline read of the kept file: ${offline.error}`).toBeNull();
    expect(offline.sha256, 'kept file bytes offline').toBe(generatedSha256(0, keptSize));
    await overrideQuota(page, undefined);
  });
});
