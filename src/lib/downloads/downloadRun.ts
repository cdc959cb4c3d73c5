import type { RangeCache } from '../cache/RangeCache.js';
import type { FetchCursor, SegmentFetch } from '../cache/SegmentFetch.js';
import type { FileRecord } from '../store/schema.js';
import { segmentEnd, segmentIndexFor, segmentStart } from '../store/segmentLayout.js';
import { rangeWriteTimeoutMs } from '../stream/adaptiveTimeout.js';

/**
 * Fetches the run of missing segments that starts at segment `first`, up to the next stored one
 * (or the file's end), window after window, joining any fetch in flight for the same bytes (a
 * player's, say) instead of asking the origin twice. It only drives the fetches: the bytes go to
 * storage as the fetches complete segments, and none are copied here. The next window is asked
 * for when the current one is half read, so the transfer does not stop between windows.
 * `afterJoin` runs once this run's reader has joined its first fetch.
 */
export async function downloadRun(cache: RangeCache, file: FileRecord, first: number, signal: AbortSignal, afterJoin: () => void): Promise<void> {
  const { url } = file;
  const nextStored = file.storedSegments.find((index) => index > first);
  const runEnd = nextStored === undefined ? file.sizeBytes : segmentStart(nextStored, file);
  const windowAt = (start: number): SegmentFetch =>
    cache.fetcher.find(url, start) ??
    cache.fetcher.start({
      url,
      startOffset: start,
      // Downloads want throughput: the largest windows.
      endOffset: Math.min(start + cache.config.maxFetchWindowBytes, runEnd),
      runEndOffset: runEnd,
      knownValidator: file.validator,
      unitBytes: cache.config.rangeWriteBytes,
      timeoutFor: rangeWriteTimeoutMs,
    });
  let ahead: { fetch: SegmentFetch; cursor: FetchCursor } | undefined;
  let joined = afterJoin;
  try {
    let position = segmentStart(first, file);
    while (position < runEnd && !signal.aborted) {
      const held = ahead;
      ahead = undefined;
      // The window asked for ahead, even if it already moved past `position` (its reader will
      // skip what it stored).
      const fetch = held?.fetch.startOffset === position ? held.fetch : windowAt(position);
      const halfway = (fetch.startOffset + fetch.endOffset) / 2;
      position = await drive(
        fetch,
        position,
        signal,
        () => {
          joined();
          joined = () => undefined;
          held?.fetch.detach(held.cursor);
        },
        (at) => {
          if (ahead || at < halfway || fetch.endOffset >= runEnd) return;
          const next = windowAt(fetch.endOffset);
          ahead = { fetch: next, cursor: next.attach(fetch.endOffset) };
        },
      );
      // The caller reads the file record next: let the segments this fetch completed land first.
      await fetch.storesSettled();
      if (fetch.storageFailure) throw fetch.storageFailure;
    }
  } finally {
    joined();
    const held = ahead as { fetch: SegmentFetch; cursor: FetchCursor } | undefined;
    held?.fetch.detach(held.cursor);
  }
}

/** Reads through one fetch from `start` without keeping the bytes; returns where it stopped. */
async function drive(
  fetch: SegmentFetch,
  start: number,
  signal: AbortSignal,
  afterJoin: () => void,
  onProgress: (position: number) => void,
): Promise<number> {
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
      onProgress(cursor.position);
      fetch.nudge();
    }
  } finally {
    signal.removeEventListener('abort', stop);
    fetch.detach(cursor);
  }
}
