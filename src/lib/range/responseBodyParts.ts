import { formatContentRange } from './contentRange.js';
import type { ByteRange, Representation } from './types.js';

/** A body described without its bytes: header text and ranges of the representation, in order. */
export type BodyPart = string | ByteRange;

export interface BodyLayout {
  parts: BodyPart[];
  /** The Content-Type of the whole body when it differs from the representation's (multipart). */
  contentType: string | undefined;
}

// 16 random bytes as hex: 32 characters, which MIN_MULTIPART_PART_OVERHEAD_BYTES assumes.
// A random boundary cannot be chosen by the media bytes, so it never occurs inside a part
// (RFC 2046 §5.1.1) without our having to scan bytes we never read.
function createBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * What a 200 or 206 body is made of: one range, or for several ranges the multipart/byteranges
 * framing of RFC 9110 §14.6 around each. Blob-bodied and streamed answers both build on it, so
 * they frame bodies identically.
 * @private
 */
export function responseBodyParts(ranges: ByteRange[], representation: Representation): BodyLayout {
  const [only, ...rest] = ranges;
  if (only !== undefined && rest.length === 0) return { parts: [only], contentType: undefined };
  const boundary = createBoundary();
  const parts: BodyPart[] = [];
  ranges.forEach((range, index) => {
    const contentType =
      representation.contentType === undefined ? '' : `Content-Type: ${representation.contentType}\r\n`;
    const delimiter = index === 0 ? `--${boundary}\r\n` : `\r\n--${boundary}\r\n`;
    parts.push(`${delimiter}${contentType}Content-Range: ${formatContentRange(range, representation.sizeBytes)}\r\n\r\n`, range);
  });
  parts.push(`\r\n--${boundary}--\r\n`);
  // §14.6: the representation's type moves into each part; the whole is multipart.
  return { parts, contentType: `multipart/byteranges; boundary=${boundary}` };
}
