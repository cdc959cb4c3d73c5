import type { SegmentStore } from '../store/SegmentStore.js';
import type { WorkerFeatures } from '../messages.js';

/**
 * What this engine's worker offers of the APIs the cache can use, each detected rather than
 * assumed: a missing one only changes how the cache works, never whether a read or a download does.
 * `storageEstimate` missing (WebKit): the storage meter and the quota checks have no figures, and
 * downloads are not refused ahead of time. `backgroundFetch` missing (Firefox, WebKit): downloads
 * run in the worker only. `deviceMemory` missing: the in-memory sizes keep their defaults.
 * `segmentValues: 'buffer'`: IndexedDB refuses Blob values here, segments are kept as ArrayBuffers.
 */
export async function workerFeatures(store: SegmentStore): Promise<WorkerFeatures> {
  const scope = globalThis as unknown as {
    navigator?: { storage?: { estimate?: unknown }; deviceMemory?: unknown; locks?: unknown };
    registration?: { backgroundFetch?: unknown };
    BroadcastChannel?: unknown;
    ReadableStreamBYOBReader?: unknown;
  };
  return {
    storageEstimate: typeof scope.navigator?.storage?.estimate === 'function',
    backgroundFetch: scope.registration?.backgroundFetch !== undefined,
    deviceMemory: typeof scope.navigator?.deviceMemory === 'number',
    webLocks: scope.navigator?.locks !== undefined,
    broadcastChannel: typeof scope.BroadcastChannel === 'function',
    byobReader: typeof scope.ReadableStreamBYOBReader === 'function',
    segmentValues: await store.segmentValueKind().catch(() => 'unavailable' as const),
  };
}
