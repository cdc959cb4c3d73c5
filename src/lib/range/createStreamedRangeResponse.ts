import { formatContentRange } from './contentRange.js';
import { representationHeaders } from './representationHeaders.js';
import { responseBodyParts } from './responseBodyParts.js';
import type { ByteRange, RangeResolution, Representation } from './types.js';

/** A piece of a streamed body: literal bytes (multipart framing) or a range of the representation. */
export type StreamPiece = Uint8Array | ByteRange;

/**
 * A 200 or 206 whose body is a stream, with the headers and framing a Blob-bodied answer gets
 * (createRangeResponse), so the player cannot tell stored and network answers apart. `openBody`
 * receives the pieces the body must deliver, in order, and returns the stream that delivers them.
 */
export function createStreamedRangeResponse(
  resolution: Exclude<RangeResolution, { kind: 'unsatisfiable' }>,
  representation: Representation,
  openBody: (pieces: StreamPiece[]) => ReadableStream<Uint8Array>,
  extraHeaders?: HeadersInit,
): Response {
  const headers = representationHeaders(representation, extraHeaders);
  const whole: ByteRange = { start: 0, end: representation.sizeBytes - 1 };
  const layout = responseBodyParts(resolution.kind === 'full' ? [whole] : resolution.ranges, representation);
  const encoder = new TextEncoder();
  const pieces = layout.parts.map((part) => (typeof part === 'string' ? encoder.encode(part) : part));
  const lengthBytes = pieces.reduce((sum, piece) => sum + (piece instanceof Uint8Array ? piece.byteLength : piece.end - piece.start + 1), 0);
  headers.set('Content-Length', String(Math.max(0, lengthBytes)));
  if (layout.contentType !== undefined) headers.set('Content-Type', layout.contentType);
  const body = openBody(pieces);
  if (resolution.kind === 'full') return new Response(body, { status: 200, statusText: 'OK', headers });
  const [only, ...rest] = resolution.ranges;
  if (only !== undefined && rest.length === 0) headers.set('Content-Range', formatContentRange(only, representation.sizeBytes));
  return new Response(body, { status: 206, statusText: 'Partial Content', headers });
}
