export { createMediaCacheHandler } from './createMediaCacheHandler.js';
export { isMediaRequest, mediaRequestMatcher, DEFAULT_MEDIA_PATH_PREFIX, type MediaMatchOptions } from './isMediaRequest.js';
export { precacheAppShell } from './precacheAppShell.js';
export { registerMediaRoute, type MediaRouteOptions } from './registerMediaRoute.js';
export { RangeCache, type MediaCacheOptions } from '../cache/RangeCache.js';
export { SegmentStore, type FileHead } from '../store/SegmentStore.js';
export { enableDownloads, type EnableDownloadsOptions } from './enableDownloads.js';
export { DownloadManager } from '../downloads/DownloadManager.js';
export { signedUrlCacheKey, stripSigningParams, SIGNING_PARAMS, SIGNING_PARAM_PREFIXES, type StripSigningParamsOptions } from '../keys/signedUrlCacheKey.js';
export type {
  CacheKeyWillBeUsedParam,
  DownloadDidProgressParam,
  FetchDidFailParam,
  HandlerDidErrorParam,
  MediaCachePlugin,
  SegmentDidStoreParam,
  SegmentWillBeStoredParam,
} from '../plugins/MediaCachePlugin.js';
export type { TimeoutOptions } from '../stream/TransferRates.js';
