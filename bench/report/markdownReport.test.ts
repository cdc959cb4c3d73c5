import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../results';
import { markdownReport } from './markdownReport';

const MiB = 1024 * 1024;
const SMALL = 64 * MiB;
const LARGE = 1024 * MiB;
const charts = { memory: 'bench/results/memory.svg', ttfb: 'bench/results/ttfb.svg' };

/** One run with a distinct, recognisable number in every figure. */
function sampleRun(): BenchResults {
  return {
    schema: 1,
    mode: 'full',
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T10:42:05.000Z',
    durationMs: 2_525_000,
    machine: { cpuModel: 'Test CPU 9000', cores: 12, memoryBytes: 32 * 1024 * MiB, os: 'Linux 6.8', node: 'v20.19.0', chromium: '140.0.7339.0' },
    rounds: 5,
    sizesBytes: [SMALL, LARGE],
    sequential: [
      { contender: 'no-sw', sizeBytes: SMALL, samples: [800], median: 800 },
      { contender: 'no-sw', sizeBytes: LARGE, samples: [900], median: 900 },
      { contender: 'ours-warm', sizeBytes: SMALL, samples: [880], median: 880 },
      { contender: 'ours-warm', sizeBytes: LARGE, samples: [945], median: 945 },
      { contender: 'naive', sizeBytes: LARGE, samples: [], median: null, error: 'out of memory | tab crashed' },
    ],
    ttfb: [
      { contender: 'ours-warm', sizeBytes: LARGE, samplesMs: [1, 2, 3], p50Ms: 2.34, p95Ms: 11.26 },
      { contender: 'workbox', sizeBytes: LARGE, samplesMs: [9, 10, 30], p50Ms: 9.87, p95Ms: 29.44 },
    ],
    seek: [{ contender: 'ours-warm', samples: [10, 20, 30, 40], median: 25 }],
    heap: [
      { contender: 'ours-warm', sizeBytes: SMALL, readers: 4, idleBytes: 3.25 * MiB, samples: [6.5 * MiB], median: 6.5 * MiB },
      { contender: 'ours-warm', sizeBytes: LARGE, readers: 4, idleBytes: 3.25 * MiB, samples: [7.25 * MiB], median: 7.25 * MiB },
      { contender: 'naive', sizeBytes: LARGE, readers: 4, idleBytes: null, samples: [], median: null, error: 'worker <killed>\nby the OOM killer' },
    ],
    originBytes: [{ contender: 'ours-cold', sizeBytes: LARGE, readers: 8, samples: [1.02 * LARGE, 1.03 * LARGE, 1.01 * LARGE], ratio: 1.02 }],
    download: { sizeBytes: LARGE, downloadMs: [4000, 4096, 4200], plainFetchMs: [3000, 3200, 3100], fetchThroughWorkerMs: [3900, 4000, 4100], ratioToPlainFetch: 0.76, ratioToWorkerFetch: 0.98 },
    disk: [{ contender: 'ours-warm', mediaBytes: LARGE, diskBytes: 1.015 * LARGE, ratio: 1.015 }],
    adaptive: { deviceMemoryGiB: 8, segmentSizeBytes: 2 * MiB, timeoutFloorBytesPerSecond: 4 * MiB, measuredBytesPerSecond: 32 * MiB, fetchWindowBytes: 2 * MiB, workers: 'shared' },
    targets: [
      { id: 'a', description: 'met target', measured: '1.10×', met: true },
      { id: 'b', description: 'missed target', measured: '0.76×', met: false },
      { id: 'c', description: 'unmeasured target', measured: 'not measured (no figure)', met: null },
    ],
  };
}

/** The markdown section under a `## heading`, up to the next one. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`## ${heading}\n`);
  expect(start, `section ${heading}`).toBeGreaterThanOrEqual(0);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

/** The rows of the first table in a section, split into cells (escaped pipes stay in the cell). */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()));
}

describe('markdownReport', () => {
  const markdown = markdownReport(sampleRun(), charts);

  it.each([
    { heading: 'Targets', rows: [['Target', 'Measured', 'Met'], ['---', '---', '---'], ['met target', '1.10×', '✅'], ['missed target', '0.76×', '❌'], ['unmeasured target', 'not measured (no figure)', '—']] },
    {
      heading: 'Sequential read throughput',
      rows: [
        ['Contender', '64 MiB', '1 GiB'],
        ['---', '---', '---'],
        ['no-sw', '800.0 MiB/s', '900.0 MiB/s'],
        ['naive', '—', 'error: out of memory \\| tab crashed'],
        ['ours-warm', '880.0 MiB/s (1.10×)', '945.0 MiB/s (1.05×)'],
      ],
    },
    {
      heading: '1 MiB range reads: time to first byte',
      rows: [['Contender', '1 GiB p50', '1 GiB p95'], ['---', '---', '---'], ['workbox', '9.9 ms', '29.4 ms'], ['ours-warm', '2.3 ms', '11.3 ms']],
    },
    // p50 and p95 come from the samples: 25 and 38.5 by linear interpolation.
    { heading: 'Video seek', rows: [['Contender', 'p50', 'p95', 'seeks'], ['---', '---', '---', '---'], ['ours-warm', '25.0 ms', '38.5 ms', '4']] },
    {
      heading: 'Worker heap',
      rows: [
        ['Contender', '64 MiB', '1 GiB'],
        ['---', '---', '---'],
        ['naive', '—', 'error: worker &lt;killed&gt; by the OOM killer'],
        ['ours-warm', '6.5 MiB (idle 3.3 MiB)', '7.3 MiB (idle 3.3 MiB)'],
      ],
    },
    { heading: 'Origin bytes', rows: [['Contender', 'File', 'Readers', 'Origin sent', 'Ratio to file size'], ['---', '---', '---', '---', '---'], ['ours-cold', '1 GiB', '8', '1044.5 MiB', '1.02×']] },
    {
      heading: 'Offline download',
      rows: [
        ['Method', 'Median time', 'Throughput', 'Rounds'],
        ['---', '---', '---', '---'],
        ['Offline download (OfflineLibrary, to `complete`)', '4096.0 ms', '250.0 MiB/s', '3'],
        ['Plain `fetch()`, no worker', '3100.0 ms', '330.3 MiB/s', '3'],
        ['Plain `fetch()` through our worker, cold', '4000.0 ms', '256.0 MiB/s', '3'],
      ],
    },
    { heading: 'Storage on disk', rows: [['Contender', 'Media', 'On disk', 'Ratio'], ['---', '---', '---', '---'], ['ours-warm', '1024.0 MiB', '1039.4 MiB', '1.01×']] },
  ])('has the $heading table', ({ heading, rows }) => {
    expect(tableRows(section(markdown, heading))).toEqual(rows);
  });

  it('shows the held heap (sampled after GC) under the heap table, only where it was measured', () => {
    const run = sampleRun();
    run.heap.push(
      { contender: 'ours-cold', sizeBytes: SMALL, readers: 4, idleBytes: MiB, samples: [8 * MiB], median: 8 * MiB, held: { samples: [2 * MiB], median: 2 * MiB } },
      { contender: 'ours-cold', sizeBytes: LARGE, readers: 4, idleBytes: MiB, samples: [15 * MiB], median: 15 * MiB, held: { samples: [], median: null, error: 'crashed' } },
    );
    const heap = section(markdownReport(run, charts), 'Worker heap');
    const held = heap.slice(heap.indexOf('What the worker still holds'));
    expect(tableRows(held)).toEqual([
      ['Contender', '64 MiB', '1 GiB'],
      ['---', '---', '---'],
      ['ours-cold', '2.0 MiB', 'error: crashed'],
    ]);
    expect(section(markdown, 'Worker heap')).not.toContain('What the worker still holds');
  });

  it.each([
    ['how to reproduce', '`npm run bench`'],
    ['quick mode', '`npm run bench -- --quick`'],
    ['mode', '| Mode | full |'],
    ['date', '| Started | 2025-06-01 10:00 UTC |'],
    ['duration', '| Duration | 42 min 5 s |'],
    ['cpu and cores', '| CPU | Test CPU 9000 (12 cores) |'],
    ['memory', '| Memory | 32.0 GiB |'],
    ['OS', '| OS | Linux 6.8 |'],
    ['Node', '| Node | v20.19.0 |'],
    ['Chromium', '| Chromium | 140.0.7339.0 |'],
    ['rounds', '| Rounds | 5,'],
    ['file sizes', '| File sizes | 64 MiB, 1 GiB |'],
    ['adaptive info', 'segment size 2 MiB; device memory 8 GiB; measured transfer rate 32.0 MiB/s; timeout floor 4.0 MiB/s; fetchWindowBytes 2 MiB; workers "shared"'],
    ['how to read', '**How to read.**'],
    ['readers in the heap heading', 'with 4 concurrent readers'],
    ['both download ratios', 'Download throughput: 0.76× a plain fetch, 0.98× a fetch through the worker.'],
    ['the memory chart', '![Worker heap peak above idle against file size](bench/results/memory.svg)'],
    ['the TTFB chart', '(bench/results/ttfb.svg)'],
  ])('shows %s', (_, text) => {
    expect(markdown).toContain(text);
  });

  it('keeps every table row as wide as its header', () => {
    for (const block of markdown.split('\n\n').filter((b) => b.startsWith('|'))) {
      const rows = tableRows(block);
      for (const row of rows) expect(row, block).toHaveLength(rows[0]!.length);
    }
  });

  it('evaluates the targets when the run carries none', () => {
    const run = { ...sampleRun(), targets: [] };
    const targets = section(markdownReport(run, charts), 'Targets');
    // From the figures above: warm sequential 1.05× at 1 GiB, the download at 0.76× plain fetch.
    expect(targets).toContain('| warm sequential read ≥ 1.0× no-SW (1 GiB) | 1.05× (945.0 MiB/s vs 900.0 MiB/s) | ✅ |');
    expect(targets).toContain('| download throughput ≥ 0.8× plain fetch | 0.76× | ❌ |');
    expect(targets).toContain('| cold sequential read ≥ 0.5× no-SW (1 GiB) | not measured (no ours-cold figure) | — |');
  });

  it('links the account of the missed targets under the targets table only when a target is missed', () => {
    const link = 'bench/MISSED-TARGETS.md';
    const line = `What stands in the way of each missed target, with the measurements behind it: [${link}](${link}).`;
    const run = sampleRun();
    expect(section(markdownReport(run, { ...charts, missedTargets: link }), 'Targets')).toContain(line);
    expect(section(markdownReport(run, charts), 'Targets')).not.toContain('What stands in the way');
    const allMet: BenchResults = { ...run, targets: run.targets.map((t) => ({ ...t, met: t.met === false ? true : t.met })) };
    expect(allMet.targets.filter((t) => t.met === false)).toEqual([]);
    expect(section(markdownReport(allMet, { ...charts, missedTargets: link }), 'Targets')).not.toContain('What stands in the way');
  });

  it.each([
    { name: 'no download', change: (r: BenchResults) => (r.download = null), heading: 'Offline download' },
    { name: 'no disk figures', change: (r: BenchResults) => (r.disk = []), heading: 'Storage on disk' },
    { name: 'no seeks', change: (r: BenchResults) => (r.seek = []), heading: 'Video seek' },
  ])('says a figure was not measured: $name', ({ change, heading }) => {
    const run = sampleRun();
    change(run);
    expect(section(markdownReport(run, charts), heading)).toContain('_Not measured in this run._');
  });

  it('marks a quick run as indicative and omits absent adaptive info', () => {
    const quick = markdownReport({ ...sampleRun(), mode: 'quick', adaptive: null }, charts);
    expect(quick).toContain('| Mode | quick |');
    expect(quick).toContain('This is a quick run');
    expect(quick).not.toContain('Worker settings');
    expect(markdown).not.toContain('This is a quick run');
  });
});
