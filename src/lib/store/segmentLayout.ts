/** Arithmetic of aligned segments: segment `i` holds bytes [i·size, min((i+1)·size, fileSize)). */
export interface SegmentLayout {
  sizeBytes: number;
  segmentSizeBytes: number;
}

export function segmentIndexFor(offset: number, segmentSizeBytes: number): number {
  return Math.floor(offset / segmentSizeBytes);
}

export function segmentStart(index: number, layout: SegmentLayout): number {
  return index * layout.segmentSizeBytes;
}

/** One past the last byte of segment `index`. */
export function segmentEnd(index: number, layout: SegmentLayout): number {
  return Math.min((index + 1) * layout.segmentSizeBytes, layout.sizeBytes);
}

export function segmentLength(index: number, layout: SegmentLayout): number {
  return Math.max(0, segmentEnd(index, layout) - segmentStart(index, layout));
}

export function segmentCount(layout: SegmentLayout): number {
  return Math.ceil(layout.sizeBytes / layout.segmentSizeBytes);
}
