import type { RouteHandlerObject } from 'workbox-core/types.js';
import { RangeCache, type RangeCacheOptions } from '../cache/RangeCache.js';

/**
 * The cache as a Workbox route handler, so an app adds it to its own worker with
 * `registerRoute(match, createMediaCacheHandler())`.
 */
export function createMediaCacheHandler(cache: RangeCache | RangeCacheOptions = {}): RouteHandlerObject & { cache: RangeCache } {
  const rangeCache = cache instanceof RangeCache ? cache : new RangeCache(cache);
  return {
    cache: rangeCache,
    handle({ request }) {
      // A cross-origin request without CORS yields an opaque response: unreadable, so it is
      // passed through and never stored (DESIGN.md, fact 10).
      if (request.mode === 'no-cors' && new URL(request.url).origin !== self.location.origin) return fetch(request);
      return rangeCache.handle(request);
    },
  };
}
