export { createMediaCacheHandler } from './createMediaCacheHandler.js';
export { isMediaRequest, DEFAULT_MEDIA_PATH_PREFIX, type MediaMatchOptions } from './isMediaRequest.js';
export { precacheAppShell } from './precacheAppShell.js';
export { registerMediaRoute, type MediaRouteOptions } from './registerMediaRoute.js';
export { RangeCache, type RangeCacheOptions } from '../cache/RangeCache.js';
export { SegmentStore, type FileHead } from '../store/SegmentStore.js';
export { enableDownloads, type EnableDownloadsOptions } from './enableDownloads.js';
export { DownloadManager } from '../downloads/DownloadManager.js';
