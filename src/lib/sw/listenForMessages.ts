import type { RangeCache } from '../cache/RangeCache.js';
import type { DownloadManager } from '../downloads/DownloadManager.js';
import { storedFileInfo } from '../downloads/storedFileInfo.js';
import { workerFeatures } from './workerFeatures.js';
import { isMediaCacheError } from '../errors/MediaCacheError.js';
import {
  MEDIA_CACHE_CHANNEL,
  MEDIA_CACHE_MESSAGE,
  parseWorkerRequest,
  type CacheEvent,
  type StorageSummary,
  type WorkerReply,
  type WorkerRequest,
} from '../messages.js';

declare const self: ServiceWorkerGlobalScope;

/**
 * Answers the page-side client: requests arrive as messages with a reply port, from same-origin
 * pages only, and must be well formed; anything else is refused (`bad-request`) or ignored.
 * Returns the function that announces changes to every page, on a BroadcastChannel.
 */
export function listenForMessages(cache: RangeCache, manager: () => DownloadManager): (event: CacheEvent) => void {
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(MEDIA_CACHE_CHANNEL) : undefined;

  self.addEventListener('message', (event) => {
    const port = event.ports[0];
    if (!port || event.origin !== self.location.origin) return;
    const request = parseWorkerRequest(event.data);
    if (!request) {
      port.postMessage(failure('bad-request', 'The message is not a well-formed request.'));
      return;
    }
    const source = event.source && 'id' in event.source ? event.source.id : undefined;
    const answered = answer(request, cache, manager(), source).then(
      (result): WorkerReply => ({ kind: MEDIA_CACHE_MESSAGE, ok: true, result }),
      (error: unknown): WorkerReply =>
        isMediaCacheError(error) ? failure(error.code, error.message) : failure('storage-failed', String(error)),
    );
    event.waitUntil(
      answered.then(async (reply) => {
        port.postMessage(reply);
        // A download keeps the worker alive while it runs (Chromium still stops it after ~5 minutes;
        // the next event restarts it and the download resumes from what is stored).
        // A refused hand-off restarts the download here.
        if (request.type === 'download' || request.type === 'resume' || request.type === 'handoff') await manager().settled(request.url);
      }),
    );
  });

  return (event) => channel?.postMessage(event);
}

function failure(code: Extract<WorkerReply, { ok: false }>['error']['code'], message: string): WorkerReply {
  return { kind: MEDIA_CACHE_MESSAGE, ok: false, error: { code, message } };
}

async function answer(request: WorkerRequest, cache: RangeCache, manager: DownloadManager, sourceClient: string | undefined): Promise<unknown> {
  switch (request.type) {
    case 'download':
      return manager.download(request.url, request.sha256);
    case 'pause':
      return manager.pause(request.url);
    case 'resume':
      return manager.resume(request.url);
    case 'cancel':
      await manager.cancel(request.url);
      return null;
    case 'remove':
      await manager.remove(request.url);
      return null;
    case 'prepare-handoff':
      return manager.prepareHandOff(request.url);
    case 'handoff':
      return manager.handOff(request.url, sourceClient);
    case 'clear':
      await manager.clear();
      return null;
    case 'list': {
      const files = await cache.store.listFiles();
      return Promise.all(files.map(async (file) => storedFileInfo(file, await cache.downloads.get(file.url))));
    }
    case 'storage': {
      const [{ usageBytes, quotaBytes }, usage, budget] = await Promise.all([
        cache.budget.estimate(true),
        cache.budget.usage(),
        cache.budget.budgetBytes(),
      ]);
      const summary: StorageSummary = { usageBytes, quotaBytes, ...usage, cacheBudgetBytes: Number.isFinite(budget) ? budget : 0 };
      return summary;
    }
    case 'metrics':
      return cache.metricsSnapshot();
    case 'features':
      return workerFeatures(cache.store);
  }
}
