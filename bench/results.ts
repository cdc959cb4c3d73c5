/**
 * The shape of one benchmark run, as written to `bench/results/<mode>.json` and read back by the
 * report (markdown table and SVG charts). Every figure carries its raw samples, so a report can
 * be redrawn, and a reader can check a median, without running the benchmark again.
 */

/** Who answers the page's requests. */
export type ContenderId =
  /** No service worker: the page fetches straight from the loopback origin (this machine's limit). */
  | 'no-sw'
  /** Workbox CacheFirst + RangeRequestsPlugin over Cache Storage, the whole file cached first. */
  | 'workbox'
  /** A worker that fetches the whole file into one ArrayBuffer and answers ranges with copies. */
  | 'naive'
  /** This project's worker, nothing stored yet: network + storing. */
  | 'ours-cold'
  /** This project's worker, everything stored: answers from IndexedDB only. */
  | 'ours-warm';

export const CONTENDERS: readonly ContenderId[] = ['no-sw', 'workbox', 'naive', 'ours-cold', 'ours-warm'];

export type BenchMode = 'full' | 'quick';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  os: string;
  node: string;
  chromium: string;
}

/** One measured quantity for one contender (and file size, where it matters). */
export interface Sampled {
  contender: ContenderId;
  /** Size of the file read, in bytes (absent for the video seeks). */
  sizeBytes?: number;
  /** One value per round, in the unit the figure names. */
  samples: number[];
  /** Median of the samples (null when there are none, e.g. every round failed). */
  median: number | null;
  /** Why a contender could not be measured here (e.g. the worker ran out of memory). */
  error?: string;
}

export interface TtfbFigure {
  contender: ContenderId;
  sizeBytes: number;
  /** Time to first byte of each 1 MiB range read, ms, all rounds together. */
  samplesMs: number[];
  p50Ms: number | null;
  p95Ms: number | null;
  error?: string;
}

export interface HeapFigure {
  contender: ContenderId;
  sizeBytes: number;
  readers: number;
  /** The worker's heap (usedSize + backingStorageSize) after a GC, before the readers start. */
  idleBytes: number | null;
  /** Peak of the sampled heap minus idleBytes, one value per round. */
  samples: number[];
  median: number | null;
  error?: string;
  /**
   * Where measured (ours-cold): the peak of the heap sampled after a forced GC 4 times a second, minus
   * idle, in a separate pass of the same reads, one value per round. What the worker holds, without
   * the garbage V8 collects later; informational, since the target's figure samples without GC.
   */
  held?: { samples: number[]; median: number | null; error?: string };
}

export interface OriginBytesFigure {
  contender: ContenderId;
  sizeBytes: number;
  readers: number;
  /** Body bytes the origin sent for the file, one value per round. */
  samples: number[];
  /** Median of samples / sizeBytes. */
  ratio: number | null;
  error?: string;
}

export interface DownloadFigure {
  sizeBytes: number;
  /** Time for OfflineLibrary's download (worker download to `complete`), ms per round. */
  downloadMs: number[];
  /** Time for a plain page `fetch()` of the same file with no service worker, ms per round. */
  plainFetchMs: number[];
  /** Time for a plain page `fetch()` of the same file through our worker, cold, ms per round. */
  fetchThroughWorkerMs: number[];
  /** median(plainFetchMs) / median(downloadMs): download throughput as a share of a plain fetch. */
  ratioToPlainFetch: number | null;
  /** median(fetchThroughWorkerMs) / median(downloadMs). */
  ratioToWorkerFetch: number | null;
}

export interface DiskFigure {
  contender: 'ours-warm' | 'workbox';
  mediaBytes: number;
  /** Bytes the origin's storage directories take on disk (du of IndexedDB or Cache Storage). */
  diskBytes: number;
  ratio: number;
}

/** What our worker decided for this machine (adaptive segment size, calibrated timeouts). */
export interface AdaptiveInfo {
  deviceMemoryGiB: number | null;
  segmentSizeBytes: number;
  /** The transfer-rate floor the timeouts assumed at the end of the run, bytes/s. */
  timeoutFloorBytesPerSecond: number | null;
  /** The transfer rate the worker measured from the origin it fetched last, bytes/s. */
  measuredBytesPerSecond?: number | null;
  [key: string]: unknown;
}

export interface TargetRow {
  id: string;
  /** What the target asks, in words: "warm sequential ≥ 1.0× no-SW (256 MiB)". */
  description: string;
  /** The measured value in words: "1.34×". */
  measured: string;
  /** null when it could not be measured. */
  met: boolean | null;
}

export interface BenchResults {
  schema: 1;
  mode: BenchMode;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  machine: MachineInfo;
  rounds: number;
  /** File sizes measured, bytes. */
  sizesBytes: number[];
  /** Sequential read of the whole file (`Range: bytes=0-`), MiB/s per round. */
  sequential: Sampled[];
  /** 200 (quick: fewer) random 1 MiB range reads. */
  ttfb: TtfbFigure[];
  /** `<video>` seek → `seeked`, ms per seek, all rounds together (samples), median. */
  seek: Sampled[];
  /** Worker heap above idle with concurrent readers. */
  heap: HeapFigure[];
  /** Origin bytes with concurrent cold readers. */
  originBytes: OriginBytesFigure[];
  download: DownloadFigure | null;
  disk: DiskFigure[];
  adaptive: AdaptiveInfo | null;
  targets: TargetRow[];
}
