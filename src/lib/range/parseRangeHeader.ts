import type { MediaCacheErrorCode } from '../errors/MediaCacheError.js';
import type { RangeSpec } from './types.js';

export type ParsedRange =
  | { ok: true; specs: RangeSpec[] }
  | { ok: false; code: Extract<MediaCacheErrorCode, 'range-unit-not-bytes' | 'range-malformed'> };

// RFC 9110 §5.6.2 token: what a range-unit may be.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DIGITS = /^[0-9]+$/;
const MALFORMED: ParsedRange = { ok: false, code: 'range-malformed' };

/** OWS is SP / HTAB only (RFC 9110 §5.6.3); other whitespace is not trimmed. */
function trimOws(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * A position as a number: exact up to Number.MAX_SAFE_INTEGER, Infinity beyond it. No size a
 * response can have is that large, so Infinity compares with every size as the true value would:
 * a last-pos past the end is clamped, a first-pos past it is unsatisfiable, a suffix longer than
 * the file is all of it (RFC 9110 §14.1.2). Rounding such a value instead would shift the range.
 */
function parsePosition(text: string): number | undefined {
  if (!DIGITS.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : Number.POSITIVE_INFINITY;
}

/** Compares two digit strings by value, at any length (leading zeros do not count). */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=.)/, '');
  const y = b.replace(/^0+(?=.)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function parseRangeSpec(text: string): RangeSpec | undefined {
  const hyphen = text.indexOf('-');
  if (hyphen === -1) return undefined;
  // Whitespace around the hyphen is outside the RFC 9110 ABNF, but the Fetch Standard's
  // "parse a single range header value" allows it and browsers accept "bytes=5 - 10"
  // (wpt fetch/range/blob.any.js); accepting it costs nothing and never changes a valid value.
  const firstText = trimOws(text.slice(0, hyphen));
  const lastText = trimOws(text.slice(hyphen + 1));
  if (firstText === '') {
    const length = parsePosition(lastText);
    return length === undefined ? undefined : { kind: 'suffix', length };
  }
  const first = parsePosition(firstText);
  if (first === undefined) return undefined;
  if (lastText === '') return { kind: 'from', first };
  const last = parsePosition(lastText);
  // RFC 9110 §14.1.1: last-pos < first-pos makes the range-spec invalid, not unsatisfiable. Compared
  // as digits: two positions past 2^53 are both Infinity as numbers.
  if (last === undefined || compareDigits(lastText, firstText) < 0) return undefined;
  return { kind: 'bounded', first, last };
}

/**
 * Parses a Range field value into its range-specs without knowing the representation size.
 * One invalid range-spec invalidates the whole ranges-specifier (RFC 9110 §14.2 speaks of an
 * invalid ranges-specifier as a unit); unlike range-parser we do not keep the valid remainder,
 * as Apache does not.
 */
export function parseRangeHeader(header: string): ParsedRange {
  const equals = header.indexOf('=');
  if (equals === -1) return MALFORMED;
  // OWS around "=" is again Fetch leniency ("bytes \t =\t 6-" in wpt blob.any.js).
  const unit = trimOws(header.slice(0, equals));
  if (!TOKEN.test(unit)) return MALFORMED;
  // RFC 9110 §14.1: range units are compared case-insensitively.
  if (unit.toLowerCase() !== 'bytes') return { ok: false, code: 'range-unit-not-bytes' };

  const specs: RangeSpec[] = [];
  for (const element of header.slice(equals + 1).split(',')) {
    const trimmed = trimOws(element);
    // RFC 9110 §5.6.1.2: a recipient ignores empty list elements ("bytes=0-1,,2-3", "bytes=0-5,").
    if (trimmed === '') continue;
    const spec = parseRangeSpec(trimmed);
    if (spec === undefined) return MALFORMED;
    specs.push(spec);
  }
  // range-set is 1#range-spec: at least one non-empty element ("bytes=", "bytes= , ").
  return specs.length === 0 ? MALFORMED : { ok: true, specs };
}
