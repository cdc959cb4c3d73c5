/**
 * The demo's lecture library, through its UI (test hooks documented at the top of
 * src/demo/main.ts): download a lecture and watch its progress bar reach 100 and "Available
 * offline"; offline, reload the app, play the lecture and seek near its end; Delete empties its
 * cache map and frees its storage.
 */
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, figure, test } from './fixtures';
import type { Lecture } from '../src/demo/catalogue';
import { repoRoot } from './sources';
import { waitForStoredBytes } from './workerClient';

const catalogue = JSON.parse(readFileSync(resolve(repoRoot, 'public', 'lectures.json'), 'utf8')) as Lecture[];
// A WebM lecture: VP8/VP9 play in every Chromium build, and it is small enough to download quickly.
const lecture = catalogue.find((entry) => entry.type === 'video/webm') ?? catalogue[0]!;

async function openLibrary(page: Page): Promise<void> {
  await page.goto(`/#${lecture.id}`);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  await expect(page.locator('#worker-status')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
}

test.describe('lecture library (demo UI)', () => {
  test('Download → progress 100 and "Available offline"; offline reload plays and seeks; Delete empties the cache map', async ({ page, context }, testInfo) => {
    test.setTimeout(120_000);
    await openLibrary(page);
    const card = page.getByRole('article', { name: lecture.title });
    await expect(card).toBeVisible();
    await expect(card).toHaveAttribute('data-lecture-id', lecture.id);
    const progressbar = card.getByRole('progressbar', { name: 'Download progress' });
    const status = card.getByTestId('download-status');
    const cacheMap = card.getByTestId('cache-map');

    // Record every aria-valuenow the progress bar shows.
    await card.evaluate((article) => {
      const seen: string[] = [];
      (window as unknown as { __progressValues: string[] }).__progressValues = seen;
      new MutationObserver(() => {
        const bar = article.querySelector('[role="progressbar"]');
        const value = bar?.getAttribute('aria-valuenow');
        if (value !== null && value !== undefined && seen.at(-1) !== value) seen.push(value);
      }).observe(article, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow', 'hidden'] });
    });

    const started = Date.now();
    await card.getByRole('button', { name: 'Download', exact: true }).click();
    await expect(progressbar).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
    await expect(status).toContainText('Available offline', { timeout: 30_000 });
    const elapsedMs = Date.now() - started;
    await expect(card).toHaveAttribute('data-download-state', 'complete');
    await expect(card.getByRole('button', { name: 'Delete', exact: true })).toBeVisible();
    await expect(card.getByRole('button', { name: 'Download', exact: true })).toHaveCount(0);
    await expect(cacheMap).toHaveAttribute('data-pinned', 'true');
    const segmentCount = await cacheMap.getAttribute('data-segment-count');
    await expect(cacheMap).toHaveAttribute('data-stored-segments', segmentCount!);
    expect(Number(segmentCount)).toBe(Math.ceil(lecture.sizeBytes / (512 * 1024)));
    const values = await page.evaluate(() => (window as unknown as { __progressValues: string[] }).__progressValues);
    expect(values.map(Number).every((value, i, all) => i === 0 || value >= all[i - 1]!), `progress values never fall: ${values.join(', ')}`).toBe(true);
    figure(`UI download of ${lecture.id} (${(lecture.sizeBytes / 1024 / 1024).toFixed(2)} MiB): ${elapsedMs} ms to "Available offline"; progress bar showed ${values.join(' → ')}`);

    await testInfo.attach('library-with-completed-download', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
    const meter = page.getByTestId('storage-meter');
    await expect
      .poll(async () => Number(await meter.getAttribute('data-pinned-bytes')), { message: 'storage meter: pinned bytes' })
      .toBeGreaterThanOrEqual(lecture.sizeBytes);

    // Offline: the app reopens from the precached shell, and the lecture plays from storage.
    await context.setOffline(true);
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await expect(page.locator('#connection-badge')).toHaveAttribute('data-state', 'offline');
    await expect(card).toHaveAttribute('data-download-state', 'complete', { timeout: 15_000 });
    await expect(status).toContainText('Available offline');
    const player = page.locator('#player');
    await expect(player).toHaveAttribute('src', new RegExp(`${lecture.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    await player.evaluate(async (element: HTMLMediaElement) => {
      element.muted = true;
      await element.play();
    });
    await page.waitForFunction(() => (document.getElementById('player') as HTMLMediaElement).currentTime >= 1, undefined, { timeout: 30_000 });
    const duration = await player.evaluate((element: HTMLMediaElement) => element.duration);
    expect(duration, 'duration offline').toBeGreaterThan(lecture.durationSeconds - 2);
    const target = duration - 4;
    await player.evaluate((element: HTMLMediaElement, at: number) => {
      (window as unknown as { __seeked: boolean }).__seeked = false;
      element.addEventListener('seeked', () => ((window as unknown as { __seeked: boolean }).__seeked = true), { once: true });
      element.currentTime = at;
    }, target);
    await page.waitForFunction(
      (at) => {
        const element = document.getElementById('player') as HTMLMediaElement;
        if (element.error) throw new Error(`media error ${element.error.code}: ${element.error.message}`);
        return (window as unknown as { __seeked: boolean }).__seeked && (element.currentTime >= at + 1 || element.ended);
      },
      target,
      { timeout: 30_000 },
    );
    await expect(page.getByTestId('player-notice')).toBeHidden();
    await player.evaluate((element: HTMLMediaElement) => element.pause());

    // Delete: the cache map empties, the download is gone, the storage it used is freed.
    const pinnedBefore = Number(await meter.getAttribute('data-pinned-bytes'));
    await card.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(cacheMap).toHaveAttribute('data-stored-segments', '0', { timeout: 15_000 });
    await expect(cacheMap.locator('.cell[data-fill="full"], .cell[data-fill="partial"]')).toHaveCount(0);
    await expect(card).toHaveAttribute('data-download-state', 'none');
    await expect(card.getByRole('button', { name: 'Download', exact: true })).toBeVisible();
    await expect(progressbar).toBeHidden();
    await expect
      .poll(async () => Number(await meter.getAttribute('data-pinned-bytes')), { timeout: 15_000, message: 'storage meter: pinned bytes after Delete' })
      .toBeLessThanOrEqual(pinnedBefore - lecture.sizeBytes);
    const files = await page.evaluate(async () => {
      // The demo exposes its OfflineLibrary for scripts (see the hooks in src/demo/main.ts).
      const { offlineLibrary } = window as unknown as { offlineLibrary: { list(): Promise<Array<{ url: string }>> } };
      return (await offlineLibrary.list()).map((file) => file.url);
    });
    expect(files, 'the worker no longer lists the lecture').not.toContain(new URL(lecture.url, page.url()).href);
  });

  test('"Remove everything" (OfflineLibrary.clear): every download and every streamed byte is gone, and storage usage drops', async ({ page, origin }) => {
    test.setTimeout(120_000);
    await openLibrary(page);
    const card = page.getByRole('article', { name: lecture.title });
    await card.getByRole('button', { name: 'Download', exact: true }).click();
    await expect(card).toHaveAttribute('data-download-state', 'complete', { timeout: 60_000 });
    // A file only streamed, besides the download.
    const streamed = `/media/gen/streamed-${Date.now().toString(36)}.bin?size=${4 * 1024 * 1024}`;
    await page.evaluate(async (path) => void (await (await fetch(path)).arrayBuffer()), streamed);
    const streamedUrl = new URL(streamed, origin.url).href;
    const listed = () =>
      page.evaluate(async () => {
        const { offlineLibrary } = window as unknown as { offlineLibrary: { list(): Promise<Array<{ url: string; storedBytes: number }>> } };
        return (await offlineLibrary.list()).filter((file) => file.storedBytes > 0).map((file) => file.url);
      });
    await expect.poll(listed, { message: 'stored before' }).toEqual(expect.arrayContaining([new URL(lecture.url, page.url()).href, streamedUrl]));
    // Writes trail reads: all of the streamed file stored before usage is measured.
    await waitForStoredBytes(page, streamedUrl, 4 * 1024 * 1024);
    const usage = () => page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    const before = await usage();

    await page.getByRole('button', { name: 'Remove everything' }).click();
    await expect(card).toHaveAttribute('data-download-state', 'none', { timeout: 15_000 });
    await expect(card.getByTestId('cache-map')).toHaveAttribute('data-stored-segments', '0');
    expect(await listed(), 'nothing listed').toEqual([]);
    const freed = lecture.sizeBytes + 4 * 1024 * 1024;
    await expect.poll(usage, { message: `usage drops from ${before} by the stored bytes`, timeout: 15_000 }).toBeLessThanOrEqual(before - freed * 0.9);
    const downloads = await page.evaluate(async () => {
      const { offlineLibrary } = window as unknown as { offlineLibrary: { list(): Promise<Array<{ download?: unknown }>> } };
      return (await offlineLibrary.list()).filter((file) => file.download !== undefined).length;
    });
    expect(downloads, 'no download left').toBe(0);
    figure(`Remove everything: usage ${(before / 1024 / 1024).toFixed(2)} → ${((await usage()) / 1024 / 1024).toFixed(2)} MiB`);
  });
});
