import { afterEach, describe, expect, it } from 'vitest';
import { isMediaCacheError } from '../errors/MediaCacheError.js';
import { MEDIA_CACHE_CHANNEL, MEDIA_CACHE_MESSAGE, parseWorkerRequest, type DownloadProgress, type WorkerRequest } from '../messages.js';
import { OfflineLibrary } from './OfflineLibrary.js';
import type { WorkerEndpoint } from './requestWorker.js';

const BASE = 'https://lectures.test/app/';
const URL_1 = 'https://lectures.test/media/one.mp4';

type Answer = (request: WorkerRequest) => unknown | { error: { code: string; message: string } } | typeof NO_REPLY;
const NO_REPLY = Symbol('no reply');

/** A stand-in for the worker: the real MessageChannel, BroadcastChannel and protocol parsers of Node. */
function fakeWorker(answer: Answer): { endpoint: WorkerEndpoint; requests: WorkerRequest[] } {
  const requests: WorkerRequest[] = [];
  const endpoint: WorkerEndpoint = {
    postMessage(message, [port]) {
      const request = parseWorkerRequest(message);
      if (request === undefined) throw new Error('malformed request');
      requests.push(request);
      const result = answer(request);
      if (result === NO_REPLY) return;
      const reply =
        typeof result === 'object' && result !== null && 'error' in result
          ? { kind: MEDIA_CACHE_MESSAGE, ok: false, error: result.error }
          : { kind: MEDIA_CACHE_MESSAGE, ok: true, result };
      (port as MessagePort).postMessage({ kind: 'someone-else' });
      (port as MessagePort).postMessage(reply);
      (port as MessagePort).close();
    },
  };
  return { endpoint, requests };
}

function progress(state: DownloadProgress['state'], storedBytes: number, url = URL_1): DownloadProgress {
  return { url, state, storedBytes, totalBytes: 1000, fraction: storedBytes / 1000 };
}

const opened: { close(): void }[] = [];
function library(answer: Answer, options: { timeoutMs?: number; storage?: StorageManager } = {}) {
  const worker = fakeWorker(answer);
  const lib = new OfflineLibrary({ worker: async () => worker.endpoint, baseUrl: BASE, ...options });
  opened.push(lib);
  return { lib, requests: worker.requests };
}
function broadcaster(): BroadcastChannel {
  const channel = new BroadcastChannel(MEDIA_CACHE_CHANNEL);
  opened.push(channel);
  return channel;
}

afterEach(() => {
  for (const item of opened.splice(0)) item.close();
});

describe('OfflineLibrary requests', () => {
  it('resolves relative URLs and returns the typed result', async () => {
    const { lib, requests } = library((request) => (request.type === 'download' ? progress('queued', 0) : null));
    await expect(lib.download('../media/one.mp4')).resolves.toEqual(progress('queued', 0));
    await expect(lib.remove('/media/one.mp4')).resolves.toBeUndefined();
    await expect(lib.clear()).resolves.toBeUndefined();
    expect(requests).toEqual([
      { type: 'download', url: URL_1 },
      { type: 'remove', url: URL_1 },
      { type: 'clear' },
    ]);
  });

  it('passes a sha256 through', async () => {
    const sha256 = 'a'.repeat(64);
    const { lib, requests } = library(() => progress('queued', 0));
    await lib.download(URL_1, { sha256 });
    expect(requests).toEqual([{ type: 'download', url: URL_1, sha256 }]);
  });

  it('turns an error reply into a MediaCacheError with the worker code', async () => {
    const { lib } = library(() => ({ error: { code: 'insufficient-quota', message: 'needs 80 MB, 12 MB free' } }));
    const error: unknown = await lib.download(URL_1).catch((caught: unknown) => caught);
    expect(isMediaCacheError(error, 'insufficient-quota')).toBe(true);
    expect(isMediaCacheError(error) && error.details.workerMessage).toBe('needs 80 MB, 12 MB free');
  });

  it('rejects with worker-unavailable when the worker never answers', async () => {
    const { lib } = library(() => NO_REPLY, { timeoutMs: 50 });
    const error: unknown = await lib.list().catch((caught: unknown) => caught);
    expect(isMediaCacheError(error, 'worker-unavailable')).toBe(true);
  });

  it('rejects with worker-unavailable when there is no worker', async () => {
    const lib = new OfflineLibrary({ worker: () => Promise.reject(new Error('none')), baseUrl: BASE });
    opened.push(lib);
    const error: unknown = await lib.metrics().catch((caught: unknown) => caught);
    expect(isMediaCacheError(error, 'worker-unavailable')).toBe(true);
  });

  it('refuses a string that is no URL with a TypeError', () => {
    const lib = new OfflineLibrary({ worker: () => new Promise(() => {}), baseUrl: undefined });
    opened.push(lib);
    expect(() => lib.pause('relative/path')).toThrow(TypeError);
  });
});

describe('OfflineLibrary persistence', () => {
  const summary = { usageBytes: 10, quotaBytes: 100, pinnedBytes: 4, cacheBytes: 6, cacheBudgetBytes: 50 };

  it('asks once, on the first download, and reports the answer', async () => {
    let asked = 0;
    const storage = { persist: async () => (asked++, false), persisted: async () => false } as unknown as StorageManager;
    const { lib } = library((request) => (request.type === 'storage' ? summary : progress('queued', 0)), { storage });
    expect(lib.persistence).toBeUndefined();
    await lib.download(URL_1);
    await lib.download(URL_1);
    await expect(lib.requestPersistence()).resolves.toBe('not granted');
    expect(asked).toBe(1);
    await expect(lib.storage()).resolves.toEqual({ ...summary, persisted: false, persistence: 'not granted' });
  });

  it('is unavailable without the Storage API', async () => {
    const { lib } = library(() => summary, { storage: {} as StorageManager });
    await expect(lib.requestPersistence()).resolves.toBe('unavailable');
    await expect(lib.estimate()).resolves.toMatchObject({ persisted: false, persistence: 'unavailable' });
  });
});

describe('OfflineLibrary events', () => {
  it('re-dispatches the worker broadcasts as typed CustomEvents and ignores others', async () => {
    const { lib } = library(() => []);
    const seen: string[] = [];
    lib.addEventListener('progress', (event) => seen.push(`progress ${event.detail.state}`));
    lib.addEventListener('file-changed', (event) => seen.push(`changed ${event.detail.url}`));
    lib.addEventListener('file-removed', (event) => seen.push(`removed ${event.detail.url}`));
    lib.addEventListener('file-outdated', (event) => seen.push(`outdated ${event.detail.url}`));
    const channel = broadcaster();
    channel.postMessage({ kind: 'other', type: 'progress' });
    channel.postMessage({ kind: MEDIA_CACHE_MESSAGE, type: 'progress', progress: progress('downloading', 10) });
    channel.postMessage({ kind: MEDIA_CACHE_MESSAGE, type: 'file-changed', url: URL_1 });
    channel.postMessage({ kind: MEDIA_CACHE_MESSAGE, type: 'file-removed', url: URL_1 });
    channel.postMessage({ kind: MEDIA_CACHE_MESSAGE, type: 'file-outdated', url: URL_1 });
    await expect.poll(() => seen).toEqual(['progress downloading', `changed ${URL_1}`, `removed ${URL_1}`, `outdated ${URL_1}`]);
  });

  it('progress(url) yields the current state, then updates for that URL until complete', async () => {
    const current = progress('downloading', 100);
    const { lib } = library(() => [{ url: URL_1, download: current }]);
    const channel = broadcaster();
    const seen: string[] = [];
    const done = (async () => {
      for await (const update of lib.progress('/media/one.mp4')) {
        seen.push(`${update.state} ${update.storedBytes}`);
        if (seen.length === 1) {
          channel.postMessage({ kind: MEDIA_CACHE_MESSAGE, type: 'progress', progress: progress('downloading', 5, 'https://lectures.test/other') });
          channel.postMessage({ kind: MEDIA_CACHE_MESSAGE, type: 'progress', progress: progress('paused', 500) });
          channel.postMessage({ kind: MEDIA_CACHE_MESSAGE, type: 'progress', progress: progress('complete', 1000) });
          channel.postMessage({ kind: MEDIA_CACHE_MESSAGE, type: 'progress', progress: progress('downloading', 1) });
        }
      }
    })();
    await done;
    expect(seen).toEqual(['downloading 100', 'paused 500', 'complete 1000']);
  });
});
