/**
 * Which segments of a file are stored, one bit per segment (bit `i % 8` of byte `i >> 3`): 256
 * bytes for a 1 GiB file of 512 KiB segments.
 *
 * Why not a list of indices: the file record is read, changed and written back with every segment
 * stored, and each of those structured-clones it. A list of up to 2048 numbers made that O(segments)
 * garbage per segment written, O(segments²) over a file: in a cold read of 1 GiB by 4 readers the
 * worker's heap peaked about 10 MiB higher than with the list kept out of the record (ad hoc probe,
 * Chromium 156). A bitmap is 8× smaller than the list at its fullest and does not grow as segments
 * arrive.
 *
 * Bitmaps are values: the functions that change one return a new bitmap, so a record handed out
 * from the in-memory mirror never changes under its reader.
 */
export type SegmentBitmap = Uint8Array;

export function emptySegmentBitmap(segmentCount: number): SegmentBitmap {
  return new Uint8Array(Math.ceil(segmentCount / 8));
}

export function hasSegment(bitmap: SegmentBitmap, index: number): boolean {
  return index >= 0 && ((bitmap[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
}

/** A copy of `bitmap` with segment `index` set (the same bitmap when it already is). */
export function withSegment(bitmap: SegmentBitmap, index: number): SegmentBitmap {
  if (hasSegment(bitmap, index)) return bitmap;
  if (index < 0 || index >> 3 >= bitmap.length) throw new RangeError(`segment ${index} is outside a bitmap of ${bitmap.length * 8} segments`);
  const next = bitmap.slice();
  next[index >> 3]! |= 1 << (index & 7);
  return next;
}

/** The first stored segment after `index`, or undefined. Skips empty bytes eight segments at a time. */
export function nextStoredSegment(bitmap: SegmentBitmap, index: number): number | undefined {
  for (let candidate = Math.max(0, index + 1); candidate >> 3 < bitmap.length; candidate++) {
    if ((candidate & 7) === 0 && bitmap[candidate >> 3] === 0) {
      candidate += 7;
      continue;
    }
    if (hasSegment(bitmap, candidate)) return candidate;
  }
  return undefined;
}

/** The first segment below `segmentCount` that is not stored, or undefined when all are. */
export function firstMissingSegment(bitmap: SegmentBitmap, segmentCount: number): number | undefined {
  for (let index = 0; index < segmentCount; index++) {
    if ((index & 7) === 0 && bitmap[index >> 3] === 0xff && index + 8 <= segmentCount) {
      index += 7;
      continue;
    }
    if (!hasSegment(bitmap, index)) return index;
  }
  return undefined;
}

/** The stored segments' indices, ascending. */
export function storedSegmentIndices(bitmap: SegmentBitmap): number[] {
  const indices: number[] = [];
  for (let index = nextStoredSegment(bitmap, -1); index !== undefined; index = nextStoredSegment(bitmap, index)) indices.push(index);
  return indices;
}

export function segmentBitmapOf(indices: Iterable<number>, segmentCount: number): SegmentBitmap {
  const bitmap = emptySegmentBitmap(segmentCount);
  for (const index of indices) if (Number.isInteger(index) && index >= 0 && index < segmentCount) bitmap[index >> 3]! |= 1 << (index & 7);
  return bitmap;
}
