import { describe, expect, it } from 'vitest';
import { CONTENDERS, type BenchResults } from './results';
import { validateResults } from './validateResults';

const MiB = 1024 * 1024;

/** A complete, well-formed quick run with made-up numbers. */
function completeRun(): BenchResults {
  const sizesBytes = [16 * MiB, 64 * MiB];
  return {
    schema: 1,
    mode: 'quick',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:02:00.000Z',
    durationMs: 120_000,
    machine: { cpuModel: 'cpu', cores: 2, memoryBytes: 8 * 1024 * MiB, os: 'Linux', node: 'v20', chromium: '156' },
    rounds: 1,
    sizesBytes,
    sequential: sizesBytes.flatMap((sizeBytes) => CONTENDERS.map((contender) => ({ contender, sizeBytes, samples: [50], median: 50 }))),
    ttfb: CONTENDERS.map((contender) => ({ contender, sizeBytes: 64 * MiB, samplesMs: [3, 4], p50Ms: 3.5, p95Ms: 4 })),
    seek: CONTENDERS.map((contender) => ({ contender, samples: [30], median: 30 })),
    heap: sizesBytes.flatMap((sizeBytes) =>
      CONTENDERS.filter((c) => c !== 'no-sw').map((contender) => ({
        contender,
        sizeBytes,
        readers: 4,
        idleBytes: MiB,
        samples: [2 * MiB],
        median: 2 * MiB,
        ...(contender === 'ours-cold' && { held: { samples: [MiB], median: MiB } }),
      })),
    ),
    originBytes: CONTENDERS.filter((c) => c !== 'ours-warm').map((contender) => ({ contender, sizeBytes: 16 * MiB, readers: 8, samples: [16 * MiB], ratio: 1 })),
    download: { sizeBytes: 16 * MiB, downloadMs: [400], plainFetchMs: [300], fetchThroughWorkerMs: [500], ratioToPlainFetch: 0.75, ratioToWorkerFetch: 1.25 },
    disk: [{ contender: 'ours-warm', mediaBytes: 64 * MiB, diskBytes: 65 * MiB, ratio: 65 / 64 }],
    adaptive: null,
    targets: [{ id: 'x', description: 'x', measured: 'x', met: true }],
  };
}

describe('validateResults', () => {
  it('accepts a complete run', () => {
    expect(validateResults(completeRun())).toEqual([]);
  });

  it('accepts a recorded failure of another contender', () => {
    const run = completeRun();
    const naive = run.heap.find((figure) => figure.contender === 'naive')!;
    Object.assign(naive, { samples: [], median: null, error: 'out of memory' });
    expect(validateResults(run)).toEqual([]);
  });

  it.each<[string, (run: BenchResults) => void, string]>([
    ['another schema', (run) => ((run as { schema: number }).schema = 2), 'schema 2'],
    ['our heap failing', (run) => Object.assign(run.heap.find((f) => f.contender === 'ours-cold')!, { error: 'boom' }), 'heap ours-cold'],
    ['no held heap of ours-cold', (run) => delete run.heap.find((f) => f.contender === 'ours-cold')!.held, 'held heap ours-cold'],
    ['a held heap pass failing', (run) => (run.heap.find((f) => f.contender === 'ours-cold')!.held = { samples: [], median: null, error: 'boom' }), 'held heap ours-cold'],
    ['a missing sequential figure', (run) => run.sequential.pop(), 'sequential ours-warm'],
    ['a NaN sample', (run) => (run.ttfb.find((f) => f.contender === 'ours-warm')!.samplesMs = [Number.NaN]), 'ttfb ours-warm'],
    ['no seeks of ours', (run) => (run.seek.find((f) => f.contender === 'ours-cold')!.samples = []), 'seek ours-cold'],
    ['no origin figure', (run) => (run.originBytes = []), 'origin bytes ours-cold'],
    ['no download', (run) => (run.download = null), 'download'],
    ['no disk figure', (run) => (run.disk = []), 'disk ours-warm'],
    ['no targets', (run) => (run.targets = []), 'targets'],
  ])('reports %s', (_, spoil, expected) => {
    const run = completeRun();
    spoil(run);
    const problems = validateResults(run);
    expect(problems.some((problem) => problem.startsWith(expected))).toBe(true);
  });
});
