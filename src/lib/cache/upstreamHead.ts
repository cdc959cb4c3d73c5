import { parseContentRange } from '../range/contentRange.js';
import type { Validator } from '../store/schema.js';
import { validatorOf } from '../store/validators.js';

/** What an upstream response says about the resource and the bytes that follow. */
export type UpstreamHead =
  | {
      kind: 'body';
      sizeBytes: number;
      /** Absolute offset of the body's first byte. */
      startOffset: number;
      /** One past the body's last byte. */
      endOffset: number;
      validator: Validator | undefined;
      contentType: string;
      /** False for `no-store`, encoded bodies, or resources without a strong validator. */
      storable: boolean;
    }
  | { kind: 'unsatisfiable'; sizeBytes: number }
  /** Nothing the cache can use: an error status, an opaque response, an unknown length. */
  | { kind: 'unusable'; reason: string };

/**
 * Reads the head of an upstream answer to a request for bytes from `requestedStart`. A 206 must
 * start where asked (RFC 9110 §14.4: we never guess which bytes an unexpected range holds); a 200
 * carries the whole resource from byte 0 and is used as such.
 */
export function readUpstreamHead(response: Response, requestedStart: number): UpstreamHead {
  if (response.type === 'opaque' || response.type === 'opaqueredirect') return { kind: 'unusable', reason: 'opaque' };
  const headers = response.headers;
  const contentType = headers.get('Content-Type') ?? 'application/octet-stream';
  const validator = validatorOf(headers);
  const encoding = headers.get('Content-Encoding');
  // Range offsets count the bytes of the representation as sent; encoded bytes are not the
  // resource's bytes and must never be stored as such (DESIGN.md, platform fact 8).
  const encoded = !!encoding && encoding.toLowerCase() !== 'identity';
  const noStore = /(?:^|,)\s*no-store\s*(?:,|$)/i.test(headers.get('Cache-Control') ?? '');
  const storable = !noStore && !encoded && validator !== undefined;

  if (response.status === 206) {
    const contentRange = parseContentRange(headers.get('Content-Range'));
    if (contentRange?.kind !== 'range' || contentRange.sizeBytes === undefined) {
      return { kind: 'unusable', reason: 'content-range-malformed' };
    }
    if (contentRange.start !== requestedStart) return { kind: 'unusable', reason: 'upstream-range-mismatch' };
    return {
      kind: 'body',
      sizeBytes: contentRange.sizeBytes,
      startOffset: contentRange.start,
      endOffset: contentRange.end + 1,
      validator,
      contentType,
      storable,
    };
  }
  if (response.status === 200) {
    const length = headers.get('Content-Length');
    if (length === null || !/^\d+$/.test(length) || encoded) return { kind: 'unusable', reason: 'length-unknown' };
    const sizeBytes = Number(length);
    return { kind: 'body', sizeBytes, startOffset: 0, endOffset: sizeBytes, validator, contentType, storable };
  }
  if (response.status === 416) {
    const contentRange = parseContentRange(headers.get('Content-Range'));
    if (contentRange?.kind === 'unsatisfied') return { kind: 'unsatisfiable', sizeBytes: contentRange.sizeBytes };
  }
  return { kind: 'unusable', reason: `status ${response.status}` };
}
