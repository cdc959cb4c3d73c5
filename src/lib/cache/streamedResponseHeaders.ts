import { formatContentRange } from '../range/contentRange.js';
import type { ByteRange, Representation } from '../range/types.js';

/**
 * Headers of a streamed 200 (no range) or single-range 206, the same a Blob-bodied answer gets:
 * a media element decides from Accept-Ranges and Content-Length whether it can seek (DESIGN.md,
 * fact 5).
 */
export function streamedResponseHeaders(range: ByteRange | undefined, representation: Representation): Headers {
  const headers = new Headers({ 'Accept-Ranges': 'bytes' });
  const start = range?.start ?? 0;
  const end = range?.end ?? representation.sizeBytes - 1;
  headers.set('Content-Length', String(end - start + 1));
  if (range) headers.set('Content-Range', formatContentRange(range, representation.sizeBytes));
  if (representation.contentType !== undefined) headers.set('Content-Type', representation.contentType);
  if (representation.etag !== undefined) headers.set('ETag', representation.etag);
  if (representation.lastModified !== undefined) headers.set('Last-Modified', representation.lastModified);
  return headers;
}
