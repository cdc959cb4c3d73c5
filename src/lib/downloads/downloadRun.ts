import type { RangeCache } from '../cache/RangeCache.js';
import type { FetchCursor, SegmentFetch } from '../cache/SegmentFetch.js';
import { MiB } from '../config.js';
import type { FileRecord } from '../store/schema.js';
import { segmentStart } from '../store/segmentLayout.js';
import { nextStoredSegment } from '../store/segmentBitmap.js';

/** Windows requested at once: the next one's request goes out as the previous one's answer begins. */
const WINDOWS_IN_FLIGHT = 2;

/**
 * A download window is sized to take about this long at the rate the previous one arrived: long
 * enough that request round trips do not count, short enough that a pause loses little (a window
 * comes whole or not at all) and that a player joining it does not wait long for its first bytes.
 */
const WINDOW_TARGET_MS = 250;

/** Largest download window: what the browser holds in blob storage per window until it is stored. */
const MAX_WINDOW_BYTES = 8 * MiB;

interface Window {
  fetch: SegmentFetch;
  cursor: FetchCursor;
  /** Requested by this run as a whole-body window (not joined): its arrival rate sizes the next. */
  own: boolean;
  /** Set once the answer's head arrived (or the request failed). */
  headAt: number | undefined;
  /** Where the reader stopped, once the window is done. */
  done: Promise<{ position: number; doneAt: number }>;
}

/**
 * Fetches the run of missing segments of `file` that starts at segment `first` (from `sourceUrl`), up to the next stored one
 * (or the file's end), in windows. A window that a fetch in flight already brings (a player's,
 * say) is joined instead of asked for twice. Others are requested whole (`Response.blob()`): the
 * browser moves their bytes into blob storage, none pass through the worker, and their segments
 * are stored as Blob slices, several to a transaction. Two windows are in flight, so the transfer
 * does not stop between them. It only drives the fetches: the bytes go to storage as the fetches
 * complete segments, and none are copied here. `afterJoin` runs once this run has joined its
 * first fetch.
 */
export async function downloadRun(
  cache: RangeCache,
  { file, sourceUrl }: { file: FileRecord; sourceUrl: string },
  first: number,
  signal: AbortSignal,
  afterJoin: () => void,
): Promise<void> {
  const key = file.url;
  const segmentBytes = file.segmentSizeBytes;
  const nextStored = nextStoredSegment(file.segmentBitmap, first);
  const runEnd = nextStored === undefined ? file.sizeBytes : segmentStart(nextStored, file);
  const maxWindowBytes = Math.max(segmentBytes, Math.min(MAX_WINDOW_BYTES, cache.config.maxFetchWindowBytes));
  let windowBytes = Math.min(cache.config.fetchWindowBytes, maxWindowBytes);
  const pipeline: Window[] = [];
  let next = segmentStart(first, file);
  let joined = afterJoin;
  let closed = false;

  const open = (start: number): void => {
    const found = cache.fetcher.find(key, start);
    const fetch =
      found ??
      cache.fetcher.start({
        url: sourceUrl,
        key,
        startOffset: start,
        endOffset: Math.min(start + windowBytes, start + tailWindowBytes(runEnd - start, segmentBytes), runEnd),
        runEndOffset: runEnd,
        known: file,
        unitBytes: cache.config.rangeWriteBytes,
        timeoutFor: cache.fetcher.rates.rangeWrite(sourceUrl),
        wholeBody: true,
      });
    const cursor = fetch.attach(start);
    joined();
    joined = () => undefined;
    const window: Window = { fetch, cursor, own: !found, headAt: undefined, done: follow(fetch, cursor) };
    // Awaited in order below; a failure is reported there.
    window.done.catch(() => undefined);
    pipeline.push(window);
    void fetch.head
      .catch(() => undefined)
      .then(() => {
        window.headAt = performance.now();
        fill();
      });
    next = fetch.endOffset;
  };

  /** Requests the next window once the last one's head is known (its end is final then). */
  const fill = (): void => {
    const last = pipeline.at(-1);
    if (closed || signal.aborted || pipeline.length >= WINDOWS_IN_FLIGHT || next >= runEnd) return;
    if (last && last.headAt === undefined) return;
    if (last) next = last.fetch.endOffset;
    if (next < runEnd) open(next);
  };

  const stop = (): void => {
    for (const window of pipeline) window.fetch.detach(window.cursor);
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    fill();
    while (pipeline.length > 0 && !signal.aborted) {
      const window = pipeline[0]!;
      const { position, doneAt } = await window.done;
      pipeline.shift();
      window.fetch.detach(window.cursor);
      // The window ended short (the upstream stopped, or answered something else): the caller
      // looks at what is stored and decides.
      const short = position < window.fetch.endOffset;
      if (!short) {
        if (window.own && window.headAt !== undefined) windowBytes = nextWindowBytes(windowBytes, position - window.fetch.startOffset, doneAt - window.headAt, segmentBytes, maxWindowBytes);
        // The next window is asked for while this one's segments are stored.
        fill();
      }
      await window.fetch.storesSettled();
      if (window.fetch.storageFailure) throw window.fetch.storageFailure;
      if (short) break;
    }
  } finally {
    closed = true;
    signal.removeEventListener('abort', stop);
    joined();
    stop();
    // Segments already complete are stored even when the run stops early (paused, say).
    await Promise.all(pipeline.map((window) => window.fetch.storesSettled()));
  }
}

/** Follows one fetch from the cursor's position without taking its bytes; resolves where it stopped. */
async function follow(fetch: SegmentFetch, cursor: FetchCursor): Promise<{ position: number; doneAt: number }> {
  while (await fetch.skip(cursor)) fetch.nudge();
  return { position: cursor.position, doneAt: performance.now() };
}

/**
 * Near the end of a run, windows shrink to half of what is left: the last window's segments are
 * stored after it arrives, and a small last window makes a short wait.
 */
function tailWindowBytes(remainingBytes: number, segmentBytes: number): number {
  return Math.max(segmentBytes, Math.floor(remainingBytes / 2 / segmentBytes) * segmentBytes);
}

/**
 * The next window: what arrives in WINDOW_TARGET_MS at the rate the last one came, at most twice
 * the last one, in whole segments.
 */
function nextWindowBytes(lastBytes: number, bytes: number, transferMs: number, segmentBytes: number, maxBytes: number): number {
  const fitting = (bytes / Math.max(1, transferMs)) * WINDOW_TARGET_MS;
  const wanted = Math.min(2 * lastBytes, fitting, maxBytes);
  return Math.max(segmentBytes, Math.floor(wanted / segmentBytes) * segmentBytes);
}
