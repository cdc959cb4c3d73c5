import type { Representation } from './types.js';

// RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text.
const STRONG_ENTITY_TAG = /^"[\x21\x23-\x7e\x80-\xff]*"$/;

function trimOws(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * Evaluates an If-Range condition (RFC 9110 §13.1.5). An entity tag matches only by strong
 * comparison (§8.8.3.2): a weak tag on either side never matches, because a weakly equal
 * representation may differ in bytes and a range of it must not be spliced onto the client's copy.
 * A date matches only when it is a valid HTTP-date and is exactly the Last-Modified field value;
 * we compare the text, not the instant, as "exactly matches" asks (a client echoes the value it got).
 * §13.1.5 also requires the date to be a strong validator (§8.8.2.2: at least a second older
 * than the Date of the response that carried it); this layer has no Date to check, so the cache
 * keeps only Last-Modified values it received with a sound Date.
 */
export function ifRangeMatches(
  ifRange: string,
  representation: Pick<Representation, 'etag' | 'lastModified'>,
): boolean {
  const value = trimOws(ifRange);
  if (value.startsWith('"') || value.startsWith('W/')) {
    const etag = representation.etag;
    return STRONG_ENTITY_TAG.test(value) && etag !== undefined && etag === value;
  }
  const lastModified = representation.lastModified;
  return lastModified !== undefined && value === trimOws(lastModified) && !Number.isNaN(Date.parse(value));
}
