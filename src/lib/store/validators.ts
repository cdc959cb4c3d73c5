import type { Validator } from './schema.js';

/** A weak ETag (`W/"…"`) may not be used to combine partial content (RFC 9110 §8.8.3.2, §13.1.5). */
export function isStrongEtag(etag: string | null | undefined): etag is string {
  return !!etag && !etag.startsWith('W/');
}

/**
 * The validator of a response, or undefined when it has none strong enough to combine stored and
 * network bytes: a strong ETag, else Last-Modified (which callers pair with the size).
 */
export function validatorOf(headers: Headers): Validator | undefined {
  const etag = headers.get('ETag');
  const lastModified = headers.get('Last-Modified') ?? undefined;
  if (isStrongEtag(etag)) return lastModified ? { etag, lastModified } : { etag };
  if (lastModified) return { lastModified };
  return undefined;
}

/** Same version of the resource: equal strong ETags, or (without ETags) equal Last-Modified and size. */
export function sameVersion(a: Validator, aSizeBytes: number, b: Validator, bSizeBytes: number): boolean {
  if (aSizeBytes !== bSizeBytes) return false;
  if (a.etag || b.etag) return a.etag === b.etag;
  return a.lastModified !== undefined && a.lastModified === b.lastModified;
}

/** The value to send upstream as If-Range (RFC 9110 §13.1.5): the ETag, else the date. */
export function ifRangeValue(validator: Validator): string | undefined {
  return validator.etag ?? validator.lastModified;
}
