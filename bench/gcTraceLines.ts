/**
 * V8's `--trace-gc` lines, as Chromium prints them on its stdout, read for `bench/gcTrace.ts`:
 *
 *     [8387:0xe240082c000]   107860 ms: Incremental Mark-Compact 8.1 (11.0) -> 1.5 (9.8) MB, pooled: …
 *     [8387:0xe240082c000]   107791 ms: Scavenge 8.4 (9.8) -> 8.0 (10.8) MB, pooled: …
 *
 * `[pid:isolate]`, ms since the isolate started, the collector, then the heap's used size (its
 * committed size in parentheses) before and after, in MB.
 */

export interface GcEvent {
  /** `pid:isolate`: one V8 heap (the page and its worker are two isolates of one process). */
  isolate: string;
  timeMs: number;
  collector: string;
  /** Mark-compact (or mark-sweep) of the whole heap, not a young-generation collection. */
  major: boolean;
  /** Asked for from outside (CDP's `HeapProfiler.collectGarbage` arrives as a low memory notification). */
  forced: boolean;
  usedBeforeMB: number;
  committedBeforeMB: number;
  usedAfterMB: number;
  committedAfterMB: number;
}

const NUMBER = String.raw`(\d+(?:\.\d+)?)`;
const LINE = new RegExp(String.raw`\[(\d+:0x[0-9a-f]+)\]\s+${NUMBER} ms: (.+?) ${NUMBER} \(${NUMBER}\) -> ${NUMBER} \(${NUMBER}\) MB`);

/** The GC event a line of Chromium's output reports, or null for any other line. */
export function parseGcLine(line: string): GcEvent | null {
  const match = LINE.exec(line);
  if (!match) return null;
  const [, isolate, time, collector, usedBefore, committedBefore, usedAfter, committedAfter] = match;
  return {
    isolate: isolate!,
    timeMs: Number(time),
    collector: collector!,
    major: /Mark-(Compact|Sweep)/.test(collector!) && !/^Minor/.test(collector!),
    forced: line.includes('low memory notification'),
    usedBeforeMB: Number(usedBefore),
    committedBeforeMB: Number(committedBefore),
    usedAfterMB: Number(usedAfter),
    committedAfterMB: Number(committedAfter),
  };
}

export interface MajorGcSummary {
  count: number;
  /** Used heap when the collections started, and what they left: [min, max] in MB, null without any. */
  usedBeforeMB: [number, number] | null;
  usedAfterMB: [number, number] | null;
  maxCommittedMB: number | null;
}

/** What the major collections of one isolate found and left, forced ones left out. */
export function summarizeMajorGcs(events: readonly GcEvent[], isolate: string): MajorGcSummary {
  const majors = events.filter((event) => event.isolate === isolate && event.major && !event.forced);
  const range = (values: number[]): [number, number] | null => (values.length ? [Math.min(...values), Math.max(...values)] : null);
  return {
    count: majors.length,
    usedBeforeMB: range(majors.map((event) => event.usedBeforeMB)),
    usedAfterMB: range(majors.map((event) => event.usedAfterMB)),
    maxCommittedMB: majors.length ? Math.max(...majors.map((event) => Math.max(event.committedBeforeMB, event.committedAfterMB))) : null,
  };
}

/**
 * The worker's GC events between the collections forced through its CDP session: `bench/gcTrace.ts`
 * forces one before each file size and one after the last, so window k holds what V8 did on its own
 * while size k was read. The worker's isolate is the only one with forced collections (one forced
 * collection can print several lines: consecutive forced lines are one).
 */
export function windowsBetweenForcedGcs(events: readonly GcEvent[]): { isolate: string; windows: GcEvent[][] } {
  const isolates = [...new Set(events.filter((event) => event.forced).map((event) => event.isolate))];
  if (isolates.length !== 1) throw new Error(`expected forced GCs in exactly one isolate (the worker's), found ${isolates.length}`);
  const isolate = isolates[0]!;
  const windows: GcEvent[][] = [];
  let current: GcEvent[] | null = null;
  for (const event of events) {
    if (event.isolate !== isolate) continue;
    if (event.forced) {
      if (current === null || current.length > 0) {
        if (current) windows.push(current);
        current = [];
      }
    } else if (current) current.push(event);
  }
  return { isolate, windows };
}
