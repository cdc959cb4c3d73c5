import { describe, expect, it } from 'vitest';
import { fullWriteTimeoutMs, raceWithTimeout, rangeWriteTimeoutMs, storageWriteTimeoutMs, TimeoutError } from './adaptiveTimeout.js';
import { StallDetector } from './StallDetector.js';

describe('adaptive timeouts', () => {
  it.each([
    [rangeWriteTimeoutMs, 0, 2000],
    [rangeWriteTimeoutMs, 256 * 1024, 2048],
    [rangeWriteTimeoutMs, 1024 * 1024, 8192],
    [fullWriteTimeoutMs, 0, 3000],
    [fullWriteTimeoutMs, 1024 * 1024, 16384],
    [storageWriteTimeoutMs, 512 * 1024, 4096],
    [storageWriteTimeoutMs, 1000, 2000],
  ])('%o(%i bytes) = %i ms', (rule, bytes, expected) => {
    expect(rule(bytes)).toBe(expected);
  });

  it('rejects with a TimeoutError and runs the clean-up when the timer wins', async () => {
    let cleaned = false;
    const never = new Promise<never>(() => undefined);
    await expect(raceWithTimeout(never, 5, () => (cleaned = true))).rejects.toBeInstanceOf(TimeoutError);
    expect(cleaned).toBe(true);
  });

  it('passes the result through when the promise wins', async () => {
    let cleaned = false;
    await expect(raceWithTimeout(Promise.resolve(7), 1000, () => (cleaned = true))).resolves.toBe(7);
    expect(cleaned).toBe(false);
  });
});

describe('StallDetector', () => {
  const unit = 256 * 1024;

  it('gives each write unit the full budget of upstream waiting', () => {
    const detector = new StallDetector(unit, rangeWriteTimeoutMs);
    expect(detector.remainingMs()).toBe(2048);
    detector.record(1500, 64 * 1024);
    expect(detector.remainingMs()).toBe(548);
    detector.record(500, unit - 64 * 1024); // unit complete in time: fresh budget
    expect(detector.remainingMs()).toBe(2048);
  });

  it('runs out when a unit is still incomplete after its timeout of waiting', () => {
    const detector = new StallDetector(unit, rangeWriteTimeoutMs);
    detector.record(1000, 1);
    detector.record(1100, 1);
    expect(detector.remainingMs()).toBe(0);
  });

  it('carries surplus bytes into the next unit', () => {
    const detector = new StallDetector(unit, rangeWriteTimeoutMs);
    detector.record(10, unit + 100);
    detector.record(2000, unit - 200);
    expect(detector.remainingMs()).toBe(48);
  });
});
