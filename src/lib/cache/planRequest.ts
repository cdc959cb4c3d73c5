import { parseRangeHeader } from '../range/parseRangeHeader.js';
import type { ByteRange, RangeResolution, Representation } from '../range/types.js';
import type { FileHead } from '../store/SegmentStore.js';
import { segmentIndexFor } from '../store/segmentLayout.js';

// Small pure steps of planning an answer: which ranges, which segments, where to probe.

export function representationOf(head: FileHead): Representation {
  return { sizeBytes: head.sizeBytes, contentType: head.contentType, ...head.validator };
}

export function rangesOf(resolution: RangeResolution, sizeBytes: number): ByteRange[] {
  if (resolution.kind === 'partial') return resolution.ranges;
  if (resolution.kind === 'full' && sizeBytes > 0) return [{ start: 0, end: sizeBytes - 1 }];
  return [];
}

export function segmentsOf(ranges: ByteRange[], segmentSizeBytes: number): number[] {
  const indices = new Set<number>();
  for (const { start, end } of ranges) {
    for (let index = segmentIndexFor(start, segmentSizeBytes); index <= segmentIndexFor(end, segmentSizeBytes); index += 1) {
      indices.add(index);
    }
  }
  return [...indices].sort((a, b) => a - b);
}

/** Where the first byte a request wants probably is, before the size is known. */
export function probeOffset(rangeHeader: string | null): number {
  if (rangeHeader === null) return 0;
  const parsed = parseRangeHeader(rangeHeader);
  if (!parsed.ok) return 0;
  let first = Number.POSITIVE_INFINITY;
  for (const spec of parsed.specs) {
    // A suffix range's start depends on the size this probe is about to learn.
    first = Math.min(first, spec.kind === 'suffix' ? 0 : spec.first);
  }
  return Number.isFinite(first) ? first : 0;
}

export function stripFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}
