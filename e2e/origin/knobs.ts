import type { IncomingMessage } from 'node:http';

/**
 * The test origin's fault knobs, read from a request's query (see the list at the top of
 * server.ts): each knob set is its own URL, so its own cache key.
 */
export interface Knobs {
  stallAfter?: number;
  resetAfter?: number;
  trickle?: number;
  delayMs?: number;
  shortBody?: number;
  status?: number;
  ignoreRange: boolean;
  badContentRange: boolean;
  noContentRange: boolean;
  noAcceptRanges: boolean;
  lastModifiedOnly: boolean;
  /** Neither ETag nor Last-Modified. */
  noValidators: boolean;
  noStore: boolean;
  etag?: string;
  cors: boolean;
  /** A cookie the request must carry; without it the answer is a 302 to the login page. */
  requireCookie?: string;
  /** Each request of this path + query serves the next version of a generated file (1, 2, …). */
  versionPerRequest: boolean;
  /** The request's signature (X-Amz-Signature, Signature or token) is accepted once, then 403. */
  oneUseSignature: boolean;
  /** A `Vary` header to send. */
  vary?: string;
  /** Content-Disposition, Content-Security-Policy, X-Content-Type-Options, Cross-Origin-Resource-Policy. */
  securityHeaders: boolean;
  /** The headers wait while the gate of this name is closed (`POST /__origin/gate`). */
  gate?: string;
}

export function numberKnob(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function textKnob(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  return value === null || value === '' ? undefined : value;
}

export function readKnobs(params: URLSearchParams): Knobs {
  return {
    stallAfter: numberKnob(params, 'stallAfter'),
    resetAfter: numberKnob(params, 'resetAfter'),
    trickle: numberKnob(params, 'trickle'),
    delayMs: numberKnob(params, 'delayMs'),
    shortBody: numberKnob(params, 'shortBody'),
    status: numberKnob(params, 'status'),
    ignoreRange: params.get('ignoreRange') === '1',
    badContentRange: params.get('badContentRange') === '1',
    noContentRange: params.get('noContentRange') === '1',
    noAcceptRanges: params.get('noAcceptRanges') === '1',
    lastModifiedOnly: params.get('lastModifiedOnly') === '1',
    noValidators: params.get('noValidators') === '1',
    noStore: params.get('noStore') === '1',
    etag: params.get('etag') ?? undefined,
    cors: params.get('cors') === '1',
    requireCookie: textKnob(params, 'requireCookie'),
    versionPerRequest: params.get('versionPerRequest') === '1',
    oneUseSignature: params.get('oneUseSignature') === '1',
    vary: textKnob(params, 'vary'),
    securityHeaders: params.get('securityHeaders') === '1',
    gate: textKnob(params, 'gate'),
  };
}

/** The CORS response headers of the `cors` knob (none without it). */
export function corsHeaders(req: IncomingMessage, knobs: Knobs): Record<string, string> {
  if (!knobs.cors) return {};
  return {
    'Access-Control-Allow-Origin': req.headers.origin ?? '*',
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges, ETag, Last-Modified, Content-Disposition',
  };
}

/** The headers of the `securityHeaders` knob, as the specs expect to see them on every answer. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Disposition': 'inline; filename="lecture.bin"',
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

/** `Vary` from the `vary` and `cors` knobs (CORS answers vary on Origin). */
export function varyHeader(knobs: Knobs): Record<string, string> {
  const values = [...(knobs.cors ? ['Origin'] : []), ...(knobs.vary ? [knobs.vary] : [])];
  return values.length > 0 ? { Vary: values.join(', ') } : {};
}

/** The signing parameters the `oneUseSignature` knob looks at (S3, CloudFront, a token). */
const SIGNATURE_PARAMS = ['X-Amz-Signature', 'Signature', 'token'];

/** The request's signature, or undefined when it carries none. */
export function signatureOf(params: URLSearchParams): string | undefined {
  for (const name of SIGNATURE_PARAMS) {
    const value = params.get(name);
    if (value) return `${name}=${value}`;
  }
  return undefined;
}

/** Whether the request carries cookie `name` (any value). */
export function hasCookie(req: IncomingMessage, name: string): boolean {
  return (req.headers.cookie ?? '').split(';').some((pair) => pair.trim().split('=')[0] === name);
}
