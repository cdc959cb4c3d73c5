import { describe, expect, it } from 'vitest';
import { parseGcLine, summarizeMajorGcs, windowsBetweenForcedGcs, type GcEvent } from './gcTraceLines';

// Lines as Chromium 156 printed them with --js-flags=--trace-gc (through Playwright's browser log).
const INCREMENTAL =
  '[pid=8305][out] [8387:0xe240082c000]   107860 ms: Incremental Mark-Compact 8.1 (11.0) -> 1.5 (9.8) MB, pooled: 4.8 MB, 47.80 / 1.02 ms (+ 0.3 ms in 3 steps since start of marking, biggest step 0.1 ms, walltime since start of marking 59 ms) (average mu = 0.998, current mu = 0.997) finalize incremental marking via task; GC in old space requested';
const SCAVENGE =
  '[8387:0xe240082c000]   107791 ms: Scavenge 8.4 (9.8) -> 8.0 (10.8) MB, pooled: 3.8 MB, 6.58 / 0.00 ms (average mu = 0.998, current mu = 0.998) allocation failure; ';
const FORCED =
  '[8387:0xe240082c000]      687 ms: Mark-Compact (reduce) 0.7 (1.0) -> 0.5 (0.8) MB, pooled: 0.0 MB, 6.92 / 0.00 ms (average mu = 0.989, current mu = 0.989) low memory notification; GC in old space requested';
const PAGE =
  '[8387:0xe2400518000]   108615 ms: Incremental Mark-Compact 2.4 (3.8) -> 1.3 (3.1) MB, pooled: 1.5 MB, 1.87 / 0.01 ms finalize incremental marking via task; GC in old space requested';

describe('parseGcLine', () => {
  it('reads an incremental mark-compact as a major collection with its sizes', () => {
    expect(parseGcLine(INCREMENTAL)).toEqual({
      isolate: '8387:0xe240082c000',
      timeMs: 107860,
      collector: 'Incremental Mark-Compact',
      major: true,
      forced: false,
      usedBeforeMB: 8.1,
      committedBeforeMB: 11,
      usedAfterMB: 1.5,
      committedAfterMB: 9.8,
    });
  });

  it('tells a scavenge (young generation) from a major collection', () => {
    expect(parseGcLine(SCAVENGE)).toMatchObject({ collector: 'Scavenge', major: false, usedBeforeMB: 8.4, usedAfterMB: 8 });
    expect(parseGcLine(SCAVENGE.replace('Scavenge', 'Minor Mark-Sweep'))).toMatchObject({ major: false });
  });

  it('marks a collection forced from outside', () => {
    expect(parseGcLine(FORCED)).toMatchObject({ collector: 'Mark-Compact (reduce)', major: true, forced: true });
  });

  it('ignores other output', () => {
    expect(parseGcLine('[pid=8305][err] /usr/bin/chromium: 9: [: 25275953152: unexpected operator')).toBeNull();
    expect(parseGcLine('')).toBeNull();
  });
});

describe('summarizeMajorGcs', () => {
  const events = [INCREMENTAL, SCAVENGE, FORCED, PAGE].map((line) => parseGcLine(line) as GcEvent);

  it('keeps one isolate\'s unforced major collections', () => {
    expect(summarizeMajorGcs(events, '8387:0xe240082c000')).toEqual({ count: 1, usedBeforeMB: [8.1, 8.1], usedAfterMB: [1.5, 1.5], maxCommittedMB: 11 });
    expect(summarizeMajorGcs(events, '8387:0xe2400518000')).toEqual({ count: 1, usedBeforeMB: [2.4, 2.4], usedAfterMB: [1.3, 1.3], maxCommittedMB: 3.8 });
  });

  it('says when an isolate had none', () => {
    expect(summarizeMajorGcs(events, '1:0x1')).toEqual({ count: 0, usedBeforeMB: null, usedAfterMB: null, maxCommittedMB: null });
  });
});

describe('windowsBetweenForcedGcs', () => {
  const worker = '8387:0xe240082c000';
  const event = (isolate: string, forced: boolean, timeMs: number): GcEvent => ({
    isolate, timeMs, collector: forced ? 'Mark-Compact (reduce)' : 'Scavenge', major: forced, forced,
    usedBeforeMB: 1, committedBeforeMB: 2, usedAfterMB: 1, committedAfterMB: 2,
  });

  it('splits the worker\'s own collections at the forced ones, a forced pair counting once', () => {
    const events = [
      event(worker, false, 1), // before the first forced GC: not in any window
      event(worker, true, 10), event(worker, true, 12), // one forced collection, two lines
      event(worker, false, 20), event('8387:0xe2400518000', false, 21), event(worker, false, 30),
      event(worker, true, 40),
      event(worker, false, 50),
      event(worker, true, 60),
    ];
    const { isolate, windows } = windowsBetweenForcedGcs(events);
    expect(isolate).toBe(worker);
    expect(windows.map((w) => w.map((e) => e.timeMs))).toEqual([[20, 30], [50]]);
  });

  it('drops what follows the last forced collection', () => {
    const { windows } = windowsBetweenForcedGcs([event(worker, true, 1), event(worker, false, 2), event(worker, true, 3), event(worker, false, 4)]);
    expect(windows.map((w) => w.map((e) => e.timeMs))).toEqual([[2]]);
  });

  it('refuses a trace without forced collections, or with them in two isolates', () => {
    expect(() => windowsBetweenForcedGcs([event(worker, false, 1)])).toThrow(/found 0/);
    expect(() => windowsBetweenForcedGcs([event(worker, true, 1), event('1:0x1', true, 2)])).toThrow(/found 2/);
  });
});
