import { describe, expect, it } from 'vitest';
import { MAX_RANGE_PARTS, MIN_MULTIPART_PART_OVERHEAD_BYTES, resolveRanges } from './resolveRanges.js';
import type { RangeResolution, RangeSpec } from './types.js';
import { loadVector } from '../../../test/loadVector.js';

const bounded = (first: number, last: number): RangeSpec => ({ kind: 'bounded', first, last });
const from = (first: number): RangeSpec => ({ kind: 'from', first });
const suffix = (length: number): RangeSpec => ({ kind: 'suffix', length });
const partial = (...pairs: [number, number][]): RangeResolution => ({
  kind: 'partial',
  ranges: pairs.map(([start, end]) => ({ start, end })),
});
const gap = MIN_MULTIPART_PART_OVERHEAD_BYTES;

describe('resolveRanges', () => {
  it.each<[string, RangeSpec[], number, RangeResolution]>([
    ['bounded inside', [bounded(0, 499)], 1000, partial([0, 499])],
    ['last byte only', [bounded(999, 999)], 1000, partial([999, 999])],
    ['last-pos clamped to size-1 (§14.1.2)', [bounded(5, 10)], 10, partial([5, 9])],
    ['huge last-pos clamped', [bounded(4, 100_000_000_000)], 13, partial([4, 12])],
    ['open-ended', [from(3)], 9, partial([3, 8])],
    ['open-ended from 0', [from(0)], 9, partial([0, 8])],
    ['suffix', [suffix(3)], 9, partial([6, 8])],
    ['suffix equal to size', [suffix(9)], 9, partial([0, 8])],
    ['suffix longer than size = whole representation (§14.1.2)', [suffix(20)], 10, partial([0, 9])],
    ['first-pos at size is unsatisfiable', [from(10)], 10, { kind: 'unsatisfiable' }],
    ['first-pos past size is unsatisfiable', [bounded(20, 30)], 10, { kind: 'unsatisfiable' }],
    ['zero suffix is unsatisfiable', [suffix(0)], 10, { kind: 'unsatisfiable' }],
    ['unsatisfiable specs are dropped', [bounded(100, 200), bounded(0, 0), suffix(0)], 10, partial([0, 0])],
    ['overlaps coalesce', [bounded(0, 5), bounded(3, 8)], 100, partial([0, 8])],
    ['contained range coalesces', [bounded(0, 50), bounded(10, 20)], 100, partial([0, 50])],
    ['adjacent ranges coalesce', [bounded(0, 4), bounded(5, 9)], 100, partial([0, 9])],
    ['duplicate ranges coalesce', [bounded(0, 0), bounded(0, 0)], 100, partial([0, 0])],
    ['a gap just under the part overhead coalesces', [bounded(0, 0), bounded(gap, gap)], 1000, partial([0, gap])],
    [
      'a gap of exactly the part overhead stays two parts',
      [bounded(0, 0), bounded(gap + 1, gap + 1)],
      1000,
      partial([0, 0], [gap + 1, gap + 1]),
    ],
    [
      'ranges are sorted regardless of request order (§15.3.7.2)',
      [suffix(10), bounded(0, 9)],
      1000,
      partial([0, 9], [990, 999]),
    ],
    ['coalescing is order-independent', [bounded(50, 60), bounded(0, 5), bounded(6, 49)], 1000, partial([0, 60])],
    ['overlapping suffix and from coalesce', [suffix(500), from(100)], 1000, partial([100, 999])],
    // RFC 9110 §14.1.2 on zero-length representations; see resolveRanges for the suffix choice.
    ['size 0: int-range is unsatisfiable', [from(0)], 0, { kind: 'unsatisfiable' }],
    ['size 0: bounded is unsatisfiable', [bounded(0, 0)], 0, { kind: 'unsatisfiable' }],
    ['size 0: zero suffix is unsatisfiable', [suffix(0)], 0, { kind: 'unsatisfiable' }],
    ['size 0: non-zero suffix => 200 empty', [suffix(1)], 0, { kind: 'full' }],
    ['size 0: any non-zero suffix => 200 empty', [from(0), suffix(5)], 0, { kind: 'full' }],
    ['no specs => full', [], 10, { kind: 'full' }],
  ])('%s', (_name, specs, sizeBytes, expected) => {
    expect(resolveRanges(specs, sizeBytes)).toEqual(expected);
  });

  it(`answers 206 with up to ${MAX_RANGE_PARTS} parts and 200 beyond`, () => {
    const spaced = (count: number): RangeSpec[] =>
      Array.from({ length: count }, (_, index) => bounded(index * 100, index * 100));
    const atCap = resolveRanges(spaced(MAX_RANGE_PARTS), 1_000_000);
    expect(atCap.kind === 'partial' && atCap.ranges.length).toBe(MAX_RANGE_PARTS);
    expect(resolveRanges(spaced(MAX_RANGE_PARTS + 1), 1_000_000)).toEqual({ kind: 'full' });
  });

  it('counts parts after coalescing, so many touching ranges are one part', () => {
    const touching = Array.from({ length: 1000 }, (_, index) => bounded(index, index));
    expect(resolveRanges(touching, 1000)).toEqual(partial([0, 999]));
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('rejects size %s with a RangeError', (sizeBytes) => {
    expect(() => resolveRanges([from(0)], sizeBytes)).toThrow(RangeError);
  });
});

/**
 * workbox-range-requests' calculateEffectiveBoundaries tests (GoogleChrome/workbox @ 7e59a84,
 * test/workbox-range-requests/sw/utils/test-calculateEffectiveBoundaries.mjs, MIT) on a
 * 256-byte blob; workbox's {start, end} is half-open and end holds a suffix length when start is null.
 */
interface BoundaryVectors {
  calculateEffectiveBoundaries: {
    valid: { in: { start: number | null; end: number | null }; expect: { start: number; end: number } }[];
    errors: { in: { start: number; end: number }; expect: string }[];
  };
}

describe('resolveRanges against workbox calculateEffectiveBoundaries vectors', () => {
  const vectors = loadVector<BoundaryVectors>('workbox-range-requests.json').calculateEffectiveBoundaries;
  const toSpec = ({ start, end }: { start: number | null; end: number | null }): RangeSpec =>
    start === null ? suffix(end ?? 0) : end === null ? from(start) : bounded(start, end);

  it.each(vectors.valid)('valid %j', (row) => {
    expect(resolveRanges([toSpec(row.in)], 256)).toEqual(partial([row.expect.start, row.expect.end - 1]));
  });

  // Both workbox error rows differ from RFC 9110, listed with what we do instead.
  const expectedDifferences: { start: number; end: number; check: () => void; reason: string }[] = [
    {
      start: -1,
      end: 1,
      // A negative first-pos cannot be written in a Range header: "bytes=-1-1" is malformed.
      check: () => expect(resolveRanges([suffix(1)], 256)).toEqual(partial([255, 255])),
      reason: 'RangeSpec cannot hold a negative first-pos; the header form is rejected by parseRangeHeader',
    },
    {
      start: 0,
      end: 257,
      check: () => expect(resolveRanges([bounded(0, 257)], 256)).toEqual(partial([0, 255])),
      reason: 'RFC 9110 §14.1.2 clamps a last-pos beyond the end; workbox answers 416',
    },
  ];

  it.each(vectors.errors)('error %j is a listed difference', (row) => {
    const difference = expectedDifferences.find((d) => d.start === row.in.start && d.end === row.in.end);
    expect(difference, 'every workbox error row is listed').toBeDefined();
    difference?.check();
  });
});
