import type { RangeCache } from '../cache/RangeCache.js';
import type { SegmentFetch } from '../cache/SegmentFetch.js';
import type { FileRecord } from '../store/schema.js';
import { segmentEnd, segmentIndexFor, segmentStart } from '../store/segmentLayout.js';
import { rangeWriteTimeoutMs } from '../stream/adaptiveTimeout.js';

/**
 * Fetches the run of missing segments that starts at segment `first`, up to the next stored one
 * (or the file's end), window after window, joining any fetch in flight for the same bytes (a
 * player's, say) instead of asking the origin twice. It only drives the fetches: the bytes go to
 * storage as the fetches complete segments, and none are copied here. `afterJoin` runs once this
 * run's reader has joined its first fetch.
 */
export async function downloadRun(cache: RangeCache, file: FileRecord, first: number, signal: AbortSignal, afterJoin: () => void): Promise<void> {
  const { url } = file;
  const nextStored = file.storedSegments.find((index) => index > first);
  const runEnd = nextStored === undefined ? file.sizeBytes : segmentStart(nextStored, file);
  let position = segmentStart(first, file);
  while (position < runEnd && !signal.aborted) {
    const fetch =
      cache.fetcher.find(url, position) ??
      cache.fetcher.start({
        url,
        startOffset: position,
        // Downloads want throughput: the largest window, fetched back to back.
        endOffset: Math.min(position + cache.config.maxFetchWindowBytes, runEnd),
        runEndOffset: runEnd,
        knownValidator: file.validator,
        unitBytes: cache.config.rangeWriteBytes,
        timeoutFor: rangeWriteTimeoutMs,
      });
    position = await drive(fetch, position, signal, afterJoin);
    // The caller reads the file record next: let the segments this fetch completed land first.
    await fetch.storesSettled();
    if (fetch.storageFailure) throw fetch.storageFailure;
  }
}

/** Reads through one fetch from `position` without keeping the bytes; returns where it stopped. */
async function drive(fetch: SegmentFetch, start: number, signal: AbortSignal, afterJoin: () => void): Promise<number> {
  const cursor = fetch.attach(start);
  afterJoin();
  const stop = (): void => fetch.detach(cursor);
  signal.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      if (signal.aborted) return cursor.position;
      const piece = await fetch.read(cursor, 4 * 1024 * 1024);
      if (piece.kind === 'bytes') cursor.position += piece.bytes.byteLength;
      else if (piece.kind === 'blob') cursor.position += piece.blob.size;
      else if (piece.kind === 'passed') {
        // Already completed and handed to storage: skip to the next segment.
        const layout = { sizeBytes: fetch.sizeBytes ?? Number.POSITIVE_INFINITY, segmentSizeBytes: fetch.segmentSizeBytes };
        cursor.position = segmentEnd(segmentIndexFor(cursor.position, layout.segmentSizeBytes), layout);
      } else return cursor.position;
      fetch.nudge();
    }
  } finally {
    signal.removeEventListener('abort', stop);
    fetch.detach(cursor);
  }
}
