import { formatContentRange, formatUnsatisfiedRange } from './contentRange.js';
import { representationHeaders } from './representationHeaders.js';
import { responseBodyParts } from './responseBodyParts.js';
import type { ByteRange, RangeResolution, Representation } from './types.js';

/** Anything that can hand out slices without reading them: a Blob, or a Blob composed of stored segments. */
export interface SliceableSource {
  size: number;
  slice(start?: number, end?: number): Blob;
}

function assertRangesFit(ranges: ByteRange[], sizeBytes: number): void {
  if (ranges.length === 0) throw new RangeError('createRangeResponse: a partial resolution needs at least one range');
  for (const { start, end } of ranges) {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end >= sizeBytes) {
      throw new RangeError(`createRangeResponse: range ${start}-${end} does not fit a representation of ${sizeBytes} bytes`);
    }
  }
}

/**
 * Builds the 200, 206 or 416 for a resolution. Bodies are Blob slices: a Blob-bodied Response is
 * streamed by the browser process, not through the service worker thread, and survives the worker
 * being stopped (docs/platform-facts.md §1, §7).
 *
 * `extraHeaders` are copied first; the framing and validator headers set here win over them,
 * because a wrong Content-Length or Content-Range breaks the player.
 */
export function createRangeResponse(
  resolution: RangeResolution,
  source: SliceableSource,
  representation: Representation,
  extraHeaders?: HeadersInit,
): Response {
  const sizeBytes = representation.sizeBytes;
  if (source.size !== sizeBytes) {
    throw new RangeError(`createRangeResponse: source holds ${source.size} bytes, the representation ${sizeBytes}`);
  }
  if (resolution.kind === 'unsatisfiable') {
    const headers = new Headers(extraHeaders);
    // Media elements decide from Accept-Ranges whether a resource is seekable (docs/platform-facts.md §5).
    headers.set('Accept-Ranges', 'bytes');
    for (const name of ['Content-Length', 'Content-Type', 'ETag', 'Last-Modified']) headers.delete(name);
    // RFC 9110 §14.4: a 416 to a byte-range request SHOULD say the current length.
    headers.set('Content-Range', formatUnsatisfiedRange(sizeBytes));
    return new Response(null, { status: 416, statusText: 'Range Not Satisfiable', headers });
  }

  const headers = representationHeaders(representation, extraHeaders);
  let body: Blob;
  if (resolution.kind === 'full') {
    body = source.slice(0, sizeBytes);
  } else {
    assertRangesFit(resolution.ranges, sizeBytes);
    const layout = responseBodyParts(resolution.ranges, representation);
    if (layout.contentType !== undefined) headers.set('Content-Type', layout.contentType);
    const [only, ...rest] = resolution.ranges;
    if (only !== undefined && rest.length === 0) headers.set('Content-Range', formatContentRange(only, sizeBytes));
    // One Blob of header strings and source slices: no media byte is copied or read here.
    const parts = layout.parts.map((part) => (typeof part === 'string' ? part : source.slice(part.start, part.end + 1)));
    body = parts.length === 1 && typeof parts[0] !== 'string' ? parts[0]! : new Blob(parts);
  }
  headers.set('Content-Length', String(body.size));
  return resolution.kind === 'full'
    ? new Response(body, { status: 200, statusText: 'OK', headers })
    : new Response(body, { status: 206, statusText: 'Partial Content', headers });
}
