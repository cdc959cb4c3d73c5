import { registerRoute } from 'workbox-routing';
import type { RangeCacheOptions } from '../cache/RangeCache.js';
import { createMediaCacheHandler } from './createMediaCacheHandler.js';
import { isMediaRequest, type MediaMatchOptions } from './isMediaRequest.js';

export interface MediaRouteOptions extends RangeCacheOptions {
  match?: MediaMatchOptions;
}

/** Routes media requests (by default: `/media/` and video/audio destinations) to the range cache. */
export function registerMediaRoute(options: MediaRouteOptions = {}) {
  const handler = createMediaCacheHandler(options);
  const origin = self.location.origin;
  registerRoute(({ request, url }) => isMediaRequest(request, url, origin, options.match), handler, 'GET');
  return handler.cache;
}
