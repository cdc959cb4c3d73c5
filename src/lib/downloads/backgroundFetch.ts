import type { ByteRange } from '../range/types.js';
import type { FileRecord } from '../store/schema.js';
import { segmentCount, segmentEnd, segmentStart } from '../store/segmentLayout.js';
import { hasSegment } from '../store/segmentBitmap.js';

/**
 * The parts of the Background Fetch API (WICG, Chromium only) this library uses, typed here because
 * TypeScript's DOM and WebWorker libraries do not describe it. A hand-off to Background Fetch lets a
 * download go on with no page open and the worker stopped: the browser fetches, and wakes the worker
 * once with every response.
 */
export interface BackgroundFetchRecordLike {
  readonly request: Request;
  readonly responseReady: Promise<Response>;
}

export interface BackgroundFetchRegistrationLike extends EventTarget {
  readonly id: string;
  readonly downloaded: number;
  readonly downloadTotal: number;
  /** '' while running, then 'success' or 'failure'. */
  readonly result: '' | 'success' | 'failure';
  readonly failureReason: string;
  abort(): Promise<boolean>;
  matchAll(): Promise<BackgroundFetchRecordLike[]>;
}

export interface BackgroundFetchManagerLike {
  fetch(
    id: string,
    requests: Request[],
    options?: { title?: string; downloadTotal?: number; icons?: Array<{ src: string; sizes?: string; type?: string }> },
  ): Promise<BackgroundFetchRegistrationLike>;
  get(id: string): Promise<BackgroundFetchRegistrationLike | undefined>;
  getIds(): Promise<string[]>;
}

/** The Background Fetch manager of a registration, where the browser has one. */
export function backgroundFetchOf(registration: unknown): BackgroundFetchManagerLike | undefined {
  const manager = (registration as { backgroundFetch?: BackgroundFetchManagerLike } | undefined)?.backgroundFetch;
  return manager && typeof manager.fetch === 'function' ? manager : undefined;
}

const ID_PREFIX = 'media-range-cache:';

/** The id of the background fetch that downloads `url`: one per file. */
export function backgroundFetchId(url: string): string {
  return ID_PREFIX + url;
}

/** The URL a background fetch of ours downloads, or undefined for someone else's. */
export function urlOfBackgroundFetch(id: string): string | undefined {
  return id.startsWith(ID_PREFIX) ? id.slice(ID_PREFIX.length) : undefined;
}

/** At most this many runs of missing bytes are asked for; closer runs are merged (refetching the stored bytes between them). */
export const MAX_REMAINING_RUNS = 32;
/** A hand-off asks for pieces of at most this size, so a failure keeps the pieces that completed. */
export const BACKGROUND_PIECE_BYTES = 16 * 1024 * 1024;

/**
 * What a download still needs, as the requests a hand-off to Background Fetch makes: the runs of
 * missing segments (at most `MAX_REMAINING_RUNS`: the runs separated by the fewest stored bytes
 * are merged), cut into pieces of at most `BACKGROUND_PIECE_BYTES` on segment boundaries, so that
 * every piece holds whole segments.
 */
export function remainingRanges(file: FileRecord, maxRuns = MAX_REMAINING_RUNS): ByteRange[] {
  const runs: Array<{ first: number; last: number }> = [];
  const count = segmentCount(file);
  for (let index = 0; index < count; index += 1) {
    if (hasSegment(file.segmentBitmap, index)) continue;
    const last = runs.at(-1);
    if (last && last.last === index - 1) last.last = index;
    else runs.push({ first: index, last: index });
  }
  const merged = mergeClosest(runs, Math.max(1, maxRuns));
  const segmentsPerPiece = Math.max(1, Math.floor(BACKGROUND_PIECE_BYTES / file.segmentSizeBytes));
  const pieces: ByteRange[] = [];
  for (const run of merged) {
    for (let first = run.first; first <= run.last; first += segmentsPerPiece) {
      const last = Math.min(run.last, first + segmentsPerPiece - 1);
      pieces.push({ start: segmentStart(first, file), end: segmentEnd(last, file) - 1 });
    }
  }
  return pieces;
}

/** Merges the runs separated by the smallest gaps until at most `maxRuns` are left. */
function mergeClosest(runs: Array<{ first: number; last: number }>, maxRuns: number): Array<{ first: number; last: number }> {
  if (runs.length <= maxRuns) return runs;
  // Gap i lies between run i and run i + 1; keep the `maxRuns - 1` widest gaps as boundaries.
  const gaps = runs.slice(1).map((run, index) => ({ index, width: run.first - runs[index]!.last }));
  const kept = new Set(
    gaps
      .sort((a, b) => b.width - a.width || a.index - b.index)
      .slice(0, maxRuns - 1)
      .map((gap) => gap.index),
  );
  const merged: Array<{ first: number; last: number }> = [{ ...runs[0]! }];
  for (let index = 1; index < runs.length; index += 1) {
    if (kept.has(index - 1)) merged.push({ ...runs[index]! });
    else merged.at(-1)!.last = runs[index]!.last;
  }
  return merged;
}
