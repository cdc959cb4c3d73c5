import { ifRangeMatches } from './ifRange.js';
import { parseRangeHeader } from './parseRangeHeader.js';
import { resolveRanges } from './resolveRanges.js';
import type { RangeResolution, Representation } from './types.js';

/**
 * Decides how to answer a request's Range and If-Range headers for one representation.
 *
 * An invalid Range (unknown unit, bad syntax, last-pos < first-pos) is ignored, giving 200 with
 * the whole representation, as Apache and send do, rather than rejected with 416 as nginx does.
 * RFC 9110 §14.2 allows both; we ignore because a 416 says "that range lies outside this
 * representation" (its Content-Range carries only the size), which is not what went wrong,
 * and because a media element treats a 416 as a fatal error while it plays a 200. For an unknown
 * unit §14.2 leaves no choice: the server MUST ignore it.
 */
export function evaluateRangeRequest(headers: Headers, representation: Representation): RangeResolution {
  const range = headers.get('Range');
  if (range === null) return { kind: 'full' };

  // RFC 9110 §13.1.5: a failed If-Range means "send me the whole new representation".
  const ifRange = headers.get('If-Range');
  if (ifRange !== null && !ifRangeMatches(ifRange, representation)) return { kind: 'full' };

  const parsed = parseRangeHeader(range);
  if (!parsed.ok) return { kind: 'full' };
  return resolveRanges(parsed.specs, representation.sizeBytes);
}
