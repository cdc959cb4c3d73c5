import type { RangeCache } from '../cache/RangeCache.js';
import {
  backgroundFetchId,
  backgroundFetchOf,
  urlOfBackgroundFetch,
  type BackgroundFetchManagerLike,
  type BackgroundFetchRegistrationLike,
} from '../downloads/backgroundFetch.js';
import type { BackgroundDownloads, DownloadManager } from '../downloads/DownloadManager.js';
import { storeFetchedRange } from '../downloads/storeFetchedRange.js';
import { devLog } from '../devLog.js';

declare const self: ServiceWorkerGlobalScope;

/** The event the worker receives when a background fetch ends (success, fail or abort). */
interface BackgroundFetchEventLike extends ExtendableEvent {
  readonly registration: BackgroundFetchRegistrationLike;
  /** Success and fail events only: the text the browser's download UI shows. */
  updateUI?(options: { title?: string }): Promise<void>;
}

/** How long the worker waits for a page's background fetch to appear after its hand-off message. */
const APPEAR_WAIT_MS = 3000;
/**
 * How long a background fetch has to start moving bytes. Chromium lets a fetch started by a page
 * that is already closing begin paused, until the user resumes it in the download UI (its
 * permission then comes from the Automatic Downloads setting, "ask" by default): such a hand-off
 * is aborted and the worker keeps the download.
 */
const START_WAIT_MS = 6000;
const POLL_MS = 200;

/**
 * The worker's side of Background Fetch, or undefined where the browser has none. Pages start the
 * background fetches (browsers refuse them from a worker); the worker confirms or aborts them, and
 * stores their responses when they end.
 */
export function workerBackgroundFetches(): BackgroundDownloads | undefined {
  const manager = backgroundFetchOf(self.registration);
  if (!manager) return undefined;
  const id = backgroundFetchId;
  return {
    exists: async (url) => (await manager.get(id(url))) !== undefined,
    async accept(url, fromClient) {
      const started = await waitFor(manager, id(url), APPEAR_WAIT_MS, () => true);
      if (!started) return false;
      const moving = await waitFor(manager, id(url), START_WAIT_MS, (registration) => registration.downloaded > 0 || registration.result !== '');
      // Checked last: a reload or a navigation within the app has had time to open its next page.
      const others = (await self.clients.matchAll({ type: 'window' })).filter((client) => client.id !== fromClient);
      if (moving && others.length === 0) return true;
      await started.abort().catch(() => false);
      return false;
    },
    async abort(url) {
      await (await manager.get(id(url)))?.abort().catch(() => false);
    },
  };
}

/** Polls the registration `id` until `ready` holds (returns it) or `timeoutMs` passes (undefined). */
async function waitFor(
  manager: BackgroundFetchManagerLike,
  id: string,
  timeoutMs: number,
  ready: (registration: BackgroundFetchRegistrationLike) => boolean,
): Promise<BackgroundFetchRegistrationLike | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const registration = await manager.get(id);
    if (registration && ready(registration)) return registration;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Stores what our background fetches brought when they end (success, failure or abort: every
 * completed response counts), then gives the download back to the manager, which verifies and
 * completes the file or fetches what is still missing. A click on the browser's download UI opens
 * the app.
 */
export function listenForBackgroundFetches(cache: RangeCache, downloads: DownloadManager): void {
  const settle = (event: BackgroundFetchEventLike, updateTitle: boolean): void => {
    const url = urlOfBackgroundFetch(event.registration.id);
    if (url === undefined) return;
    // At once, before the worker's restart logic could start fetching the same bytes itself.
    downloads.holdForBackground(url);
    event.waitUntil(
      (async () => {
        try {
          await storeRecords(cache, url, event);
        } finally {
          await downloads.adoptBackground(url);
        }
        if (updateTitle && event.updateUI) {
          const complete = (await cache.downloads.get(url))?.state === 'complete';
          await event.updateUI({ title: complete ? 'Available offline' : 'Download paused' }).catch(() => undefined);
        }
      })(),
    );
  };
  self.addEventListener('backgroundfetchsuccess', (event) => settle(event as unknown as BackgroundFetchEventLike, true));
  self.addEventListener('backgroundfetchfail', (event) => settle(event as unknown as BackgroundFetchEventLike, true));
  self.addEventListener('backgroundfetchabort', (event) => settle(event as unknown as BackgroundFetchEventLike, false));
  self.addEventListener('backgroundfetchclick', (event) => {
    (event as unknown as ExtendableEvent).waitUntil(self.clients.openWindow(self.registration.scope).catch(() => null));
  });
}

async function storeRecords(cache: RangeCache, url: string, event: BackgroundFetchEventLike): Promise<void> {
  // A download cancelled or removed meanwhile keeps nothing.
  if (!(await cache.downloads.get(url))) return;
  for (const record of await event.registration.matchAll()) {
    const response = await record.responseReady.catch(() => undefined);
    const file = await cache.store.getFile(url);
    if (!response || !file) continue;
    const start = Number(/^bytes=(\d+)-/.exec(record.request.headers.get('Range') ?? '')?.[1] ?? 0);
    try {
      const outcome = await storeFetchedRange(cache, file, { url: record.request.url, start }, response);
      if (__DEV__ && 'rejected' in outcome) devLog('background fetch response not stored', { url, start, reason: outcome.rejected });
    } catch (error) {
      // The download goes on in the worker from what is stored (adoptBackground).
      if (__DEV__) devLog('background fetch response failed to store', { url, start, error });
    }
  }
}
