import { describe, expect, it } from 'vitest';
import type { FileRecord } from '../store/schema.js';
import { BACKGROUND_PIECE_BYTES, backgroundFetchId, remainingRanges, urlOfBackgroundFetch } from './backgroundFetch.js';
import { segmentBitmapOf } from '../store/segmentBitmap.js';

const SEGMENT = 512 * 1024;

function file(sizeBytes: number, storedSegments: number[]): FileRecord {
  return {
    url: 'https://lectures.test/media/a.mp4',
    sizeBytes,
    validator: { etag: '"a"' },
    contentType: 'video/mp4',
    segmentSizeBytes: SEGMENT,
    segmentBitmap: segmentBitmapOf(storedSegments, Math.ceil(sizeBytes / SEGMENT)),
    storedBytes: 0,
    createdAt: 0,
    lastAccessAt: 0,
  };
}

describe('remainingRanges', () => {
  it('is the runs of missing segments, in inclusive byte ranges, the last one ending at the file end', () => {
    const size = 10 * SEGMENT + 1000;
    expect(remainingRanges(file(size, [0, 1, 4, 5, 6]))).toEqual([
      { start: 2 * SEGMENT, end: 4 * SEGMENT - 1 },
      { start: 7 * SEGMENT, end: size - 1 },
    ]);
  });

  it('is empty for a whole file and the whole file for an empty one', () => {
    expect(remainingRanges(file(3 * SEGMENT, [0, 1, 2]))).toEqual([]);
    expect(remainingRanges(file(3 * SEGMENT - 7, []))).toEqual([{ start: 0, end: 3 * SEGMENT - 8 }]);
  });

  it('cuts long runs into pieces of at most BACKGROUND_PIECE_BYTES on segment boundaries', () => {
    const size = 2 * BACKGROUND_PIECE_BYTES + 3 * SEGMENT;
    const pieces = remainingRanges(file(size, []));
    expect(pieces).toEqual([
      { start: 0, end: BACKGROUND_PIECE_BYTES - 1 },
      { start: BACKGROUND_PIECE_BYTES, end: 2 * BACKGROUND_PIECE_BYTES - 1 },
      { start: 2 * BACKGROUND_PIECE_BYTES, end: size - 1 },
    ]);
    for (const piece of pieces) expect(piece.start % SEGMENT).toBe(0);
  });

  it('merges the runs separated by the fewest stored segments when there are too many', () => {
    // Missing: 0, 2, 4..5, 9 (stored between them: 1 | 3 | 6,7,8).
    const ranges = remainingRanges(file(10 * SEGMENT, [1, 3, 6, 7, 8]), 2);
    expect(ranges).toEqual([
      { start: 0, end: 6 * SEGMENT - 1 },
      { start: 9 * SEGMENT, end: 10 * SEGMENT - 1 },
    ]);
  });

  it('covers every missing byte, whatever the layout', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round += 1) {
      const count = 1 + Math.floor(random() * 80);
      const size = (count - 1) * SEGMENT + 1 + Math.floor(random() * SEGMENT);
      const stored = Array.from({ length: count }, (_, index) => index).filter(() => random() < 0.5);
      const ranges = remainingRanges(file(size, stored), 1 + Math.floor(random() * 5));
      for (let index = 0; index < count; index += 1) {
        if (stored.includes(index)) continue;
        const start = index * SEGMENT;
        const end = Math.min(size, start + SEGMENT) - 1;
        expect(ranges.some((range) => range.start <= start && range.end >= end), `segment ${index} of ${count}`).toBe(true);
      }
      for (const range of ranges) {
        expect(range.end - range.start + 1).toBeLessThanOrEqual(BACKGROUND_PIECE_BYTES);
        expect(range.end).toBeLessThan(size);
      }
    }
  });
});

describe('background fetch ids', () => {
  it('round-trip the URL and ignore other ids', () => {
    const url = 'https://lectures.test/media/a.mp4?x=1';
    expect(urlOfBackgroundFetch(backgroundFetchId(url))).toBe(url);
    expect(urlOfBackgroundFetch('someone-else:1')).toBeUndefined();
  });
});
