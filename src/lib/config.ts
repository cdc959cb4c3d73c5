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
  /** How far a shared upstream fetch may run ahead of its fastest reader. */
  readAheadBytes: number;
  /** Completed segments a fetch keeps for slower readers when storing them failed. */
  unstoredSegmentsKept: number;
}

export const KiB = 1024;
export const MiB = 1024 * KiB;

export const defaultConfig: Readonly<MediaCacheConfig> = Object.freeze({
  segmentSizeBytes: 512 * KiB,
  rangeWriteBytes: 256 * KiB,
  fullWriteBytes: 1 * MiB,
  readAheadBytes: 1 * MiB,
  unstoredSegmentsKept: 4,
});
