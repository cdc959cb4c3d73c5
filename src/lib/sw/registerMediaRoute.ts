import { registerRoute } from 'workbox-routing';
import type { MediaCacheOptions } from '../cache/RangeCache.js';
import { createMediaCacheHandler } from './createMediaCacheHandler.js';
import { mediaRequestMatcher, type MediaMatchOptions } from './isMediaRequest.js';

/** `MediaCacheOptions` plus which requests the route takes. */
export interface MediaRouteOptions extends MediaCacheOptions {
  match?: MediaMatchOptions;
}

/** Routes media requests (by default: `/media/` and video/audio destinations) to the range cache. */
export function registerMediaRoute(options: MediaRouteOptions = {}) {
  const handler = createMediaCacheHandler(options);
  registerRoute(mediaRequestMatcher(options.match), handler, 'GET');
  return handler.cache;
}
