import { formatContentRange } from './contentRange.js';
import { representationHeaders } from './representationHeaders.js';
import type { ByteRange, Representation } from './types.js';

/**
 * A 200 (no `range`) or single-range 206 whose body is a stream, with the same headers a
 * Blob-bodied answer gets, so the player cannot tell stored and network answers apart.
 * The stream must deliver exactly the bytes of `range` (or of the whole representation).
 */
export function createStreamedRangeResponse(
  body: ReadableStream<Uint8Array>,
  range: ByteRange | undefined,
  representation: Representation,
  extraHeaders?: HeadersInit,
): Response {
  const headers = representationHeaders(representation, extraHeaders);
  const lengthBytes = range ? range.end - range.start + 1 : representation.sizeBytes;
  headers.set('Content-Length', String(lengthBytes));
  if (range) {
    headers.set('Content-Range', formatContentRange(range, representation.sizeBytes));
    return new Response(body, { status: 206, statusText: 'Partial Content', headers });
  }
  return new Response(body, { status: 200, statusText: 'OK', headers });
}
