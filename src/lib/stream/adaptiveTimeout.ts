/**
 * Adaptive timeouts: a fixed floor for small transfers, a minimum transfer rate for large ones.
 * A transfer slower than the rate is treated as stalled. The rates are the seed system's:
 * range writes and storage expect ≥ 128 bytes/ms (≈128 KB/s), full-content writes ≥ 64 bytes/ms.
 */
export function rangeWriteTimeoutMs(bytes: number): number {
  return Math.max(2000, Math.ceil(bytes / 128));
}

export function fullWriteTimeoutMs(bytes: number): number {
  return Math.max(3000, Math.ceil(bytes / 64));
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
