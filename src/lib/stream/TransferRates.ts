import { FULL_WRITE_MIN_MS, RANGE_WRITE_MIN_MS, FIXED_RANGE_BYTES_PER_MS } from './adaptiveTimeout.js';

/** A transfer this many times slower than the origin's measured rate counts as stalled. */
const SLOWDOWN_TOLERATED = 8;
/** The calibrated floor never drops below 2 KB/s (a 256 KiB unit may then take 128 s)... */
const MIN_FLOOR_BYTES_PER_MS = 2;
/** ...nor rises above 1 MB/s: past that the minimum times (2 s, 3 s) decide anyway for write units. */
const MAX_FLOOR_BYTES_PER_MS = 1024;
/** Reads are gathered into samples of at least this many bytes: smaller ones say more about latency than rate. */
const SAMPLE_BYTES = 64 * 1024;
/** Weight of a faster sample in the moving average; a slower one is taken at once. */
const SMOOTHING = 0.25;

/**
 * Timeouts calibrated from the measured transfer rate. The uncalibrated
 * rule is a fixed floor (a range write unit must arrive at ≥ 128 bytes/ms, a full-content one at
 * ≥ 64), which declares a slow but live link stalled (a 256 KiB unit at 100 KB/s takes 2.6 s, over
 * its 2048 ms) and gives a fast one minutes to notice a dead transfer (an 8 MiB download window
 * at 128 KB/s: 65 s).
 *
 * Each origin's rate is measured from the transfers themselves: every upstream read, timed only
 * while the cache waits on the upstream (a paused reader's time never counts), gathered into
 * samples of 64 KiB, and whole download windows. The floor is that rate over SLOWDOWN_TOLERATED,
 * within [2 KB/s, 1 MB/s]; full-content writes get half of it, as in the fixed rule. The estimate is
 * cautious: a slower sample is taken at once (timeouts relax within 64 KiB of a slow link, even
 * on the first unit of the first transfer), a faster one moves it by a quarter. Until an origin
 * has been measured, the fixed floors hold. The minimum times (2 s for range writes, 3 s for
 * full content) never change.
 */
export class TransferRates {
  private readonly rangeWriteMinMs: number;
  private readonly fullWriteMinMs: number;
  private readonly calibrate: boolean;

  constructor(options: TimeoutOptions = {}) {
    this.rangeWriteMinMs = options.rangeWriteMinMs ?? RANGE_WRITE_MIN_MS;
    this.fullWriteMinMs = options.fullWriteMinMs ?? FULL_WRITE_MIN_MS;
    this.calibrate = options.calibrate ?? true;
  }

  private readonly measured = new Map<string, number>();
  private readonly gathering = new Map<string, { bytes: number; ms: number }>();
  private lastOrigin: string | undefined;

  /** Records `bytes` received from `url`'s origin in `ms` of waiting on it. */
  record(url: string, bytes: number, ms: number): void {
    if (!(bytes > 0) || !(ms >= 0)) return;
    const origin = originOf(url);
    const sample = this.gathering.get(origin) ?? { bytes: 0, ms: 0 };
    sample.bytes += bytes;
    sample.ms += ms;
    if (sample.bytes < SAMPLE_BYTES) {
      this.gathering.set(origin, sample);
      return;
    }
    this.gathering.delete(origin);
    const rate = sample.bytes / Math.max(sample.ms, 1);
    const previous = this.measured.get(origin);
    this.measured.set(origin, previous === undefined || rate < previous ? rate : previous + SMOOTHING * (rate - previous));
    this.lastOrigin = origin;
  }

  /** The measured rate of `url`'s origin (of the origin measured last when no url is given), bytes/ms. */
  measuredBytesPerMs(url?: string): number | undefined {
    const origin = url === undefined ? this.lastOrigin : originOf(url);
    return origin === undefined ? undefined : this.measured.get(origin);
  }

  /** The slowest rate a range write from `url` may run at before it counts as stalled, bytes/ms. */
  floorBytesPerMs(url?: string): number {
    const measured = this.measuredBytesPerMs(url);
    if (measured === undefined || !this.calibrate) return FIXED_RANGE_BYTES_PER_MS;
    return Math.min(MAX_FLOOR_BYTES_PER_MS, Math.max(MIN_FLOOR_BYTES_PER_MS, measured / SLOWDOWN_TOLERATED));
  }

  /** The timeout rule of range writes from `url`, following its origin's rate as it is measured. */
  rangeWrite(url: string): (bytes: number) => number {
    return (bytes) => Math.max(this.rangeWriteMinMs, Math.ceil(bytes / this.floorBytesPerMs(url)));
  }

  /** The timeout rule of full-content writes from `url`: half the range floor, as in the fixed rule. */
  fullWrite(url: string): (bytes: number) => number {
    return (bytes) => Math.max(this.fullWriteMinMs, Math.ceil(bytes / (this.floorBytesPerMs(url) / 2)));
  }
}

/** How long the cache waits on an upstream before it calls the transfer stalled. */
export interface TimeoutOptions {
  /**
   * Least time a write unit of a range answer (256 KiB) may take to arrive; a larger unit may
   * take longer, at the rate floor.
   * @defaultValue 2000
   */
  rangeWriteMinMs?: number;
  /**
   * Least time a write unit of a full (200) answer (1 MiB) may take to arrive.
   * @defaultValue 3000
   */
  fullWriteMinMs?: number;
  /**
   * Whether the rate floor follows each origin's measured transfer rate (an eighth of it, within
   * 2 KB/s – 1 MB/s). `false` keeps the fixed floors of 128 bytes/ms (range) and 64 bytes/ms (full).
   * @defaultValue true
   */
  calibrate?: boolean;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
