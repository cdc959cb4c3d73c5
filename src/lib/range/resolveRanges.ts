import type { ByteRange, RangeResolution, RangeSpec } from './types.js';

/**
 * The smallest part header createRangeResponse writes between two parts:
 * CRLF "--" boundary(32) CRLF "Content-Range: bytes 0-0/1" CRLF CRLF, without Content-Type.
 * Two ranges closer than this cost fewer bytes as one part (RFC 9110 §15.3.7.2 allows
 * coalescing ranges "separated by a gap that is smaller than the overhead of sending multiple
 * parts, regardless of the order"). createRangeResponse's tests check the bound holds.
 * @private
 */
export const MIN_MULTIPART_PART_OVERHEAD_BYTES = 68;

/**
 * More parts than this after coalescing is answered with the whole representation: RFC 9110
 * §14.2 names "many small ranges" as a sign of a broken client or a denial-of-service attack,
 * and media elements only ever ask for one range.
 * @private
 */
export const MAX_RANGE_PARTS = 200;

function toByteRange(spec: RangeSpec, sizeBytes: number): ByteRange | undefined {
  switch (spec.kind) {
    case 'bounded':
      // RFC 9110 §14.1.2: a last-pos at or beyond the end is taken to be the last byte.
      return spec.first < sizeBytes ? { start: spec.first, end: Math.min(spec.last, sizeBytes - 1) } : undefined;
    case 'from':
      return spec.first < sizeBytes ? { start: spec.first, end: sizeBytes - 1 } : undefined;
    case 'suffix':
      // A suffix longer than the representation means all of it; a zero suffix asks for nothing.
      return spec.length > 0 ? { start: Math.max(0, sizeBytes - spec.length), end: sizeBytes - 1 } : undefined;
  }
}

/** Applies range-specs to a size: clamps, drops the unsatisfiable ones, sorts and coalesces. */
export function resolveRanges(specs: RangeSpec[], sizeBytes: number): RangeResolution {
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) {
    throw new RangeError(`resolveRanges: sizeBytes must be a non-negative safe integer, got ${sizeBytes}`);
  }
  // An empty range-set is not a ranges-specifier (1#range-spec); treat it as an invalid one.
  if (specs.length === 0) return { kind: 'full' };
  if (sizeBytes === 0) {
    // RFC 9110 §14.1.2: on a zero-length representation only a non-zero suffix-range is
    // satisfiable, yet no incl-range can describe its empty result; §14.2 lets a server ignore
    // Range when the representation has no content, so that case is a 200 with an empty body.
    return specs.some((spec) => spec.kind === 'suffix' && spec.length > 0) ? { kind: 'full' } : { kind: 'unsatisfiable' };
  }

  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const range = toByteRange(spec, sizeBytes);
    if (range !== undefined) ranges.push(range);
  }
  if (ranges.length === 0) return { kind: 'unsatisfiable' };

  ranges.sort((a, b) => a.start - b.start || a.end - b.end);
  const coalesced: ByteRange[] = [];
  let current = ranges[0]!;
  for (const next of ranges.slice(1)) {
    const gapBytes = next.start - current.end - 1;
    if (gapBytes < MIN_MULTIPART_PART_OVERHEAD_BYTES) {
      current = { start: current.start, end: Math.max(current.end, next.end) };
    } else {
      coalesced.push(current);
      current = next;
    }
  }
  coalesced.push(current);

  return coalesced.length > MAX_RANGE_PARTS ? { kind: 'full' } : { kind: 'partial', ranges: coalesced };
}
