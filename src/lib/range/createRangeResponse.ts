import { formatContentRange, formatUnsatisfiedRange } from './contentRange.js';
import { representationHeaders } from './representationHeaders.js';
import type { ByteRange, RangeResolution, Representation } from './types.js';

/** Anything that can hand out slices without reading them: a Blob, or a Blob composed of stored segments. */
export interface SliceableSource {
  size: number;
  slice(start?: number, end?: number): Blob;
}

// 16 random bytes as hex: 32 characters, which MIN_MULTIPART_PART_OVERHEAD_BYTES assumes.
// A random boundary cannot be chosen by the media bytes, so it never occurs inside a part
// (RFC 2046 §5.1.1) without our having to scan bytes we never read.
function createBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The multipart/byteranges body of RFC 9110 §14.6 as one Blob of header strings and source slices,
 * so no media byte is copied or read here.
 */
function composeMultipart(
  ranges: ByteRange[],
  source: SliceableSource,
  representation: Representation,
  boundary: string,
): Blob {
  const parts: (string | Blob)[] = [];
  ranges.forEach((range, index) => {
    const contentType =
      representation.contentType === undefined ? '' : `Content-Type: ${representation.contentType}\r\n`;
    const delimiter = index === 0 ? `--${boundary}\r\n` : `\r\n--${boundary}\r\n`;
    parts.push(
      `${delimiter}${contentType}Content-Range: ${formatContentRange(range, representation.sizeBytes)}\r\n\r\n`,
      source.slice(range.start, range.end + 1),
    );
  });
  parts.push(`\r\n--${boundary}--\r\n`);
  return new Blob(parts);
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
 * being stopped (DESIGN.md, platform facts 1 and 7).
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
    // Media elements decide from Accept-Ranges whether a resource is seekable (DESIGN.md, fact 5).
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
    const [only, ...rest] = resolution.ranges;
    if (only !== undefined && rest.length === 0) {
      body = source.slice(only.start, only.end + 1);
      headers.set('Content-Range', formatContentRange(only, sizeBytes));
    } else {
      const boundary = createBoundary();
      body = composeMultipart(resolution.ranges, source, representation, boundary);
      // RFC 9110 §14.6: the representation's type moves into each part; the whole is multipart.
      headers.set('Content-Type', `multipart/byteranges; boundary=${boundary}`);
    }
  }
  headers.set('Content-Length', String(body.size));
  return resolution.kind === 'full'
    ? new Response(body, { status: 200, statusText: 'OK', headers })
    : new Response(body, { status: 206, statusText: 'Partial Content', headers });
}
