/**
 * Query parameters that sign a URL rather than name a file: a new signature is the same file.
 * Matched without regard to case.
 * - Amazon S3 (Signature Version 4 and 2): `X-Amz-*`, `AWSAccessKeyId`, `Signature`, `Expires`,
 *   and `x-id`, which AWS's SDK adds to presigned URLs.
 * - Google Cloud Storage: `X-Goog-*`, `GoogleAccessId`, `Signature`, `Expires`.
 * - Amazon CloudFront: `Expires`, `Signature`, `Key-Pair-Id`, `Policy`.
 * - Token schemes of CDNs and lecture platforms: `token`, `expires`, Akamai's `hdnts` and `__token__`.
 */
export const SIGNING_PARAMS: readonly string[] = [
  'awsaccesskeyid',
  'signature',
  'expires',
  'x-id',
  'googleaccessid',
  'key-pair-id',
  'policy',
  'token',
  'hdnts',
  '__token__',
];

/** Prefixes of signing parameters (S3's and Google Cloud Storage's V4 signatures). */
export const SIGNING_PARAM_PREFIXES: readonly string[] = ['x-amz-', 'x-goog-'];

/** Options of `stripSigningParams`. */
export interface StripSigningParamsOptions {
  /** More parameter names to drop (an Azure SAS's `sig`, `se`, `sp`…, or the app's own). Case-insensitive. */
  params?: readonly string[];
}

/**
 * `url` without its fragment and without the query parameters that sign it (`SIGNING_PARAMS`,
 * `SIGNING_PARAM_PREFIXES`, and `options.params`); the other parameters keep their order. The
 * same file under any signature gives the same string, so it can key the stored file; applied to
 * its own result it gives the same again. A string that is not an absolute URL comes back as it is.
 */
export function stripSigningParams(url: string, options: StripSigningParamsOptions = {}): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const extra = new Set((options.params ?? []).map((name) => name.toLowerCase()));
  const signs = (name: string): boolean => {
    const lower = name.toLowerCase();
    return SIGNING_PARAMS.includes(lower) || extra.has(lower) || SIGNING_PARAM_PREFIXES.some((prefix) => lower.startsWith(prefix));
  };
  parsed.hash = '';
  if (parsed.search === '') return parsed.href;
  // The other parameters keep their bytes as written (`%20` stays `%20`), so that a URL without
  // signing parameters is its own key.
  const pieces = parsed.search.slice(1).split('&');
  const kept = pieces.filter((piece) => !signs(parameterName(piece)));
  if (kept.length === pieces.length) return parsed.href;
  parsed.search = kept.length === 0 ? '' : `?${kept.join('&')}`;
  return parsed.href;
}

/** The decoded name of one `name=value` piece of a query (as written when it does not decode). */
function parameterName(piece: string): string {
  const name = piece.split('=', 1)[0]!.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * A ready `cacheKey` for signed and expiring URLs (S3, CloudFront, Google Cloud Storage, token
 * CDNs): `createMediaCacheHandler({ cacheKey: signedUrlCacheKey })`. A lecture downloaded under one
 * signature is found again under the next. Upstream requests still go to the URL asked for.
 */
export function signedUrlCacheKey(request: Request): string {
  return stripSigningParams(request.url);
}
