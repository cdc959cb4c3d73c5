import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptySegmentBitmap,
  firstMissingSegment,
  hasSegment,
  nextStoredSegment,
  segmentBitmapOf,
  storedSegmentIndices,
  withSegment,
} from './segmentBitmap.js';

describe('segment bitmap', () => {
  it('has a bit per segment, rounded up to whole bytes', () => {
    expect(emptySegmentBitmap(0).length).toBe(0);
    expect(emptySegmentBitmap(1).length).toBe(1);
    expect(emptySegmentBitmap(8).length).toBe(1);
    expect(emptySegmentBitmap(9).length).toBe(2);
    expect(emptySegmentBitmap(2048).length).toBe(256); // 1 GiB of 512 KiB segments
  });

  it('sets a segment in a copy and leaves the original as it was', () => {
    const empty = emptySegmentBitmap(20);
    const one = withSegment(empty, 13);
    expect(hasSegment(one, 13)).toBe(true);
    expect(hasSegment(empty, 13)).toBe(false);
    expect(withSegment(one, 13)).toBe(one);
    expect(storedSegmentIndices(withSegment(one, 0))).toEqual([0, 13]);
  });

  it('refuses a segment outside the bitmap, and has none there', () => {
    expect(() => withSegment(emptySegmentBitmap(8), 8)).toThrow(RangeError);
    expect(() => withSegment(emptySegmentBitmap(8), -1)).toThrow(RangeError);
    expect(hasSegment(emptySegmentBitmap(8), 64)).toBe(false);
    expect(hasSegment(segmentBitmapOf([0], 8), -8)).toBe(false);
  });

  it.each([
    { stored: [], after: -1, next: undefined },
    { stored: [0], after: -1, next: 0 },
    { stored: [0], after: 0, next: undefined },
    { stored: [3, 17], after: 3, next: 17 },
    { stored: [8, 9], after: 7, next: 8 },
    { stored: [2047], after: 100, next: 2047 },
  ])('the next stored segment after $after of $stored is $next', ({ stored, after, next }) => {
    expect(nextStoredSegment(segmentBitmapOf(stored, 2048), after)).toBe(next);
  });

  it.each([
    { stored: [], count: 0, missing: undefined },
    { stored: [], count: 3, missing: 0 },
    { stored: [0, 1, 2], count: 3, missing: undefined },
    { stored: [0, 1, 2, 3, 4, 5, 6, 7, 9], count: 10, missing: 8 },
    { stored: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], count: 10, missing: undefined },
    { stored: [0, 1, 2, 3, 4, 5, 6, 7], count: 9, missing: 8 },
  ])('the first missing of $count segments with $stored stored is $missing', ({ stored, count, missing }) => {
    expect(firstMissingSegment(segmentBitmapOf(stored, count), count)).toBe(missing);
  });

  it('ignores indices outside the file when built from a list (an old record cannot mark bytes that do not exist)', () => {
    expect(storedSegmentIndices(segmentBitmapOf([-1, 1.5, 2, 9, 10], 10))).toEqual([2, 9]);
  });

  it('answers like a set of indices for any stored segments and queries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.array(fc.nat(299)), fc.array(fc.integer({ min: -2, max: 305 }), { maxLength: 20 }), (count, indices, queries) => {
        const inside = indices.filter((index) => index < count);
        const model = new Set(inside);
        let bitmap = emptySegmentBitmap(count);
        for (const index of inside) bitmap = withSegment(bitmap, index);
        expect(bitmap).toEqual(segmentBitmapOf(indices, count));
        expect(storedSegmentIndices(bitmap)).toEqual([...model].sort((a, b) => a - b));
        for (const query of queries) {
          expect(hasSegment(bitmap, query)).toBe(model.has(query));
          const next = [...model].filter((index) => index > query).sort((a, b) => a - b)[0];
          expect(nextStoredSegment(bitmap, query)).toBe(next);
        }
        const missing = Array.from({ length: count }, (_, index) => index).find((index) => !model.has(index));
        expect(firstMissingSegment(bitmap, count)).toBe(missing);
      }),
    );
  });
});
