/** What one benchmark run measures: the full run for BENCHMARKS.md, or the quick everyday one. */
import type { BenchMode } from './results';

const MiB = 1024 * 1024;

export interface BenchPlan {
  mode: BenchMode;
  /** File sizes read sequentially and by 4 readers for the heap figure, bytes. */
  sizesBytes: number[];
  /** Interleaved rounds; each size is measured `roundsFor(size)` times. */
  rounds: number;
  roundsFor(sizeBytes: number): number;
  /** Concurrent readers for the heap figure. */
  heapReaders: number;
  /** Random 1 MiB range reads per contender and round, on a file of `ttfbSizeBytes`. */
  ttfbReads: number;
  ttfbSizeBytes: number;
  /** `<video>` seeks per contender and round. */
  seeks: number;
  /** Concurrent cold readers for the origin-bytes figure, on a file of `originSizeBytes`. */
  originReaders: number;
  originSizeBytes: number;
  downloadSizeBytes: number;
  /** The file whose storage on disk is measured (the ratio does not depend on the size). */
  diskSizeBytes: number;
}

/** The plan of `mode`, with `sizesBytes` instead of its own file sizes when given. */
export function benchPlan(mode: BenchMode, sizesBytes?: number[]): BenchPlan {
  const plan = modePlan(mode);
  return sizesBytes ? { ...plan, sizesBytes } : plan;
}

function modePlan(mode: BenchMode): BenchPlan {
  if (mode === 'quick') {
    return {
      mode,
      sizesBytes: [8 * MiB, 32 * MiB],
      rounds: 1,
      roundsFor: () => 1,
      heapReaders: 4,
      ttfbReads: 30,
      ttfbSizeBytes: 16 * MiB,
      seeks: 6,
      originReaders: 8,
      originSizeBytes: 8 * MiB,
      downloadSizeBytes: 16 * MiB,
      diskSizeBytes: 16 * MiB,
    };
  }
  return {
    mode,
    sizesBytes: [64 * MiB, 256 * MiB, 1024 * MiB],
    rounds: 3,
    // A cold gibibyte through a worker takes minutes: one round of each large file.
    roundsFor: (sizeBytes) => (sizeBytes >= 256 * MiB ? 1 : 3),
    heapReaders: 4,
    ttfbReads: 200,
    ttfbSizeBytes: 256 * MiB,
    seeks: 20,
    originReaders: 8,
    originSizeBytes: 64 * MiB,
    downloadSizeBytes: 64 * MiB,
    diskSizeBytes: 256 * MiB,
  };
}
