import { parseContentRange } from '../range/contentRange.js';
import type { Validator } from '../store/schema.js';
import { validatorOf } from '../store/validators.js';
import { contradictsStoredType, isHtml } from './mediaType.js';
import { stripFragment } from './planRequest.js';
import { originHeadersOf } from './originHeaders.js';

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
      /** The origin's headers an answer keeps (see ORIGIN_HEADERS_KEPT). */
      headers: Record<string, string>;
      /** False for `no-store`, encoded bodies, `Vary` on request headers, or resources without a validator. */
      storable: boolean;
    }
  | { kind: 'unsatisfiable'; sizeBytes: number }
  /**
   * Nothing the cache can use: an error status, an opaque response, an unknown length, a redirect,
   * a page where media was asked for. The request goes to the origin as the page made it.
   */
  | { kind: 'unusable'; reason: string };

/** What the request that got the response asked for. */
export interface UpstreamRequest {
  /** The URL fetched; an answer from any other URL was redirected. */
  url: string;
  /** The first byte asked for. */
  start: number;
  /** The Content-Type of the file stored for it, when there is one. */
  storedContentType?: string | undefined;
}

/**
 * Request headers a response may vary on and still be stored for every request of the file:
 * Range and Accept-Encoding do not change the bytes of an identity-encoded representation, and
 * Origin only its CORS headers (RFC 9110 §12.5.5). Anything else (Cookie, Authorization, a
 * client hint) could make the stored bytes someone else's, or another variant's.
 */
const STORABLE_VARY = new Set(['range', 'accept-encoding', 'origin']);

function varyAllowsStoring(vary: string | null): boolean {
  if (vary === null) return true;
  return vary.split(',').every((name) => {
    const token = name.trim().toLowerCase();
    return token === '' || STORABLE_VARY.has(token);
  });
}

/**
 * Reads the head of an upstream answer. A 206 must start where asked (RFC 9110 §14.4: we never
 * guess which bytes an unexpected range holds); a 200 carries the whole resource from byte 0 and
 * is used as such. Only the media itself is used: an answer that was redirected (a login wall, a
 * CDN's error host), an HTML page, or a type that contradicts the stored file's is unusable, so
 * it is never stored under the URL nor taken as a new version that purges what is stored.
 */
export function readUpstreamHead(response: Response, asked: UpstreamRequest): UpstreamHead {
  if (response.type === 'opaque' || response.type === 'opaqueredirect') return { kind: 'unusable', reason: 'opaque' };
  // A response's URL never has a fragment (Fetch Standard); the URL asked for may.
  if (response.redirected || (response.url !== '' && response.url !== stripFragment(asked.url))) return { kind: 'unusable', reason: 'redirected' };
  const headers = response.headers;
  const declaredType = headers.get('Content-Type');
  const contentType = declaredType ?? 'application/octet-stream';
  // An answer that declares no type says nothing against the stored one.
  if ((response.status === 200 || response.status === 206) && declaredType !== null) {
    if (isHtml(declaredType)) return { kind: 'unusable', reason: 'not-media' };
    if (asked.storedContentType !== undefined && contradictsStoredType(asked.storedContentType, declaredType)) {
      return { kind: 'unusable', reason: 'type-contradicts-stored' };
    }
  }
  const validator = validatorOf(headers);
  const encoding = headers.get('Content-Encoding');
  // Range offsets count the bytes of the representation as sent; encoded bytes are not the
  // resource's bytes and must never be stored as such (docs/platform-facts.md §8).
  const encoded = !!encoding && encoding.toLowerCase() !== 'identity';
  const noStore = /(?:^|,)\s*no-store\s*(?:,|$)/i.test(headers.get('Cache-Control') ?? '');
  const storable = !noStore && !encoded && validator !== undefined && varyAllowsStoring(headers.get('Vary'));
  const kept = originHeadersOf(headers);

  if (response.status === 206) {
    const contentRange = parseContentRange(headers.get('Content-Range'));
    if (contentRange?.kind !== 'range' || contentRange.sizeBytes === undefined) {
      return { kind: 'unusable', reason: 'content-range-malformed' };
    }
    if (contentRange.start !== asked.start) return { kind: 'unusable', reason: 'upstream-range-mismatch' };
    return {
      kind: 'body',
      sizeBytes: contentRange.sizeBytes,
      startOffset: contentRange.start,
      endOffset: contentRange.end + 1,
      validator,
      contentType,
      headers: kept,
      storable,
    };
  }
  if (response.status === 200) {
    const length = headers.get('Content-Length');
    if (length === null || !/^\d+$/.test(length) || encoded) return { kind: 'unusable', reason: 'length-unknown' };
    const sizeBytes = Number(length);
    if (!Number.isSafeInteger(sizeBytes)) return { kind: 'unusable', reason: 'length-unknown' };
    return { kind: 'body', sizeBytes, startOffset: 0, endOffset: sizeBytes, validator, contentType, headers: kept, storable };
  }
  if (response.status === 416) {
    const contentRange = parseContentRange(headers.get('Content-Range'));
    if (contentRange?.kind === 'unsatisfied') return { kind: 'unsatisfiable', sizeBytes: contentRange.sizeBytes };
  }
  return { kind: 'unusable', reason: `status ${response.status}` };
}
