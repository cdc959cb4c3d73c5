import type { Representation } from './types.js';

/**
 * The headers every 200 and 206 of a representation carries, whatever its body: Accept-Ranges
 * (a media element decides from it whether the resource is seekable, docs/platform-facts.md §5) and the
 * representation's own validators (RFC 9110 §15.3.7: a 206 carries the ones a 200 would).
 * Framing headers from `extraHeaders` are dropped: the caller sets them for the body it sends.
 * @private
 */
export function representationHeaders(representation: Representation, extraHeaders?: HeadersInit): Headers {
  const headers = new Headers(extraHeaders);
  headers.set('Accept-Ranges', 'bytes');
  for (const name of ['ETag', 'Last-Modified', 'Content-Range', 'Content-Type', 'Content-Length']) headers.delete(name);
  if (representation.etag !== undefined) headers.set('ETag', representation.etag);
  if (representation.lastModified !== undefined) headers.set('Last-Modified', representation.lastModified);
  if (representation.contentType !== undefined) headers.set('Content-Type', representation.contentType);
  return headers;
}
