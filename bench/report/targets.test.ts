import { describe, expect, it } from 'vitest';
import type { BenchResults, ContenderId, TargetRow } from '../results';
import { evaluateTargets, formatRatio, sizeLabel } from './targets';
import { testRun } from './testRun';

const MiB = 1024 * 1024;
const SMALL = 64 * MiB;
const LARGE = 1024 * MiB;

/** A run in which every target is met, at two file sizes; each case changes one figure. */
function passingRun(): BenchResults {
  const sizes = [SMALL, LARGE];
  const speeds: [ContenderId, number][] = [['no-sw', 900], ['workbox', 600], ['ours-cold', 500], ['ours-warm', 950]];
  return testRun({
    sizesBytes: sizes,
    sequential: speeds.flatMap(([contender, median]) => sizes.map((sizeBytes) => ({ contender, sizeBytes, samples: [median], median }))),
    ttfb: sizes.flatMap((sizeBytes) => [
      { contender: 'ours-warm' as const, sizeBytes, samplesMs: [2, 4, 8], p50Ms: 2, p95Ms: 8 },
      { contender: 'workbox' as const, sizeBytes, samplesMs: [10, 20, 40], p50Ms: 10, p95Ms: 40 },
    ]),
    seek: [],
    heap: (['ours-cold', 'ours-warm'] as const).flatMap((contender) =>
      sizes.map((sizeBytes) => ({
        contender,
        sizeBytes,
        readers: 4,
        idleBytes: 3 * MiB,
        samples: [6 * MiB],
        median: 6 * MiB,
        ...(contender === 'ours-cold' && { held: { samples: [2 * MiB], median: 2 * MiB } }),
      })),
    ),
    originBytes: [{ contender: 'ours-cold', sizeBytes: LARGE, readers: 8, samples: [LARGE], ratio: 1.0 }],
    download: { sizeBytes: LARGE, downloadMs: [1000], plainFetchMs: [900], fetchThroughWorkerMs: [950], ratioToPlainFetch: 0.9, ratioToWorkerFetch: 0.95 },
    disk: [{ contender: 'ours-warm', mediaBytes: LARGE, diskBytes: LARGE * 1.01, ratio: 1.01 }],
  });
}

function row(rows: TargetRow[], id: string): TargetRow {
  const found = rows.find((r) => r.id === id);
  if (!found) throw new Error(`no target row ${id} among ${rows.map((r) => r.id).join(', ')}`);
  return found;
}

function setSequential(run: BenchResults, contender: ContenderId, size: number, median: number | null, error?: string) {
  const figure = run.sequential.find((f) => f.contender === contender && f.sizeBytes === size)!;
  Object.assign(figure, { median, samples: median === null ? [] : [median] }, error ? { error } : {});
}

function setHeap(run: BenchResults, contender: ContenderId, size: number, medianMiB: number | null, error?: string) {
  const figure = run.heap.find((f) => f.contender === contender && f.sizeBytes === size)!;
  const median = medianMiB === null ? null : medianMiB * MiB;
  Object.assign(figure, { median, samples: median === null ? [] : [median] }, error ? { error } : {});
}

function setTtfb(run: BenchResults, contender: ContenderId, size: number, p50Ms: number | null, p95Ms: number | null, error?: string) {
  const figure = run.ttfb.find((f) => f.contender === contender && f.sizeBytes === size)!;
  Object.assign(figure, { p50Ms, p95Ms }, error ? { error } : {});
}

describe('evaluateTargets', () => {
  it('gives one row per target (sequential per size), all met in a passing run', () => {
    const rows = evaluateTargets(passingRun());
    expect(rows.map((r) => r.id)).toEqual([
      'sequential-warm-64MiB',
      'sequential-warm-1GiB',
      'sequential-cold-64MiB',
      'sequential-cold-1GiB',
      'ttfb-warm-p50',
      'ttfb-warm-p95',
      'ttfb-warm-p50-vs-workbox',
      'ttfb-warm-p95-vs-workbox',
      'heap-peak-ours-warm',
      'heap-peak-ours-cold',
      'heap-scaling-ours-warm',
      'heap-scaling-ours-cold',
      'heap-held-scaling-ours-cold',
      'origin-bytes-ours-cold',
      'download-vs-plain-fetch',
      'download-vs-worker-fetch',
      'disk-ours-warm',
    ]);
    for (const r of rows) expect(r, r.id).toMatchObject({ met: true });
  });

  const cases: { name: string; change: (run: BenchResults) => void; id: string; met: boolean | null; measured: string }[] = [
    // Sequential: the ratio of medians, per size, at ≥ 1.0 (warm) and ≥ 0.5 (cold).
    { name: 'warm below no-SW at one size', change: (r) => setSequential(r, 'ours-warm', LARGE, 810), id: 'sequential-warm-1GiB', met: false, measured: '0.90× (810.0 MiB/s vs 900.0 MiB/s)' },
    { name: 'warm exactly at no-SW', change: (r) => setSequential(r, 'ours-warm', SMALL, 900), id: 'sequential-warm-64MiB', met: true, measured: '1.00× (900.0 MiB/s vs 900.0 MiB/s)' },
    { name: 'cold exactly half of no-SW', change: (r) => setSequential(r, 'ours-cold', SMALL, 450), id: 'sequential-cold-64MiB', met: true, measured: '0.50× (450.0 MiB/s vs 900.0 MiB/s)' },
    { name: 'cold below half of no-SW', change: (r) => setSequential(r, 'ours-cold', SMALL, 440), id: 'sequential-cold-64MiB', met: false, measured: '0.49× (440.0 MiB/s vs 900.0 MiB/s)' },
    { name: 'cold errored', change: (r) => setSequential(r, 'ours-cold', LARGE, null, 'worker stopped'), id: 'sequential-cold-1GiB', met: null, measured: 'not measured (ours-cold: worker stopped)' },
    { name: 'warm has no samples', change: (r) => setSequential(r, 'ours-warm', LARGE, null), id: 'sequential-warm-1GiB', met: null, measured: 'not measured (ours-warm: no samples)' },
    { name: 'no-SW figure missing', change: (r) => (r.sequential = r.sequential.filter((f) => f.contender !== 'no-sw' || f.sizeBytes !== LARGE)), id: 'sequential-warm-1GiB', met: null, measured: 'not measured (no no-sw figure)' },
    { name: 'no-SW median of zero', change: (r) => setSequential(r, 'no-sw', SMALL, 0), id: 'sequential-warm-64MiB', met: null, measured: 'not measured (no-sw median is 0 MiB/s)' },
    { name: 'no sizes at all', change: (r) => ((r.sizesBytes = []), (r.sequential = []), (r.ttfb = []), (r.heap = []), (r.originBytes = [])), id: 'sequential-warm', met: null, measured: 'not measured (no file sizes measured)' },

    // TTFB: absolute limits at the largest size, and p50/p95 against workbox at the largest shared size.
    { name: 'warm p50 above 5 ms', change: (r) => setTtfb(r, 'ours-warm', LARGE, 5.04, 8), id: 'ttfb-warm-p50', met: false, measured: '5.0 ms' },
    { name: 'warm p95 exactly 20 ms', change: (r) => setTtfb(r, 'ours-warm', LARGE, 2, 20), id: 'ttfb-warm-p95', met: true, measured: '20.0 ms' },
    { name: 'the absolute limit uses the largest size', change: (r) => setTtfb(r, 'ours-warm', SMALL, 50, 90), id: 'ttfb-warm-p95', met: true, measured: '8.0 ms' },
    { name: 'warm p50 above half of workbox', change: (r) => setTtfb(r, 'ours-warm', LARGE, 6, 8), id: 'ttfb-warm-p50-vs-workbox', met: false, measured: '0.60× (6.0 ms vs 10.0 ms)' },
    { name: 'p95 compared with p95, not p50', change: (r) => setTtfb(r, 'ours-warm', LARGE, 2, 30), id: 'ttfb-warm-p95-vs-workbox', met: false, measured: '0.75× (30.0 ms vs 40.0 ms)' },
    {
      name: 'workbox only at the small size: compared there',
      change: (r) => {
        r.ttfb = r.ttfb.filter((f) => f.contender !== 'workbox' || f.sizeBytes === SMALL);
        setTtfb(r, 'ours-warm', SMALL, 4, 8);
      },
      id: 'ttfb-warm-p50-vs-workbox',
      met: true,
      measured: '0.40× (4.0 ms vs 10.0 ms)',
    },
    { name: 'workbox errored everywhere', change: (r) => r.ttfb.filter((f) => f.contender === 'workbox').forEach((f) => (f.error = 'quota exceeded')), id: 'ttfb-warm-p50-vs-workbox', met: null, measured: 'not measured (workbox: quota exceeded)' },
    { name: 'ours-warm missing', change: (r) => (r.ttfb = r.ttfb.filter((f) => f.contender !== 'ours-warm')), id: 'ttfb-warm-p95', met: null, measured: 'not measured (no ours-warm TTFB figure)' },
    { name: 'ours-warm errored at the large size: the small one counts', change: (r) => setTtfb(r, 'ours-warm', LARGE, null, null, 'timeout'), id: 'ttfb-warm-p50', met: true, measured: '2.0 ms' },

    // Heap peak: the maximum over sizes; an errored size can only confirm a miss.
    { name: 'peak over 16 MiB at the large size', change: (r) => setHeap(r, 'ours-warm', LARGE, 17), id: 'heap-peak-ours-warm', met: false, measured: '17.0 MiB (max over sizes, at 1 GiB)' },
    { name: 'peak exactly 16 MiB', change: (r) => setHeap(r, 'ours-cold', SMALL, 16), id: 'heap-peak-ours-cold', met: true, measured: '16.0 MiB (max over sizes, at 64 MiB)' },
    { name: 'large size errored, small size fine', change: (r) => setHeap(r, 'ours-cold', LARGE, null, 'out of memory'), id: 'heap-peak-ours-cold', met: null, measured: '6.0 MiB (max over sizes, at 64 MiB); not measured at 1 GiB: out of memory' },
    { name: 'large size errored, small size already over', change: (r) => (setHeap(r, 'ours-cold', LARGE, null, 'out of memory'), setHeap(r, 'ours-cold', SMALL, 20)), id: 'heap-peak-ours-cold', met: false, measured: '20.0 MiB (max over sizes, at 64 MiB); not measured at 1 GiB: out of memory' },
    { name: 'every size errored', change: (r) => r.heap.forEach((f) => (f.error = 'crashed')), id: 'heap-peak-ours-warm', met: null, measured: 'not measured (64 MiB: crashed; 1 GiB: crashed)' },

    // Heap scaling: largest / smallest ≤ 1.2, or absolute growth ≤ 3.2 MiB over a sub-MiB base.
    { name: 'grows 1.33×', change: (r) => setHeap(r, 'ours-warm', LARGE, 8), id: 'heap-scaling-ours-warm', met: false, measured: '1.33× (64 MiB → 1 GiB: 6.0 MiB → 8.0 MiB)' },
    { name: 'grows 1.17×', change: (r) => setHeap(r, 'ours-cold', LARGE, 7), id: 'heap-scaling-ours-cold', met: true, measured: '1.17× (64 MiB → 1 GiB: 6.0 MiB → 7.0 MiB)' },
    {
      name: 'only one size',
      change: (r) => ((r.sizesBytes = [SMALL]), (r.heap = r.heap.filter((f) => f.sizeBytes === SMALL))),
      id: 'heap-scaling-ours-warm',
      met: null,
      measured: 'not measured (only one file size measured)',
    },
    {
      name: 'tiny base, small absolute growth',
      change: (r) => (setHeap(r, 'ours-warm', SMALL, 0.25), setHeap(r, 'ours-warm', LARGE, 2)),
      id: 'heap-scaling-ours-warm',
      met: true,
      measured: '+1.8 MiB (64 MiB → 1 GiB: 0.3 MiB → 2.0 MiB; smallest < 1 MiB, so absolute growth vs 3.2 MiB allowed)',
    },
    {
      name: 'tiny base, large absolute growth',
      change: (r) => (setHeap(r, 'ours-warm', SMALL, 0.25), setHeap(r, 'ours-warm', LARGE, 4)),
      id: 'heap-scaling-ours-warm',
      met: false,
      measured: '+3.8 MiB (64 MiB → 1 GiB: 0.3 MiB → 4.0 MiB; smallest < 1 MiB, so absolute growth vs 3.2 MiB allowed)',
    },

    // The held heap (sampled after GC, informational): the same growth rule, on its own value.
    {
      name: 'held heap grows 1.5× while the sampled peak is flat',
      change: (r) => (r.heap.find((f) => f.contender === 'ours-cold' && f.sizeBytes === LARGE)!.held = { samples: [3 * MiB], median: 3 * MiB }),
      id: 'heap-held-scaling-ours-cold',
      met: false,
      measured: '1.50× (64 MiB → 1 GiB: 2.0 MiB → 3.0 MiB)',
    },
    {
      name: 'sampled peak grows 2× while the held heap is flat',
      change: (r) => setHeap(r, 'ours-cold', LARGE, 12),
      id: 'heap-held-scaling-ours-cold',
      met: true,
      measured: '1.00× (64 MiB → 1 GiB: 2.0 MiB → 2.0 MiB)',
    },
    {
      name: 'held heap not measured at the large size',
      change: (r) => delete r.heap.find((f) => f.contender === 'ours-cold' && f.sizeBytes === LARGE)!.held,
      id: 'heap-held-scaling-ours-cold',
      met: null,
      measured: 'not measured (only one file size measured; 1 GiB: not measured)',
    },
    {
      name: 'held heap pass errored',
      change: (r) => (r.heap.find((f) => f.contender === 'ours-cold' && f.sizeBytes === SMALL)!.held = { samples: [], median: null, error: 'crashed' }),
      id: 'heap-held-scaling-ours-cold',
      met: null,
      measured: 'not measured (only one file size measured; 64 MiB: crashed)',
    },

    // Origin bytes, download, disk.
    { name: 'origin over 1.05×', change: (r) => (r.originBytes[0]!.ratio = 1.06), id: 'origin-bytes-ours-cold', met: false, measured: '1.06× (1 GiB)' },
    { name: 'origin at 1.05×', change: (r) => (r.originBytes[0]!.ratio = 1.05), id: 'origin-bytes-ours-cold', met: true, measured: '1.05× (1 GiB)' },
    { name: 'origin errored', change: (r) => Object.assign(r.originBytes[0]!, { ratio: null, error: 'origin down' }), id: 'origin-bytes-ours-cold', met: null, measured: 'not measured (1 GiB: origin down)' },
    { name: 'download below 0.8× plain fetch', change: (r) => (r.download!.ratioToPlainFetch = 0.79), id: 'download-vs-plain-fetch', met: false, measured: '0.79×' },
    { name: 'download vs worker fetch is held to 0.8 too', change: (r) => (r.download!.ratioToWorkerFetch = 0.7), id: 'download-vs-worker-fetch', met: false, measured: '0.70×' },
    { name: 'download not run', change: (r) => (r.download = null), id: 'download-vs-worker-fetch', met: null, measured: 'not measured (no download figure)' },
    { name: 'download without complete rounds', change: (r) => (r.download!.ratioToPlainFetch = null), id: 'download-vs-plain-fetch', met: null, measured: 'not measured (no complete rounds)' },
    { name: 'disk over 1.02×', change: (r) => Object.assign(r.disk[0]!, { diskBytes: LARGE * 1.03, ratio: 1.03 }), id: 'disk-ours-warm', met: false, measured: '1.03× (1054.7 MiB on disk for 1024.0 MiB of media)' },
    { name: 'only workbox disk figure', change: (r) => (r.disk = [{ contender: 'workbox', mediaBytes: 1, diskBytes: 1, ratio: 1 }]), id: 'disk-ours-warm', met: null, measured: 'not measured (no ours-warm disk figure)' },
  ];

  it.each(cases)('$name → $id', ({ change, id, met, measured }) => {
    const run = passingRun();
    change(run);
    expect(row(evaluateTargets(run), id)).toMatchObject({ met, measured });
  });

  it('names the file size in each sized description', () => {
    const rows = evaluateTargets(passingRun());
    expect(row(rows, 'sequential-cold-1GiB').description).toBe('cold sequential read ≥ 0.5× no-SW (1 GiB)');
    expect(row(rows, 'ttfb-warm-p95-vs-workbox').description).toBe('warm 1 MiB TTFB p95 ≤ 0.5× workbox (1 GiB)');
    expect(row(rows, 'heap-peak-ours-warm').description).toBe('ours-warm worker heap peak ≤ 16 MiB above idle with 4 readers');
  });
});

describe('formatting helpers', () => {
  it.each([
    [64 * MiB, '64 MiB'],
    [256 * MiB, '256 MiB'],
    [1024 * MiB, '1 GiB'],
    [1.5 * 1024 * MiB, '1.5 GiB'],
    [512 * 1024, '512 KiB'],
    [100, '100 B'],
  ])('sizeLabel(%d) = %s', (bytes, label) => expect(sizeLabel(bytes)).toBe(label));

  it('rounds ratios to two decimals', () => expect(formatRatio(1.005 + 1e-9)).toBe('1.01×'));
});
