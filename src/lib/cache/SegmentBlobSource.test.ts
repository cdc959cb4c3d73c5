import { describe, expect, it } from 'vitest';
import { SegmentBlobSource } from './SegmentBlobSource.js';

const file = Uint8Array.from({ length: 23 }, (_, i) => i);
const layout = { sizeBytes: 23, segmentSizeBytes: 8 };
const segments = new Map([0, 1, 2].map((index) => [index, new Blob([file.subarray(index * 8, index * 8 + 8)])]));

describe('SegmentBlobSource', () => {
  it.each([
    [0, 23],
    [0, 8],
    [3, 5],
    [7, 9],
    [5, 21],
    [16, 23],
    [22, 23],
  ])('slice(%i, %i) equals the file bytes', async (start, end) => {
    const source = new SegmentBlobSource(segments, layout);
    const blob = source.slice(start, end);
    expect(blob.size).toBe(end - start);
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(file.subarray(start, end));
  });

  it('hands out a stored segment itself when the slice is exactly that segment', () => {
    const source = new SegmentBlobSource(segments, layout);
    expect(source.slice(8, 16)).toBe(segments.get(1));
    expect(source.slice(16, 23)).toBe(segments.get(2));
  });

  it('refuses to slice across a segment that is not stored', () => {
    const sparse = new SegmentBlobSource(new Map([[0, segments.get(0)!], [2, segments.get(2)!]]), layout);
    expect(() => sparse.slice(4, 20)).toThrow(RangeError);
    expect(sparse.slice(16, 20).size).toBe(4);
  });

  it('gives an empty slice for an empty interval', () => {
    expect(SegmentBlobSource.empty(10).slice(0, 0).size).toBe(0);
  });
});
