/**
 * The origin's response headers that an answer built by the cache keeps, stored or not: what the
 * page and the browser act on besides the bytes. A file's own security policy (CSP, nosniff,
 * CORP), how it is to be shown or saved (Content-Disposition, Content-Language), and the CORS
 * headers of a cross-origin file. Framing, validators and caching headers are the cache's own.
 */
export const ORIGIN_HEADERS_KEPT: readonly string[] = [
  'Content-Disposition',
  'Content-Language',
  'Content-Security-Policy',
  'Content-Security-Policy-Report-Only',
  'X-Content-Type-Options',
  'Cross-Origin-Resource-Policy',
  'Timing-Allow-Origin',
  'Access-Control-Allow-Origin',
  'Access-Control-Allow-Credentials',
  'Access-Control-Expose-Headers',
];

/** Longest header value kept: a record is read with every answer, and no real policy is this long. */
const MAX_VALUE_LENGTH = 4096;

/** The kept headers of an upstream response, by their canonical names; absent ones are left out. */
export function originHeadersOf(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ORIGIN_HEADERS_KEPT) {
    const value = headers.get(name);
    if (value !== null && value.length <= MAX_VALUE_LENGTH) kept[name] = value;
  }
  return kept;
}
