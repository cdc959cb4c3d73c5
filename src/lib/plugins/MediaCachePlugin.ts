import type { MediaCacheError } from '../errors/MediaCacheError.js';
import type { DownloadProgress } from '../messages.js';

/** The request whose file is looked up, and the key it has so far (the URL, or what `cacheKey` and earlier plugins made of it). */
export interface CacheKeyWillBeUsedParam {
  request: Request;
  key: string;
}

/** A segment about to be stored: segment `index` of the file `url` (its cache key), `sizeBytes` long. */
export interface SegmentWillBeStoredParam {
  url: string;
  index: number;
  sizeBytes: number;
}

/** A segment now stored (complete, checked, listed in its file record). */
export interface SegmentDidStoreParam {
  url: string;
  index: number;
  sizeBytes: number;
}

/** An upstream fetch of the cache that failed: its readers got a network error. */
export interface FetchDidFailParam {
  url: string;
  /** `upstream-failed`, `upstream-stalled`, `validator-changed`, …: never `reader-cancelled`. */
  error: MediaCacheError;
}

/** A download's progress, as announced to pages. */
export interface DownloadDidProgressParam {
  progress: DownloadProgress;
}

/** A request the cache could not answer; the page got a network error (a media element retries it). */
export interface HandlerDidErrorParam {
  request: Request;
  error: unknown;
}

/**
 * Lifecycle callbacks, in the style of Workbox plugins: an app passes objects with any of them in
 * `plugins`, and the cache calls them in order. A callback that throws or rejects is ignored (and
 * logged in development builds): it never breaks an answer or a write.
 */
export interface MediaCachePlugin {
  /**
   * Before a request's file is looked up or stored: return the key it is stored under (a URL
   * string), or nothing to keep `key`. For signed and expiring URLs, one key for every signature
   * of a file (see `signedUrlCacheKey`). Applied to a key, it must give the same key: pages pass
   * keys back (`OfflineLibrary.remove(file.url)`). A callback that throws, answers with no string,
   * or has not answered within a second, leaves `key` as it was.
   */
  cacheKeyWillBeUsed?(param: CacheKeyWillBeUsedParam): string | void | Promise<string | void>;
  /**
   * Before a segment is written; return `false` (or a promise of it) to keep it out of storage.
   * Decide within a second: a decision still pending after 1 s counts as no veto, as does one that
   * throws. A download whose segments are kept out of storage ends in `storage-failed`.
   */
  segmentWillBeStored?(param: SegmentWillBeStoredParam): boolean | void | Promise<boolean | void>;
  /** After a segment is written. */
  segmentDidStore?(param: SegmentDidStoreParam): void | Promise<void>;
  /** After an upstream fetch failed (the origin answered with an error, stalled, changed version…). */
  fetchDidFail?(param: FetchDidFailParam): void | Promise<void>;
  /** Each time a download's progress is announced to pages (state changes, and while it runs). */
  downloadDidProgress?(param: DownloadDidProgressParam): void | Promise<void>;
  /** After the cache answered a request with a network error. */
  handlerDidError?(param: HandlerDidErrorParam): void | Promise<void>;
}
