/**
 * The numbers the cache is built on. They come from the system this project is built after
 * ("segment everything"): writes to a reader are cut into pieces of a fixed size, storage uses
 * aligned units, so memory follows the number of active streams, never the size of a file.
 */
export interface MediaCacheConfig {
  /** Size of one stored segment; upstream requests are aligned to it. */
  segmentSizeBytes: number;
  /** Largest piece handed to a reader of a Range (206) response. */
  rangeWriteBytes: number;
  /** Largest piece handed to a reader of a full (200) response. */
  fullWriteBytes: number;
  /** How far a shared upstream fetch may run ahead of its fastest reader; also how close to the
   * end of a fetch window a reader gets before the next window is requested. */
  readAheadBytes: number;
  /** Most bytes the first upstream request of a run asks for (a multiple of the segment size). */
  fetchWindowBytes: number;
  /** Each further window of the same run asks for twice as much, up to this (a multiple of the
   * segment size): a reader that keeps reading pays for fewer request round trips. */
  maxFetchWindowBytes: number;
  /** Most recent completed segments a fetch keeps in memory for readers a little behind its
   * edge, so they need not wait for the segment's storage write to read it back. */
  recentSegmentsKept: number;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** The sizes the cache uses where `MediaCacheOptions.config` does not say otherwise (in-memory sizes then adapt to the device's memory). */
export const defaultConfig: Readonly<MediaCacheConfig> = Object.freeze({
  segmentSizeBytes: 512 * KiB,
  rangeWriteBytes: 256 * KiB,
  fullWriteBytes: 1 * MiB,
  readAheadBytes: 1 * MiB,
  // Chromium buffers a fetch() body eagerly, whether or not anyone reads it (blink's
  // BufferingBytesConsumer, 50 ms after the headers, unless the response says no-store). An
  // open-ended upstream request would pull the whole file into the worker's memory and past a
  // reader that went away; bounded windows keep both to one window.
  fetchWindowBytes: 2 * MiB,
  maxFetchWindowBytes: 16 * MiB,
  recentSegmentsKept: 4,
});
