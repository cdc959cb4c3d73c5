/**
 * Every failure the library reports carries one of these codes. Codes are append-only: once
 * published, a code is never renamed or reused, so apps and tests can rely on them.
 */
const messages = {
  'range-unit-not-bytes': 'The Range header uses a unit other than bytes.',
  'range-malformed': 'The Range header is not a valid bytes range set.',
  'range-unsatisfiable': 'No range in the Range header overlaps the representation.',
  'content-range-malformed': 'The upstream Content-Range header is missing or invalid.',
  'upstream-status': 'The upstream answered with a status the cache cannot use.',
  'upstream-range-mismatch': 'The upstream answered a different range than the one requested.',
  'upstream-length-mismatch': 'The upstream body length differs from its declared length.',
  'upstream-stalled': 'The upstream sent no bytes within the adaptive timeout.',
  'upstream-failed': 'The upstream request failed.',
  'validator-changed': 'The resource changed upstream while it was being read.',
  'storage-timeout': 'A storage write did not finish within the adaptive timeout.',
  'storage-failed': 'A storage operation failed.',
  'segment-invalid': 'A stored segment does not have its expected length.',
  'reader-cancelled': 'The reader went away.',
  'not-cacheable': 'The response may not be stored.',
  'quota-exceeded': 'Storage is full: evicting cached files did not make room.',
  'insufficient-quota': 'The file does not fit in the storage this site may use.',
  'integrity-failed': 'The downloaded file failed verification.',
  'unknown-download': 'There is no download of this URL.',
  'bad-request': 'The message is not a well-formed request.',
  'worker-unavailable': 'No service worker answered: none controls this page, or it did not reply in time.',
} as const;

/** Every code a `MediaCacheError` can carry (README, "Error codes"). Append-only. */
export type MediaCacheErrorCode = keyof typeof messages;

export interface MediaCacheErrorDetails {
  [key: string]: unknown;
}

/**
 * The one error class of the library: `code` says what failed (test it, never the message),
 * `details` what it failed on, `cause` the platform error behind it where there is one.
 */
export class MediaCacheError extends Error {
  override readonly name = 'MediaCacheError';

  constructor(
    readonly code: MediaCacheErrorCode,
    readonly details: MediaCacheErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(`${messages[code]} (${code})`, options);
  }
}

/** Whether `error` is a `MediaCacheError` (with `code`, when given). */
export function isMediaCacheError(error: unknown, code?: MediaCacheErrorCode): error is MediaCacheError {
  return error instanceof MediaCacheError && (code === undefined || error.code === code);
}
