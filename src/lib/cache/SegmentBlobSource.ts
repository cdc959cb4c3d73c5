import type { SliceableSource } from '../range/createRangeResponse.js';
import { segmentEnd, segmentIndexFor, segmentStart, type SegmentLayout } from '../store/segmentLayout.js';

/**
 * A file seen through its stored segment Blobs. `slice` composes a new Blob of slices of the
 * segment Blobs: only metadata is copied, the bytes stay in the browser's blob storage
 * (DESIGN.md, fact 2), so the response built on it streams without touching the worker.
 */
export class SegmentBlobSource implements SliceableSource {
  readonly size: number;

  constructor(
    private readonly segments: ReadonlyMap<number, Blob>,
    private readonly layout: SegmentLayout,
  ) {
    this.size = layout.sizeBytes;
  }

  /** For answers that carry no bytes (416, an empty file). */
  static empty(sizeBytes: number): SegmentBlobSource {
    return new SegmentBlobSource(new Map(), { sizeBytes, segmentSizeBytes: Math.max(1, sizeBytes) });
  }

  slice(start = 0, end = this.size): Blob {
    const parts: Blob[] = [];
    if (end > start) {
      const last = segmentIndexFor(end - 1, this.layout.segmentSizeBytes);
      for (let index = segmentIndexFor(start, this.layout.segmentSizeBytes); index <= last; index += 1) {
        const blob = this.segments.get(index);
        if (!blob) throw new RangeError(`SegmentBlobSource: segment ${index} is not stored`);
        const base = segmentStart(index, this.layout);
        parts.push(blob.slice(Math.max(start, base) - base, Math.min(end, segmentEnd(index, this.layout)) - base));
      }
    }
    return parts.length === 1 ? parts[0]! : new Blob(parts);
  }
}
