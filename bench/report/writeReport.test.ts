import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BenchResults } from '../results';
import { writeReport } from './writeReport';

const MiB = 1024 * 1024;

function run(targets: BenchResults['targets']): BenchResults {
  return {
    schema: 1,
    mode: 'quick',
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T10:05:00.000Z',
    durationMs: 300_000,
    machine: { cpuModel: 'cpu', cores: 4, memoryBytes: 8 * 1024 * MiB, os: 'Linux', node: 'v20', chromium: '140' },
    rounds: 2,
    sizesBytes: [64 * MiB],
    sequential: [{ contender: 'no-sw', sizeBytes: 64 * MiB, samples: [800, 820], median: 810 }],
    ttfb: [{ contender: 'ours-warm', sizeBytes: 64 * MiB, samplesMs: [1, 2], p50Ms: 1.5, p95Ms: 1.95 }],
    seek: [],
    heap: [{ contender: 'ours-warm', sizeBytes: 64 * MiB, readers: 4, idleBytes: MiB, samples: [5 * MiB], median: 5 * MiB }],
    originBytes: [],
    download: null,
    disk: [],
    adaptive: null,
    targets,
  };
}

describe('writeReport', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-report-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const given = [{ id: 'x', description: 'given target', measured: '1.00×', met: true }];
  it.each([
    { name: 'prefix with a trailing slash', prefix: 'bench/results/', link: 'bench/results/memory.svg', targets: given },
    { name: 'prefix without one', prefix: 'quick', link: 'quick/memory.svg', targets: given },
    { name: 'empty prefix (charts beside the markdown)', prefix: '', link: '(memory.svg)', targets: [] },
  ])('writes JSON, both charts and the markdown into new directories: $name', async ({ prefix, link, targets }) => {
    const options = {
      jsonPath: join(dir, 'out', 'quick.json'),
      markdownPath: join(dir, 'docs', 'BENCH.md'),
      chartsDir: join(dir, 'out', 'charts'),
      chartsLinkPrefix: prefix,
    };
    const results = run(targets);
    await writeReport(results, options);

    const json = await readFile(options.jsonPath, 'utf8');
    expect(json.split('\n')[1]).toBe('  "schema": 1,'); // pretty, two spaces
    const written = JSON.parse(json) as BenchResults;
    // Targets given are kept; none given are evaluated, so JSON and markdown always carry them.
    if (targets.length > 0) expect(written).toEqual(results);
    else {
      expect({ ...written, targets: [] }).toEqual(results);
      expect(written.targets.map((t) => t.id)).toContain('heap-peak-ours-warm');
    }

    for (const chart of ['memory.svg', 'ttfb.svg']) {
      const svg = await readFile(join(options.chartsDir, chart), 'utf8');
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg.trimEnd()).toMatch(/<\/svg>$/);
    }

    const markdown = await readFile(options.markdownPath, 'utf8');
    expect(markdown).toContain(link);
    expect(markdown).toContain(link.replace('memory', 'ttfb'));
    expect(markdown).toContain(targets.length > 0 ? '| given target | 1.00× | ✅ |' : 'heap peak ≤ 16 MiB above idle');
    expect(markdown).not.toContain(dir); // no machine paths in the report
  });
});
