// The page side and the browser-neutral parts of the library. The service-worker side is
// `./sw/index.ts` (it needs worker globals, so it is a separate entry).
export {
  OfflineLibrary,
  registerMediaCache,
  requestPersistence,
  type BackgroundFetchOptions,
  type DownloadOptions,
  type LibraryFeatures,
  type LibraryStorage,
  type OfflineLibraryEventMap,
  type OfflineLibraryOptions,
  type PersistenceResult,
  type RegisterMediaCacheOptions,
  type WorkerEndpoint,
} from './client/index.js';
export { defaultConfig, type MediaCacheConfig } from './config.js';
// The same keys on the page as in the worker: to find a signed URL's file in `list()`.
export { signedUrlCacheKey, stripSigningParams, SIGNING_PARAMS, SIGNING_PARAM_PREFIXES, type StripSigningParamsOptions } from './keys/signedUrlCacheKey.js';
export { MediaCacheError, isMediaCacheError, type MediaCacheErrorCode } from './errors/MediaCacheError.js';
export {
  MEDIA_CACHE_CHANNEL,
  type CacheEvent,
  type CacheMetrics,
  type DownloadProgress,
  type DownloadState,
  type StorageSummary,
  type StoredFileInfo,
  type WorkerFeatures,
} from './messages.js';
export {
  createRangeResponse,
  createStreamedRangeResponse,
  evaluateRangeRequest,
  parseRangeHeader,
  resolveRanges,
  type ByteRange,
  type RangeResolution,
  type Representation,
} from './range/index.js';
