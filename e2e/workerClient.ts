/**
 * Talks to the service worker from a test page with the raw page ↔ worker protocol
 * (src/lib/messages.ts): a request with a reply port, and the events on the BroadcastChannel.
 * Raw messages rather than the demo's `window.offlineLibrary`, so protocol tests do not depend on
 * the demo page.
 */
import type { CDPSession, Page } from '@playwright/test';
import type { CacheMetrics, DownloadProgress, DownloadState, StorageSummary, StoredFileInfo, WorkerRequest } from '../src/lib/messages';
import { expect } from './fixtures';

export const MiB = 1024 * 1024;

// The protocol's own types: a test that disagrees with the product fails to compile.
export type { CacheMetrics, DownloadProgress, DownloadState, StorageSummary, StoredFileInfo, WorkerRequest } from '../src/lib/messages';

export type WorkerReply<T> = { ok: true; result: T } | { ok: false; error: { code: string; message: string } };

/** Sends one request to the active worker and returns its reply (never throws on a worker error). */
export async function askWorker<T = unknown>(page: Page, request: WorkerRequest, timeoutMs = 20_000): Promise<WorkerReply<T>> {
  return page.evaluate(
    async ({ request, timeoutMs }) => {
      const registration = await navigator.serviceWorker.ready;
      const worker = registration.active;
      if (!worker) throw new Error('no active service worker');
      const channel = new MessageChannel();
      const reply = new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply to ${request.type} within ${timeoutMs} ms`)), timeoutMs);
        channel.port1.onmessage = (event) => {
          clearTimeout(timer);
          resolve(event.data);
        };
      });
      worker.postMessage({ kind: 'media-range-cache/v1', request }, [channel.port2]);
      const data = (await reply) as { kind: string; ok: boolean; result?: unknown; error?: { code: string; message: string } };
      channel.port1.close();
      return data.ok ? { ok: true as const, result: data.result } : { ok: false as const, error: data.error! };
    },
    { request, timeoutMs },
  ) as Promise<WorkerReply<T>>;
}

/** Like askWorker, but expects success and returns the result. */
export async function workerResult<T>(page: Page, request: WorkerRequest): Promise<T> {
  const reply = await askWorker<T>(page, request);
  if (!reply.ok) throw new Error(`${request.type} failed: ${reply.error.code}: ${reply.error.message}`);
  return reply.result;
}

export const listFiles = (page: Page): Promise<StoredFileInfo[]> => workerResult<StoredFileInfo[]>(page, { type: 'list' });
export const storageSummary = (page: Page): Promise<StorageSummary> => workerResult<StorageSummary>(page, { type: 'storage' });
export const cacheMetrics = (page: Page): Promise<CacheMetrics> => workerResult<CacheMetrics>(page, { type: 'metrics' });

export async function fileInfo(page: Page, url: string): Promise<StoredFileInfo | undefined> {
  return (await listFiles(page)).find((file) => file.url === url);
}

/** One event seen on the BroadcastChannel, with the page's clock (ms since recording started). */
export interface RecordedEvent {
  atMs: number;
  type: 'progress' | 'file-changed' | 'file-removed';
  url: string;
  progress?: DownloadProgress;
}

/** Starts recording the worker's BroadcastChannel events in the page (`window.__cacheEvents`). */
export async function recordCacheEvents(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __cacheEvents?: unknown[]; __cacheChannel?: BroadcastChannel };
    if (w.__cacheChannel) return;
    const events: unknown[] = [];
    const started = performance.now();
    w.__cacheEvents = events;
    w.__cacheChannel = new BroadcastChannel('media-range-cache');
    w.__cacheChannel.onmessage = (event: MessageEvent) => {
      const data = event.data as { kind?: string; type?: string; url?: string; progress?: { url: string } };
      if (data?.kind !== 'media-range-cache/v1') return;
      events.push({
        atMs: Math.round(performance.now() - started),
        type: data.type,
        url: data.progress?.url ?? data.url,
        ...(data.progress ? { progress: data.progress } : {}),
      });
    };
  });
}

export async function recordedEvents(page: Page, url?: string): Promise<RecordedEvent[]> {
  const events = await page.evaluate(() => ((window as unknown as { __cacheEvents?: unknown[] }).__cacheEvents ?? []) as unknown[]);
  return (events as RecordedEvent[]).filter((event) => url === undefined || event.url === url);
}

/** The download state of `url` as `list` reports it (undefined when there is no download). */
export async function downloadOf(page: Page, url: string): Promise<DownloadProgress | undefined> {
  return (await fileInfo(page, url))?.download;
}

/**
 * Polls `list` until the download of `url` is in one of `states`; fails early when it reaches a
 * final state that is not wanted.
 */
export async function waitForDownload(
  page: Page,
  url: string,
  states: DownloadState[],
  options: { timeoutMs?: number; until?: (progress: DownloadProgress) => boolean; intervalMs?: number } = {},
): Promise<DownloadProgress> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: DownloadProgress | undefined;
  for (;;) {
    last = await downloadOf(page, url);
    if (last && states.includes(last.state) && (options.until?.(last) ?? true)) return last;
    if (last && (last.state === 'complete' || last.state === 'error') && !states.includes(last.state)) {
      throw new Error(`download of ${url} ended in ${last.state}${last.errorCode ? ` (${last.errorCode}: ${last.errorMessage})` : ''}, wanted ${states.join('/')}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`download of ${url} not ${states.join('/')} in time; last: ${JSON.stringify(last)}`);
    }
    await page.waitForTimeout(options.intervalMs ?? 100);
  }
}

const quotaSessions = new WeakMap<Page, CDPSession>();

/**
 * Sets the storage quota of the page's origin (CDP `Storage.overrideQuotaForOrigin`); undefined
 * resets it. The override lives as long as the CDP session that set it, so the session is kept
 * open (one per page) until the reset. Chromium 156 quirks: `navigator.storage.estimate()` shows
 * the override only with `--disable-features=StaticStorageQuota` (else it reports usage + 10 GiB),
 * and IndexedDB writes enforce it only if it was set before the origin's storage was first opened
 * (set it on a blank page, before navigating, to have writes fail with QuotaExceededError).
 */
export async function overrideQuota(page: Page, quotaSize: number | undefined, origin = new URL(page.url()).origin): Promise<void> {
  let session = quotaSessions.get(page);
  if (quotaSize === undefined) {
    if (!session) return;
    quotaSessions.delete(page);
    await session.send('Storage.overrideQuotaForOrigin', { origin }).catch(() => undefined);
    await session.detach().catch(() => undefined);
    return;
  }
  if (!session) {
    session = await page.context().newCDPSession(page);
    quotaSessions.set(page, session);
  }
  await session.send('Storage.overrideQuotaForOrigin', { origin, quotaSize });
}

/** Waits until at least `bytes` of the file `url` are stored (segment writes trail the reads that bring them). */
export async function waitForStoredBytes(page: Page, url: string, bytes: number, timeoutMs = 15_000): Promise<StoredFileInfo> {
  await expect.poll(async () => (await fileInfo(page, url))?.storedBytes ?? 0, { message: `stored bytes of ${url}`, timeout: timeoutMs }).toBeGreaterThanOrEqual(bytes);
  return (await fileInfo(page, url))!;
}

/** Asserts that `file` has every segment stored. */
export function expectWhole(file: StoredFileInfo | undefined, what: string): void {
  expect(file, `${what}: listed`).toBeDefined();
  expect(file!.storedSegments.length, `${what}: stored segments of ${file!.segmentCount}`).toBe(file!.segmentCount);
  expect(file!.storedBytes, `${what}: stored bytes`).toBe(file!.sizeBytes);
}

export function mib(bytes: number): string {
  return (bytes / MiB).toFixed(2);
}
