/** Where media lives by default: same-origin paths under this prefix. */
export const DEFAULT_MEDIA_PATH_PREFIX = '/media/';

/** Which requests the cache handles (`mediaRequestMatcher`, `registerMediaRoute`'s `match`). */
export interface MediaMatchOptions {
  /** Same-origin path prefixes the cache handles. Default: `['/media/']`. */
  pathPrefixes?: string[];
  /** Also handle requests whose destination is `video` or `audio`, from any origin. Default: true. */
  mediaDestinations?: boolean;
}

/**
 * A Workbox route match callback for `isMediaRequest`:
 * `registerRoute(mediaRequestMatcher(), createMediaCacheHandler())`.
 */
export function mediaRequestMatcher(options: MediaMatchOptions = {}): (context: { request: Request; url: URL }) => boolean {
  return ({ request, url }) => isMediaRequest(request, url, self.location.origin, options);
}

/**
 * The default scope of the cache: same-origin GETs under `/media/` and requests made by media
 * elements. Everything else passes through untouched, navigations included: a page opened at a
 * media URL (a link, a reload of a login redirect) is the browser's to load, not a range answer.
 */
export function isMediaRequest(request: Request, url: URL, origin: string, options: MediaMatchOptions = {}): boolean {
  if (request.method !== 'GET' || request.mode === 'navigate') return false;
  const prefixes = options.pathPrefixes ?? [DEFAULT_MEDIA_PATH_PREFIX];
  if (url.origin === origin && prefixes.some((prefix) => url.pathname.startsWith(prefix))) return true;
  return (options.mediaDestinations ?? true) && (request.destination === 'video' || request.destination === 'audio');
}
