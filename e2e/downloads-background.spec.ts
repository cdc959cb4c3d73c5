/**
 * Downloads with no page open. With Background Fetch a download handed off (`continueInBackground()`,
 * or automatically as the last page closes) is fetched by the browser even with the worker stopped,
 * and the worker stores it when it ends. With another page of the app still open the worker keeps
 * the download (sharing bytes with that page); without the API (removed here by an init script)
 * downloads stay in the worker and nothing is handed off.
 */
import type { Page } from '@playwright/test';
import type { RequestRecord } from './origin/server';
import { expect, figure, openControlledPage, readInPage, stopServiceWorkers, test, uniqueTag } from './fixtures';
import { generatedSha256 } from './origin/content';
import { MiB, expectWhole, fileInfo, mib, recordCacheEvents, recordedEvents, waitForDownload, type DownloadProgress } from './workerClient';

function generatedPath(name: string, size: number, knobs = ''): string {
  return `/media/gen/${name}-${uniqueTag()}.bin?size=${size}${knobs}`;
}

type LibraryWindow = Window & {
  offlineLibrary?: {
    download(url: string): Promise<DownloadProgress>;
    pause(url: string): Promise<DownloadProgress>;
    resume(url: string): Promise<DownloadProgress>;
    continueInBackground(): Promise<string[]>;
    backgroundFetchAvailable: boolean;
  };
};

/** Starts a download through the demo's `window.offlineLibrary` (the page-side client under test). */
async function downloadThroughLibrary(page: Page, url: string): Promise<DownloadProgress> {
  return page.evaluate((target) => (window as LibraryWindow).offlineLibrary!.download(target), url);
}

async function backgroundFetchAvailable(page: Page): Promise<boolean> {
  // The library learns it from `navigator.serviceWorker.ready`, which the controlled page already has.
  await page.waitForFunction(() => (window as LibraryWindow).offlineLibrary !== undefined);
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    await new Promise((resolve) => setTimeout(resolve, 0));
    return (window as LibraryWindow).offlineLibrary!.backgroundFetchAvailable;
  });
}

async function backgroundFetchIds(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & { backgroundFetch?: { getIds(): Promise<string[]> } };
    return registration.backgroundFetch ? registration.backgroundFetch.getIds() : [];
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Background Fetch's requests carry no If-Range; the worker's own always do once the validator is known. */
function isBackgroundFetchRequest(record: RequestRecord): boolean {
  return record.ifRange === null && record.range !== null;
}

/** The origin is done with the request: sent whole, or closed by the client (an aborted request never finishes). */
function hasEnded(record: RequestRecord): boolean {
  return record.finishedAt !== null || record.aborted;
}

function describeRequests(records: RequestRecord[]): string {
  return JSON.stringify(records.map((r) => ({ range: r.range, ifRange: r.ifRange !== null, bytesSent: r.bytesSent, finished: r.finishedAt !== null, aborted: r.aborted })));
}

test.describe('downloads with no page open', () => {
  test('continueInBackground(): the browser fetches the rest with the page closed and the worker stopped; the worker stores it at the end; about one file from the origin; byte-exact offline', async ({ swPage: page, context, origin }) => {
    const size = 24 * MiB;
    const path = generatedPath('bg', size, '&trickle=3000000');
    const url = new URL(path, origin.url).href;
    expect(await backgroundFetchAvailable(page), 'Background Fetch in this Chromium').toBe(true);

    await downloadThroughLibrary(page, url);
    const before = await waitForDownload(page, url, ['downloading'], { until: (p) => p.storedBytes >= 4 * MiB, timeoutMs: 30_000 });
    const handedAt = Date.now();
    expect(await page.evaluate(() => (window as LibraryWindow).offlineLibrary!.continueInBackground())).toEqual([url]);
    // The worker confirms once the background fetch moves bytes (it stopped its own download at once).
    const confirmed = await waitForDownload(page, url, ['downloading'], { until: (p) => p.background === true, timeoutMs: 20_000 });
    const confirmedAt = Date.now();
    const confirmMs = confirmedAt - handedAt;
    // The ranges the hand-off asked Background Fetch for (the worker stopped before answering them).
    const remaining = (confirmed.remaining ?? []).map((range) => `bytes=${range.start}-${range.end}`);
    expect(remaining.length, 'ranges handed to Background Fetch').toBeGreaterThan(0);

    const blank = await context.newPage();
    await page.close();
    await stopServiceWorkers(blank);
    const stoppedAt = Date.now();
    // Background Fetch runs its requests one after another: done once every remaining range has been
    // sent whole and no request of it is still open. (A worker request aborted at the hand-off never
    // finishes, and is not one of these: it carries If-Range.)
    let seen: RequestRecord[] = [];
    const backgroundRequests = await waitFor(
      'the background fetch to fetch every remaining range with no page open',
      async () => {
        seen = (await origin.requestsFor(path)).filter((record) => record.startedAt >= handedAt && isBackgroundFetchRequest(record));
        const finished = new Set(seen.filter((record) => record.finishedAt !== null).map((record) => record.range));
        return remaining.every((range) => finished.has(range)) && seen.every(hasEnded) ? seen : undefined;
      },
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; remaining ${JSON.stringify(remaining)}; background requests ${describeRequests(seen)}`);
    });
    expect(backgroundRequests.map((record) => record.range).filter((range) => !remaining.includes(range!)), 'background requests outside the remaining ranges').toEqual([]);
    const finishedAfterStop = backgroundRequests.filter((record) => record.finishedAt !== null && record.finishedAt > stoppedAt);
    expect(finishedAfterStop.length, 'background requests still running after the worker stopped').toBeGreaterThan(0);
    const backgroundBytes = backgroundRequests.reduce((sum, record) => sum + record.bytesSent, 0);
    expect(backgroundBytes, 'bytes fetched by Background Fetch').toBeGreaterThanOrEqual(size - confirmed.storedBytes);

    // The worker wakes for the end of the background fetch and stores it: the next page finds the
    // download complete (pinned, every segment) and nothing else is fetched.
    const next = await context.newPage();
    await openControlledPage(next);
    const done = await waitForDownload(next, url, ['complete'], { timeoutMs: 30_000 });
    expect(done.storedBytes).toBe(size);
    expect(done.background, 'no longer marked as a background download').toBeUndefined();
    const file = await fileInfo(next, url);
    expectWhole(file, 'file downloaded in the background');
    expect(file!.pinned).toBe(true);
    // The registration goes once the worker's handler for its end returns, just after `complete`.
    await expect.poll(() => backgroundFetchIds(next), { message: 'background fetches left' }).toEqual([]);
    // The worker fetched nothing itself once it had confirmed the hand-off.
    const workerAfterConfirm = (await origin.requestsFor(path)).filter((record) => record.ifRange !== null && record.startedAt > confirmedAt);
    expect(workerAfterConfirm, `worker (If-Range) requests started after the confirmation: ${describeRequests(workerAfterConfirm)}`).toEqual([]);
    const sent = await origin.bytesFor(path);
    expect(sent, 'origin bytes in all').toBeLessThanOrEqual(1.1 * size);
    figure(`continueInBackground() at ${mib(before.storedBytes)} of 24 MiB: confirmed by the worker in ${confirmMs} ms; the browser fetched ${mib(backgroundBytes)} MiB in ` +
      `${backgroundRequests.length} requests, ${finishedAfterStop.length} still running after the page closed and the worker stopped; origin sent ${(sent / size).toFixed(3)}× the file in all`);

    await context.setOffline(true);
    const offline = await readInPage(next, path, { maxBodyBytes: 0 });
    expect(offline.error, `offline read: ${offline.error}`).toBeNull();
    expect(offline.length).toBe(size);
    expect(offline.sha256, 'offline bytes').toBe(generatedSha256(0, size));
  });

  test('the last page closes mid-download (beforeunload, as a user closing the tab): the download completes with no page open, about one file from the origin', async ({ swPage: page, context, origin }) => {
    const size = 16 * MiB;
    const path = generatedPath('bg-close', size, '&trickle=4000000');
    const url = new URL(path, origin.url).href;
    await downloadThroughLibrary(page, url);
    await waitForDownload(page, url, ['downloading'], { until: (p) => p.storedBytes >= 2 * MiB, timeoutMs: 30_000 });
    const blank = await context.newPage();
    const closedAt = Date.now();
    await page.close({ runBeforeUnload: true });
    // No page of the app is open until the origin has sent the whole file.
    await waitFor('the origin to send the rest of the file with no page open', async () => ((await origin.bytesFor(path)) >= size ? true : undefined), 60_000);
    const requests = (await origin.requestsFor(path)).filter((record) => record.startedAt >= closedAt);
    const byBrowser = requests.filter(isBackgroundFetchRequest).reduce((sum, record) => sum + record.bytesSent, 0);
    const byWorker = requests.filter((record) => !isBackgroundFetchRequest(record)).reduce((sum, record) => sum + record.bytesSent, 0);
    const next = await context.newPage();
    await blank.close();
    await openControlledPage(next);
    const done = await waitForDownload(next, url, ['complete'], { timeoutMs: 60_000 });
    expect(done.storedBytes).toBe(size);
    expectWhole(await fileInfo(next, url), 'file downloaded after its page closed');
    // The registration goes once the worker's handler for its end returns, just after `complete`.
    await expect.poll(() => backgroundFetchIds(next), { message: 'background fetches left' }).toEqual([]);
    const sent = await origin.bytesFor(path);
    // What the worker's window had received but not stored at the close is fetched again.
    expect(sent, 'origin bytes in all').toBeLessThanOrEqual(1.35 * size);
    figure(`last page of a 16 MiB download closed (the origin had sent ${mib(size - byBrowser - byWorker)} MiB): after the close Background Fetch fetched ${mib(byBrowser)} MiB and the worker ${mib(byWorker)} MiB ` +
      `(a closing page's background fetch may be refused or start paused in Chromium: then the worker keeps it); origin sent ${(sent / size).toFixed(3)}× the file`);
  });

  test('pause while in the background: the background fetch is aborted, the download stays paused (stored bytes kept), and resume completes it in the worker', async ({ swPage: page, origin }) => {
    const size = 24 * MiB;
    const path = generatedPath('bg-pause', size, '&trickle=2000000');
    const url = new URL(path, origin.url).href;
    await downloadThroughLibrary(page, url);
    await waitForDownload(page, url, ['downloading'], { until: (p) => p.storedBytes >= 2 * MiB, timeoutMs: 30_000 });
    expect(await page.evaluate(() => (window as LibraryWindow).offlineLibrary!.continueInBackground())).toEqual([url]);
    await waitForDownload(page, url, ['downloading'], { until: (p) => p.background === true, timeoutMs: 20_000 });

    const paused = await page.evaluate((target) => (window as LibraryWindow).offlineLibrary!.pause(target), url);
    expect(paused.state).toBe('paused');
    expect(paused.background).toBeUndefined();
    await expect.poll(() => backgroundFetchIds(page), { message: 'background fetches left after pause' }).toEqual([]);
    const held = await waitForDownload(page, url, ['paused']);
    // The registration goes before Chromium has closed its connection: wait until the origin is
    // done with every request (sent whole, or closed by the client) before counting.
    await expect
      .poll(async () => describeRequests((await origin.requestsFor(path)).filter((record) => !hasEnded(record))), { message: 'origin requests still open after the pause', timeout: 15_000 })
      .toBe('[]');
    const sentAtPause = await origin.bytesFor(path);
    await page.waitForTimeout(1500);
    expect(await origin.bytesFor(path), 'origin bytes while paused').toBe(sentAtPause);
    expect((await waitForDownload(page, url, ['paused'])).storedBytes, 'stored bytes while paused').toBeGreaterThanOrEqual(held.storedBytes);

    await page.evaluate((target) => (window as LibraryWindow).offlineLibrary!.resume(target), url);
    const done = await waitForDownload(page, url, ['complete'], { timeoutMs: 60_000 });
    expect(done.storedBytes).toBe(size);
    expectWhole(await fileInfo(page, url), 'file resumed after a background pause');
    const sent = await origin.bytesFor(path);
    expect(sent, 'origin bytes in all').toBeLessThanOrEqual(1.35 * size);
    figure(`pause while in the background and resume: origin sent ${(sent / size).toFixed(3)}× the 24 MiB file`);
  });

  test('another page of the app is still open: the worker refuses the hand-off and keeps downloading itself; about one file from the origin', async ({ swPage: page, context, origin }) => {
    const size = 16 * MiB;
    const path = generatedPath('bg-other', size, '&trickle=4000000');
    const url = new URL(path, origin.url).href;
    expect(await backgroundFetchAvailable(page)).toBe(true);
    const other = await context.newPage();
    await openControlledPage(other);
    await recordCacheEvents(other);

    await downloadThroughLibrary(page, url);
    const before = await waitForDownload(other, url, ['downloading'], { until: (p) => p.storedBytes >= 2 * MiB, timeoutMs: 30_000 });
    const handedAt = Date.now();
    expect(await page.evaluate(() => (window as LibraryWindow).offlineLibrary!.continueInBackground())).toEqual([url]);
    // The worker stopped its download before continueInBackground() returned, and goes on only
    // after it refused the hand-off: its requests from here on are its restart.
    const returnedAt = Date.now();
    await page.close();
    const done = await waitForDownload(other, url, ['complete'], { timeoutMs: 60_000 });
    expect(done.storedBytes).toBe(size);
    const progress = (await recordedEvents(other, url)).flatMap((event) => (event.progress ? [event.progress] : []));
    expect(progress.filter((p) => p.background), 'progress events marked background').toEqual([]);
    await expect.poll(() => backgroundFetchIds(other), { message: 'background fetches left' }).toEqual([]);
    // The refused background fetch is aborted: what it got before the worker aborted it depends on
    // how soon that was, so its bytes are not bounded, only that none of its requests goes on.
    const byBrowser = (record: RequestRecord): boolean => record.startedAt >= handedAt && isBackgroundFetchRequest(record);
    await expect
      .poll(async () => describeRequests((await origin.requestsFor(path)).filter((record) => byBrowser(record) && !hasEnded(record))), {
        message: 'background fetch requests still open after the refusal',
        timeout: 15_000,
      })
      .toBe('[]');
    const requests = await origin.requestsFor(path);
    const browserBytes = requests.filter(byBrowser).reduce((sum, record) => sum + record.bytesSent, 0);
    const worker = requests.filter((record) => !byBrowser(record));
    const workerBytes = worker.reduce((sum, record) => sum + record.bytesSent, 0);
    const restart = worker.filter((record) => record.startedAt >= returnedAt);
    const restartBytes = restart.reduce((sum, record) => sum + record.bytesSent, 0);
    // The worker's restart asks for missing segments only, each once: never what was stored before.
    expect(restartBytes, `origin bytes of the worker's requests after the refusal (${mib(before.storedBytes)} MiB were stored before the hand-off): ${describeRequests(restart)}`)
      .toBeLessThanOrEqual(size - before.storedBytes);
    // In all: the file once, plus the windows the worker had in flight when it stopped for the
    // hand-off, however far they had got (a window is stored whole or not at all, so they are
    // fetched again; two are in flight at most: its last two requests before the hand-off).
    const inFlight = worker.filter((record) => record.startedAt < returnedAt).slice(-2);
    const inFlightBytes = inFlight.reduce((sum, record) => sum + record.bytesPlanned, 0);
    expect(workerBytes, `origin bytes of the worker's own requests (windows in flight at the hand-off: ${mib(inFlightBytes)} MiB): ${describeRequests(worker)}`)
      .toBeLessThanOrEqual(size + inFlightBytes);
    const sent = await origin.bytesFor(path);
    figure(`hand-off asked with another page of the app open: refused, the worker kept the download and fetched ${(workerBytes / size).toFixed(3)}× the 16 MiB file ` +
      `(${mib(restartBytes)} MiB after the refusal; ${mib(before.storedBytes)}+ MiB were stored before, ${mib(inFlightBytes)} MiB of windows in flight); ` +
      `the refused background fetch got ${mib(browserBytes)} MiB in ${requests.filter(byBrowser).length} request(s) before it was aborted; origin sent ${(sent / size).toFixed(3)}× the file in all`);
  });

  test('without Background Fetch: nothing is handed off, and the worker goes on with the download after the page closes', async ({ page, context, origin }) => {
    const size = 12 * MiB;
    const path = generatedPath('no-bg', size, '&trickle=4000000');
    const url = new URL(path, origin.url).href;
    await page.addInitScript(() => {
      Object.defineProperty(ServiceWorkerRegistration.prototype, 'backgroundFetch', { configurable: true, get: () => undefined });
    });
    await openControlledPage(page);
    expect(await backgroundFetchAvailable(page), 'the library sees no Background Fetch').toBe(false);

    await downloadThroughLibrary(page, url);
    await waitForDownload(page, url, ['downloading'], { until: (p) => p.storedBytes >= 2 * MiB, timeoutMs: 30_000 });
    expect(await page.evaluate(() => (window as LibraryWindow).offlineLibrary!.continueInBackground()), 'handed off').toEqual([]);
    const blank = await context.newPage();
    await page.close({ runBeforeUnload: true });
    await waitFor('the worker to fetch the rest with no page open', async () => ((await origin.bytesFor(path)) >= size ? true : undefined), 60_000);
    const next = await context.newPage();
    await blank.close();
    await openControlledPage(next);
    expect(await backgroundFetchIds(next), 'no background fetch was started').toEqual([]);
    const done = await waitForDownload(next, url, ['complete'], { timeoutMs: 60_000 });
    expect(done.storedBytes).toBe(size);
    const requests = await origin.requestsFor(path);
    expect(requests.slice(1).every((record) => record.ifRange !== null), 'every request after the first is the worker\'s (If-Range)').toBe(true);
    const sent = await origin.bytesFor(path);
    expect(sent, 'origin bytes').toBeLessThanOrEqual(1.1 * size);
  });
});
