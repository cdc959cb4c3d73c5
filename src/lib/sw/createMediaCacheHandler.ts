import type { RouteHandlerObject } from 'workbox-core/types.js';
import { RangeCache, type MediaCacheOptions } from '../cache/RangeCache.js';

/**
 * The cache as a Workbox route handler, so an app adds it to its own worker with
 * `registerRoute(match, createMediaCacheHandler())`.
 */
export function createMediaCacheHandler(cache: RangeCache | MediaCacheOptions = {}): RouteHandlerObject & { cache: RangeCache } {
  const rangeCache = cache instanceof RangeCache ? cache : new RangeCache(cache);
  return {
    cache: rangeCache,
    handle({ request }) {
      return passesThrough(request, self.location.origin) ? fetch(request) : rangeCache.handle(request);
    },
  };
}

/**
 * Requests the cache must not answer or store, passed through as they are: navigations (a page
 * opened at a media URL is the browser's to load); requests with their own `Authorization` (the
 * answer is that user's, and the cache's own upstream requests would not carry it); and
 * cross-origin requests without CORS, whose response is opaque (unreadable;
 * docs/platform-facts.md §10), or with credentials, which may be personal (the cache's own
 * upstream requests send none, and its store is shared by every user of the origin's pages).
 */
export function passesThrough(request: Request, origin: string): boolean {
  if (request.mode === 'navigate' || request.headers.has('Authorization')) return true;
  if (new URL(request.url).origin === origin) return false;
  return request.mode === 'no-cors' || request.credentials === 'include';
}
