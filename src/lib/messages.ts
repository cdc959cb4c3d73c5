import type { MediaCacheErrorCode } from './errors/MediaCacheError.js';
import type { ByteRange } from './range/types.js';

/**
 * The page ↔ worker protocol, in one place. Requests go to the worker with a MessagePort for the
 * reply; the worker announces changes (download progress, stored segments) to every page on a
 * BroadcastChannel. Both sides check what they receive with the parsers below: a message that is
 * not well formed is ignored.
 */
export const MEDIA_CACHE_CHANNEL = 'media-range-cache';
/** The `kind` tag of every message of this protocol, so other messages on the same channels pass by. */
export const MEDIA_CACHE_MESSAGE = 'media-range-cache/v1';

/**
 * Where a download stands: waiting to start, running, paused by the app, done and verified,
 * outdated (done and playable, but the origin has a newer version: download it again to get it),
 * or failed.
 */
export type DownloadState = 'queued' | 'downloading' | 'paused' | 'complete' | 'outdated' | 'error';

/** A download's state and how much of its file is stored, as the worker reports it. */
export interface DownloadProgress {
  /** The file's cache key: its URL, unless the worker keys files otherwise (signed URLs). */
  url: string;
  /** The URL the download fetches from, where it is not `url` (the latest signed URL asked for). */
  sourceUrl?: string;
  state: DownloadState;
  storedBytes: number;
  /** 0 until the size is known. */
  totalBytes: number;
  /** storedBytes / totalBytes, 0 while the size is unknown. */
  fraction: number;
  errorCode?: MediaCacheErrorCode;
  errorMessage?: string;
  /** True while the download goes on as a Background Fetch, with no page needed (see `OfflineLibrary`). */
  background?: boolean;
  /**
   * While queued or downloading: the byte ranges (inclusive) not stored yet, as the requests a
   * hand-off to Background Fetch would make (whole segments, pieces of at most 16 MiB).
   */
  remaining?: ByteRange[];
}

/** One file the worker has bytes of: its size, which segments are stored, whether it is pinned by a download. */
export interface StoredFileInfo {
  /** The file's cache key: its URL, unless the worker keys files otherwise (signed URLs). */
  url: string;
  sizeBytes: number;
  contentType: string;
  storedBytes: number;
  segmentSizeBytes: number;
  segmentCount: number;
  /** Indices of the stored segments, ascending: what a cache map draws. */
  storedSegments: number[];
  /** Downloaded for offline use: never evicted automatically. */
  pinned: boolean;
  lastAccessAt: number;
  download: DownloadProgress | undefined;
}

/** The site's storage as the worker sees it: usage and quota, pinned and cached bytes, the cache budget, persistence. */
export interface StorageSummary {
  /** From `navigator.storage.estimate()` in the worker; 0 when unavailable. */
  usageBytes: number;
  quotaBytes: number;
  /** Bytes stored for downloaded (pinned) files. */
  pinnedBytes: number;
  /** Bytes stored for files that were only streamed: cache, evicted least recently used first. */
  cacheBytes: number;
  cacheBudgetBytes: number;
}

/** What the cache has served since the worker started, and what it is doing now. */
export interface CacheMetrics {
  /** Bytes handed to readers from storage. */
  bytesFromCache: number;
  /** Bytes received from upstream (by readers and downloads). */
  bytesFromNetwork: number;
  /** bytesFromCache / (bytesFromCache + bytesFromNetwork), 0 before any byte. */
  hitRatio: number;
  activeStreams: number;
  activeFetches: number;
  /** Checks of stored files against their origin since the worker started, by outcome. */
  revalidations: RevalidationCounts;
  /** The in-memory sizes the worker chose for this device (see `adaptToMemory`). */
  adaptive: AdaptiveSettings;
}

/** How many stored files were checked against their origin, and what was found. */
export interface RevalidationCounts {
  checked: number;
  /** The origin still has the stored version. */
  current: number;
  /** It has another: a cached file was purged, a downloaded one marked `outdated`. */
  changed: number;
  /** No answer that tells (offline, an error, a redirect, no validator): nothing changed. */
  unknown: number;
}

/** What the worker decided from the device's memory (the cold path's in-memory sizes) and the measured transfer rate (timeouts). */
export interface AdaptiveSettings {
  /** `navigator.deviceMemory` in the worker, GiB; null where the browser does not say. */
  deviceMemoryGiB: number | null;
  /** The share of that memory the cold path's in-flight bytes may take; the sizes follow from it. */
  memoryBudgetBytes: number;
  /** The stored segment size: fixed, never adapted (the storage format). */
  segmentSizeBytes: number;
  fetchWindowBytes: number;
  maxFetchWindowBytes: number;
  readAheadBytes: number;
  recentSegmentsKept: number;
  /** Segment buffers allocated since the worker started: flat while streaming means they are reused. */
  pooledBuffersAllocated: number;
  /** The transfer rate measured from the origin fetched last, bytes/s; null before any transfer. */
  measuredBytesPerSecond: number | null;
  /** The rate below which a range write from that origin counts as stalled, bytes/s (fixed at 128000 without calibration). */
  timeoutFloorBytesPerSecond: number;
}

export type WorkerRequest =
  | { type: 'download'; url: string; sha256?: string }
  | { type: 'pause'; url: string }
  | { type: 'resume'; url: string }
  | { type: 'cancel'; url: string }
  | { type: 'remove'; url: string }
  /** Stops the download in the worker until the `handoff` that follows; answers its exact `remaining` ranges. */
  | { type: 'prepare-handoff'; url: string }
  /** Sent by a page after it asked Background Fetch for the download's `remaining` ranges. */
  | { type: 'handoff'; url: string }
  | { type: 'list' }
  /** Deletes every stored file and download (a user logs out). */
  | { type: 'clear' }
  | { type: 'storage' }
  | { type: 'metrics' }
  | { type: 'features' };

export interface WorkerResults {
  download: DownloadProgress;
  pause: DownloadProgress;
  resume: DownloadProgress;
  cancel: null;
  remove: null;
  'prepare-handoff': DownloadProgress;
  handoff: DownloadProgress;
  list: StoredFileInfo[];
  clear: null;
  storage: StorageSummary;
  metrics: CacheMetrics;
  features: WorkerFeatures;
}

/** What the worker's engine offers of the APIs the cache uses (see workerFeatures.ts); false where missing. */
export interface WorkerFeatures {
  /** `navigator.storage.estimate()`: without it, usage and quota read 0 and no download is refused ahead of time. */
  storageEstimate: boolean;
  /** Background Fetch on the registration: without it, downloads run in the worker only. */
  backgroundFetch: boolean;
  /** `navigator.deviceMemory`: without it, the in-memory sizes keep their defaults. */
  deviceMemory: boolean;
  webLocks: boolean;
  broadcastChannel: boolean;
  /** `ReadableStreamBYOBReader`: without it, chunks are read into new buffers. */
  byobReader: boolean;
  /** How segments are kept in IndexedDB: Blobs, ArrayBuffers where Blob values are refused, or no database. */
  segmentValues: 'blob' | 'buffer' | 'unavailable';
}

export type WorkerReply =
  | { kind: typeof MEDIA_CACHE_MESSAGE; ok: true; result: unknown }
  | { kind: typeof MEDIA_CACHE_MESSAGE; ok: false; error: { code: MediaCacheErrorCode; message: string } };

/** What the worker broadcasts to pages (`OfflineLibrary` re-dispatches these as events). */
export type CacheEvent =
  | { kind: typeof MEDIA_CACHE_MESSAGE; type: 'progress'; progress: DownloadProgress }
  /** Segments were stored or removed, or the file's pinning changed. */
  | { kind: typeof MEDIA_CACHE_MESSAGE; type: 'file-changed'; url: string }
  | { kind: typeof MEDIA_CACHE_MESSAGE; type: 'file-removed'; url: string }
  /** A downloaded file whose origin now has another version; its stored bytes still play. */
  | { kind: typeof MEDIA_CACHE_MESSAGE; type: 'file-outdated'; url: string };

const URL_REQUESTS = new Set(['download', 'pause', 'resume', 'cancel', 'remove', 'prepare-handoff', 'handoff']);
const PLAIN_REQUESTS = new Set(['list', 'clear', 'storage', 'metrics', 'features']);
const SHA256_HEX = /^[0-9a-f]{64}$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** An absolute http(s) URL, or undefined. */
function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 8192) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The request in a message to the worker, or undefined when the message is not one of ours or malformed. */
export function parseWorkerRequest(data: unknown): WorkerRequest | undefined {
  if (!isRecord(data) || data.kind !== MEDIA_CACHE_MESSAGE || !isRecord(data.request)) return undefined;
  const { type } = data.request;
  if (typeof type !== 'string') return undefined;
  if (PLAIN_REQUESTS.has(type)) return { type } as WorkerRequest;
  if (!URL_REQUESTS.has(type)) return undefined;
  const url = httpUrl(data.request.url);
  if (url === undefined) return undefined;
  if (type === 'download' && data.request.sha256 !== undefined) {
    const sha256 = data.request.sha256;
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) return undefined;
    return { type, url, sha256: sha256.toLowerCase() };
  }
  return { type, url } as WorkerRequest;
}

/** Wraps a request for `postMessage`. */
export function workerRequestMessage(request: WorkerRequest): { kind: typeof MEDIA_CACHE_MESSAGE; request: WorkerRequest } {
  return { kind: MEDIA_CACHE_MESSAGE, request };
}

/** The event in a BroadcastChannel message, or undefined when it is not one of ours. */
export function parseCacheEvent(data: unknown): CacheEvent | undefined {
  if (!isRecord(data) || data.kind !== MEDIA_CACHE_MESSAGE) return undefined;
  if (data.type === 'progress' && isRecord(data.progress) && typeof data.progress.url === 'string') return data as CacheEvent;
  if ((data.type === 'file-changed' || data.type === 'file-removed' || data.type === 'file-outdated') && typeof data.url === 'string') return data as CacheEvent;
  return undefined;
}

/** The reply on a request's port, or undefined when malformed. */
export function parseWorkerReply(data: unknown): WorkerReply | undefined {
  if (!isRecord(data) || data.kind !== MEDIA_CACHE_MESSAGE || typeof data.ok !== 'boolean') return undefined;
  if (!data.ok && !(isRecord(data.error) && typeof data.error.code === 'string')) return undefined;
  return data as WorkerReply;
}
