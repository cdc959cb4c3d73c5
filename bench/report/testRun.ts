/** For the report's unit tests: a full run with no figures, which each test fills as it needs. */
import type { BenchResults } from '../results';

const MiB = 1024 * 1024;

export function testRun(figures: Partial<BenchResults> = {}): BenchResults {
  return {
    schema: 1,
    mode: 'full',
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T10:30:00.000Z',
    durationMs: 1_800_000,
    machine: { cpuModel: 'cpu', cores: 8, memoryBytes: 16 * 1024 * MiB, os: 'Linux', node: 'v20', chromium: '140' },
    rounds: 3,
    sizesBytes: [64 * MiB, 256 * MiB, 1024 * MiB],
    sequential: [],
    ttfb: [],
    seek: [],
    heap: [],
    originBytes: [],
    download: null,
    disk: [],
    adaptive: null,
    targets: [],
    ...figures,
  };
}
