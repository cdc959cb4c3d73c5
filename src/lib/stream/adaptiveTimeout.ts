/**
 * Adaptive timeouts: a fixed floor for small transfers, a minimum transfer rate for large ones.
 * A transfer slower than the rate is treated as stalled. The fixed rates, before calibration:
 * range writes and storage expect ≥ 128 bytes/ms (≈128 KB/s), full-content writes ≥ 64 bytes/ms.
 */
export const RANGE_WRITE_MIN_MS = 2000;
export const FULL_WRITE_MIN_MS = 3000;
export const FIXED_RANGE_BYTES_PER_MS = 128;
export const FIXED_FULL_BYTES_PER_MS = 64;

/** The fixed rules; TransferRates calibrates them per origin from the measured rate. */
export function rangeWriteTimeoutMs(bytes: number): number {
  return Math.max(RANGE_WRITE_MIN_MS, Math.ceil(bytes / FIXED_RANGE_BYTES_PER_MS));
}

export function fullWriteTimeoutMs(bytes: number): number {
  return Math.max(FULL_WRITE_MIN_MS, Math.ceil(bytes / FIXED_FULL_BYTES_PER_MS));
}

export function storageWriteTimeoutMs(bytes: number): number {
  return Math.max(2000, Math.ceil(bytes / 128));
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`Timed out after ${timeoutMs} ms`);
  }
}

/**
 * Races `promise` against a timer. On expiry `onTimeout` runs (abort the transfer, clean up) and
 * the result rejects with a TimeoutError; the timer never outlives the race.
 */
export function raceWithTimeout<T>(promise: Promise<T>, timeoutMs: number, onTimeout?: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new TimeoutError(timeoutMs));
    }, timeoutMs);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}
