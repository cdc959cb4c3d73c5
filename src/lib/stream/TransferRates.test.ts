import { describe, expect, it } from 'vitest';
import { fullWriteTimeoutMs, rangeWriteTimeoutMs } from './adaptiveTimeout.js';
import { StallDetector } from './StallDetector.js';
import { TransferRates } from './TransferRates.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const origin = 'https://media.example';

describe('TransferRates', () => {
  it('keeps the fixed rules until an origin is measured', () => {
    const rates = new TransferRates();
    expect(rates.measuredBytesPerMs()).toBeUndefined();
    for (const bytes of [0, 256 * KiB, 1 * MiB, 8 * MiB]) {
      expect(rates.rangeWrite(`${origin}/a.mp4`)(bytes)).toBe(rangeWriteTimeoutMs(bytes));
      expect(rates.fullWrite(`${origin}/a.mp4`)(bytes)).toBe(fullWriteTimeoutMs(bytes));
    }
  });

  it('takes the minimum times and the choice not to calibrate from its options', () => {
    const fixed = new TransferRates({ rangeWriteMinMs: 500, fullWriteMinMs: 700, calibrate: false });
    fixed.record(`${origin}/a.mp4`, 256 * KiB, 2621); // 100 KB/s, measured but not followed
    expect(fixed.measuredBytesPerMs(origin)).toBeCloseTo(100, 0);
    expect(fixed.rangeWrite(`${origin}/a.mp4`)(1)).toBe(500);
    expect(fixed.fullWrite(`${origin}/a.mp4`)(1)).toBe(700);
    expect(fixed.rangeWrite(`${origin}/a.mp4`)(8 * MiB)).toBe(Math.ceil((8 * MiB) / 128));
    expect(fixed.fullWrite(`${origin}/a.mp4`)(8 * MiB)).toBe(Math.ceil((8 * MiB) / 64));
  });

  it('gives a slow but live origin time for its write units instead of declaring it stalled', () => {
    const rates = new TransferRates();
    const rule = rates.rangeWrite(`${origin}/lecture.mp4`);
    // 100 KB/s: a 256 KiB unit takes 2.6 s, over the fixed rule's 2048 ms.
    rates.record(`${origin}/lecture.mp4`, 256 * KiB, 2621);
    expect(rates.measuredBytesPerMs(`${origin}/other.mp4`)).toBeCloseTo(100, 0);
    expect(rule(256 * KiB)).toBeGreaterThan(2621 * 4);
    expect(rule(256 * KiB)).toBe(Math.ceil((256 * KiB) / (rates.measuredBytesPerMs()! / 8)));
    // Full-content writes get half the range floor, as in the fixed rule.
    expect(rates.fullWrite(`${origin}/lecture.mp4`)(MiB)).toBe(Math.ceil(MiB / (rates.floorBytesPerMs(origin) / 2)));
  });

  it('notices a dead transfer from a fast origin sooner, within the minimum times', () => {
    const rates = new TransferRates();
    rates.record(`${origin}/a.mp4`, 8 * MiB, 80); // ≈100 MB/s
    expect(rates.floorBytesPerMs(origin)).toBe(1024);
    const window = 8 * MiB;
    expect(rates.rangeWrite(`${origin}/a.mp4`)(window)).toBe(8192);
    expect(rangeWriteTimeoutMs(window)).toBe(65536);
    // Write units: the minimum times still decide.
    expect(rates.rangeWrite(`${origin}/a.mp4`)(256 * KiB)).toBe(2000);
    expect(rates.fullWrite(`${origin}/a.mp4`)(MiB)).toBe(3000);
  });

  it('keeps the floor within [2 KB/s, 1 MB/s] and never divides by zero', () => {
    const rates = new TransferRates();
    rates.record(`${origin}/a`, MiB, 0);
    expect(rates.floorBytesPerMs(origin)).toBe(1024);
    const slow = new TransferRates();
    slow.record(`${origin}/a`, 64 * KiB, 600_000); // ≈0.1 KB/s
    expect(slow.floorBytesPerMs(origin)).toBe(2);
    expect(slow.rangeWrite(`${origin}/a`)(256 * KiB)).toBe(131072);
  });

  it('measures each origin apart, takes a slower sample at once and a faster one by a quarter', () => {
    const rates = new TransferRates();
    rates.record('https://a.example/x', MiB, 4096); // 256 B/ms
    rates.record('https://b.example/x', MiB, 8192); // 128 B/ms
    expect(rates.measuredBytesPerMs('https://a.example/y')).toBe(256);
    expect(rates.measuredBytesPerMs('https://b.example/y')).toBe(128);
    expect(rates.measuredBytesPerMs(), 'the origin measured last').toBe(128);
    rates.record('https://a.example/x', MiB, 1024); // 1024 B/ms: a quarter of the way there
    expect(rates.measuredBytesPerMs('https://a.example/x')).toBe(256 + 0.25 * (1024 - 256));
    rates.record('https://a.example/x', MiB, 16384); // 64 B/ms: slower, taken at once
    expect(rates.measuredBytesPerMs('https://a.example/x')).toBe(64);
  });

  it('gathers small reads into 64 KiB samples and ignores nonsense', () => {
    const rates = new TransferRates();
    const url = `${origin}/a.mp4`;
    for (let i = 0; i < 15; i++) rates.record(url, 4 * KiB, 40);
    expect(rates.measuredBytesPerMs(url), '60 KiB is no sample yet').toBeUndefined();
    rates.record(url, 4 * KiB, 40);
    expect(rates.measuredBytesPerMs(url)).toBeCloseTo((64 * KiB) / 640, 6);
    rates.record(url, 0, 100_000);
    rates.record(url, MiB, Number.NaN);
    rates.record(url, MiB, -1);
    expect(rates.measuredBytesPerMs(url)).toBeCloseTo((64 * KiB) / 640, 6);
  });

  it('is fed by the stall detector with each read and its waiting, and relaxes the unit in progress', () => {
    const rates = new TransferRates();
    const url = `${origin}/a.mp4`;
    const detector = new StallDetector(256 * KiB, rates.rangeWrite(url), (bytes, waitedMs) => rates.record(url, bytes, waitedMs));
    expect(detector.remainingMs()).toBe(2048);
    // A slow link, 40 KB/s: the first 64 KiB take 1.6 s of the fixed rule's 2048 ms budget.
    detector.record(1600, 64 * KiB);
    expect(rates.measuredBytesPerMs(url)).toBeCloseTo(40.96, 6);
    // The rule is read live: the unit in progress now has (256 KiB / (40.96 / 8)) ms in all.
    expect(detector.timeoutMs).toBe(Math.ceil((256 * KiB) / (40.96 / 8)));
    expect(detector.remainingMs()).toBe(detector.timeoutMs - 1600);
  });
});
