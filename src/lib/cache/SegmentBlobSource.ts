import type { SliceableSource } from '../range/createRangeResponse.js';
import { segmentIndexFor, segmentStart, type SegmentLayout } from '../store/segmentLayout.js';

/**
 * A file seen through its stored segment Blobs. `slice` composes a new Blob of the segment Blobs:
 * only metadata is copied, the bytes stay in the browser's blob storage (docs/platform-facts.md §2), so
 * the response built on it streams without touching the worker.
 *
 * Every Blob a worker creates (`new Blob`, `Blob.slice`) is registered with the browser by a
 * synchronous IPC (about 1 ms each on a busy machine, seen in a CPU profile of the worker), so a
 * slice costs at most two: the segments it spans composed whole, then one slice of that, and
 * none where it starts and ends on segment boundaries.
 *
 * What it cannot change: the browser reads a composed Blob one part after another, and each
 * stored segment is its own part with a setup cost when its read starts (64 MiB served as one
 * stored Blob read at 46-57 MiB/s, the same bytes as 128 slices of it at 26-27 MiB/s, on the
 * loaded bench machine). That, not the worker, bounds a warm sequential read of a large file.
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
    if (end <= start) return new Blob();
    const first = segmentIndexFor(start, this.layout.segmentSizeBytes);
    const last = segmentIndexFor(end - 1, this.layout.segmentSizeBytes);
    const parts: Blob[] = [];
    for (let index = first; index <= last; index += 1) {
      const blob = this.segments.get(index);
      if (!blob) throw new RangeError(`SegmentBlobSource: segment ${index} is not stored`);
      parts.push(blob);
    }
    const spanned = parts.length === 1 ? parts[0]! : new Blob(parts);
    const base = segmentStart(first, this.layout);
    return start === base && end - base === spanned.size ? spanned : spanned.slice(start - base, end - base);
  }
}
