import { describe, expect, it } from 'vitest';
import type { BenchResults, ContenderId, HeapFigure, TtfbFigure } from '../results';
import { memoryChartSvg, ttfbChartSvg } from './svgCharts';
import { testRun } from './testRun';

const MiB = 1024 * 1024;
const SIZES = [64 * MiB, 256 * MiB, 1024 * MiB];

function run(figures: Partial<BenchResults> = {}): BenchResults {
  return testRun({ sizesBytes: SIZES, ...figures });
}

function heap(contender: ContenderId, sizeBytes: number, medianMiB: number | null, error?: string): HeapFigure {
  const median = medianMiB === null ? null : medianMiB * MiB;
  return { contender, sizeBytes, readers: 4, idleBytes: 3 * MiB, samples: median === null ? [] : [median], median, ...(error ? { error } : {}) };
}

function ttfb(contender: ContenderId, sizeBytes: number, samplesMs: number[], error?: string): TtfbFigure {
  return { contender, sizeBytes, samplesMs, p50Ms: null, p95Ms: null, ...(error ? { error } : {}) };
}

/**
 * Enough of an XML check for hand-written SVG: tags nest and close, attributes are quoted, text
 * has no bare `&` or `<`, one `<svg>` root in the SVG namespace.
 */
function expectWellFormed(svg: string): void {
  const tokens = svg.trim().split(/(<[^>]*>)/).filter((token) => token !== '');
  const stack: string[] = [];
  let roots = 0;
  for (const token of tokens) {
    if (!token.startsWith('<')) {
      expect(token, 'text outside a tag').not.toMatch(/<|>|&(?!(amp|lt|gt|quot|apos|#\d+);)/);
      if (stack.length === 0) expect(token.trim(), 'text outside the root').toBe('');
      continue;
    }
    const closing = /^<\/([\w:-]+)\s*>$/.exec(token);
    if (closing) {
      expect(stack.pop(), `closing ${token}`).toBe(closing[1]);
      continue;
    }
    const opening = /^<([\w:-]+)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>$/.exec(token);
    expect(opening, `malformed tag ${token}`).not.toBeNull();
    const [, name, attributes, selfClosing] = opening!;
    expect(attributes!.replace(/"[^"]*"/g, '""'), `bare & in ${token}`).not.toContain('&');
    for (const value of attributes!.matchAll(/="([^"]*)"/g)) expect(value[1]).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)/);
    if (stack.length === 0) {
      roots += 1;
      expect(name).toBe('svg');
      expect(attributes).toContain('xmlns="http://www.w3.org/2000/svg"');
    }
    if (!selfClosing) stack.push(name!);
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

/** The inside of each contender's `<g data-contender>` group. */
function groups(svg: string): Map<string, string> {
  return new Map([...svg.matchAll(/<g data-contender="([^"]+)">(.*?)<\/g>/g)].map((m) => [m[1]!, m[2]!]));
}

function polylinePoints(group: string): [number, number][] {
  const points = /<polyline points="([^"]+)"/.exec(group)?.[1];
  if (!points) return [];
  return points.split(' ').map((pair) => pair.split(',').map(Number) as [number, number]);
}

function strokeOf(group: string): string | undefined {
  return /stroke="(#[0-9A-Fa-f]{6})"/.exec(group)?.[1];
}

const hostileError = 'worker crashed: <script>alert("x")</script> & \'gone\'';

describe('memoryChartSvg', () => {
  const figures = [
    ...SIZES.map((s) => heap('ours-warm', s, 6)),
    ...SIZES.map((s, i) => heap('ours-cold', s, 6 + i)),
    heap('naive', SIZES[0]!, 70),
    heap('naive', SIZES[1]!, 280),
    heap('naive', SIZES[2]!, null, hostileError),
  ];

  const cases: { name: string; results: BenchResults; series: Record<string, number>; contains: string[]; absent: string[] }[] = [
    {
      name: 'three contenders, one errored and one off the scale',
      results: run({ heap: figures }),
      series: { naive: 2, 'ours-cold': 3, 'ours-warm': 3 },
      contains: ['64 MiB', '256 MiB', '1 GiB', '16 MiB target', '× not measured (error)', '▲ above', '280.0 MiB', '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;gone&apos;'],
      absent: ['<script', 'no-sw'],
    },
    {
      name: 'all measured, within the scale',
      results: run({ heap: SIZES.map((s) => heap('ours-warm', s, 5)) }),
      series: { 'ours-warm': 3 },
      contains: ['16 MiB target'],
      absent: ['× not measured', '▲ above'],
    },
    {
      name: 'a single size',
      results: run({ sizesBytes: [SIZES[0]!], heap: [heap('ours-warm', SIZES[0]!, 5), heap('workbox', SIZES[0]!, 20)] }),
      series: { workbox: 1, 'ours-warm': 1 },
      contains: ['64 MiB'],
      absent: ['1 GiB'],
    },
    { name: 'no heap figures', results: run(), series: {}, contains: ['No heap figures in this run.'], absent: ['<polyline'] },
  ];

  it.each(cases)('$name', ({ results, series, contains, absent }) => {
    const svg = memoryChartSvg(results);
    expectWellFormed(svg);
    expect(svg).toMatch(/^<svg [^>]*width="720" height="400"/);
    expect(svg).toContain('<title>Worker heap peak above idle');
    const found = groups(svg);
    expect(Object.fromEntries([...found].map(([contender, group]) => [contender, polylinePoints(group).length]))).toEqual(series);
    for (const text of contains) expect(svg).toContain(text);
    for (const text of absent) expect(svg).not.toContain(text);
  });

  it('draws one polyline per contender, file sizes on a log2 axis, the target as a dashed line', () => {
    const svg = memoryChartSvg(run({ heap: figures }));
    const warm = polylinePoints(groups(svg).get('ours-warm')!);
    const cold = polylinePoints(groups(svg).get('ours-cold')!);
    // 256 MiB lies halfway between 64 MiB and 1 GiB on a log2 scale.
    expect(warm[1]![0] - warm[0]![0]).toBeCloseTo(warm[2]![0] - warm[1]![0], 0);
    // A growing heap goes up the chart (smaller y), equal steps in MiB are equal steps in pixels.
    expect(cold[0]![1]).toBeGreaterThan(cold[1]![1]);
    expect(cold[0]![1] - cold[1]![1]).toBeCloseTo(cold[1]![1] - cold[2]![1], 0);
    // The 16 MiB line sits above the 6 MiB points and below the top of the plot.
    const target = /<line x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="\1" stroke="#C00000" stroke-dasharray/.exec(svg);
    expect(target).not.toBeNull();
    expect(Number(target![1])).toBeLessThan(warm[0]![1]);
    // The errored 1 GiB point is not drawn as a value: naive's line ends at 256 MiB.
    expect(polylinePoints(groups(svg).get('naive')!).at(-1)![0]).toBeCloseTo(warm[1]![0], 0);
  });

  it('gives every contender its own colour, the same in both charts', () => {
    const contenders: ContenderId[] = ['no-sw', 'workbox', 'naive', 'ours-cold', 'ours-warm'];
    const results = run({
      heap: contenders.map((c, i) => heap(c, SIZES[0]!, i + 1)),
      ttfb: contenders.map((c, i) => ttfb(c, SIZES[0]!, [i + 1, i + 2])),
    });
    const memory = groups(memoryChartSvg(results));
    const latency = groups(ttfbChartSvg(results));
    const colours = contenders.map((c) => strokeOf(memory.get(c)!));
    expect(new Set(colours).size).toBe(contenders.length);
    expect(contenders.map((c) => strokeOf(latency.get(c)!))).toEqual(colours);
  });
});

describe('ttfbChartSvg', () => {
  const warm = [1, 2, 2, 3, 4, 5, 8, 12];
  const cases: { name: string; results: BenchResults; series: string[]; title: string; contains: string[] }[] = [
    {
      name: 'uses the largest size measured',
      results: run({ ttfb: [ttfb('ours-warm', SIZES[0]!, [100]), ttfb('ours-warm', SIZES[2]!, warm), ttfb('workbox', SIZES[2]!, [9, 11, 30])] }),
      series: ['workbox', 'ours-warm'], // in the usual contender order
      title: '1 GiB file',
      contains: ['p50 ≤ 5 ms', 'p95 ≤ 20 ms'],
    },
    {
      name: 'an errored contender is listed but not drawn',
      results: run({ ttfb: [ttfb('ours-warm', SIZES[1]!, warm), ttfb('naive', SIZES[1]!, [], hostileError)] }),
      series: ['ours-warm'],
      title: '256 MiB file',
      contains: ['× naive', '&lt;script&gt;', '× = not measured'],
    },
    {
      name: 'the largest size only errored: the largest with samples',
      results: run({ ttfb: [ttfb('ours-warm', SIZES[0]!, warm), ttfb('ours-warm', SIZES[2]!, [], 'timeout')] }),
      series: ['ours-warm'],
      title: '64 MiB file',
      contains: [],
    },
    { name: 'no samples at all', results: run(), series: [], title: 'TTFB', contains: ['No TTFB samples in this run.'] },
  ];

  it.each(cases)('$name', ({ results, series, title, contains }) => {
    const svg = ttfbChartSvg(results);
    expectWellFormed(svg);
    expect(svg).not.toContain('<script');
    expect(/<title>([^<]*)<\/title>/.exec(svg)?.[1]).toContain(title);
    expect([...groups(svg)].filter(([, group]) => group.includes('<polyline')).map(([c]) => c)).toEqual(series);
    for (const text of contains) expect(svg).toContain(text);
  });

  it('draws an empirical CDF: from 0 to 1, never going back, steps at the samples', () => {
    const svg = ttfbChartSvg(run({ ttfb: [ttfb('ours-warm', SIZES[0]!, [...warm].reverse())] }));
    const points = polylinePoints(groups(svg).get('ours-warm')!);
    const ys = points.map(([, y]) => y);
    const xs = points.map(([x]) => x);
    expect(Math.max(...ys)).toBe(ys[0]); // starts at share 0 (the bottom)
    expect(Math.min(...ys)).toBe(ys.at(-1)); // ends at share 1 (the top)
    for (let i = 1; i < points.length; i += 1) {
      expect(xs[i]).toBeGreaterThanOrEqual(xs[i - 1]!);
      expect(ys[i]).toBeLessThanOrEqual(ys[i - 1]!);
    }
    // 7 distinct values (2 appears twice) make 7 steps of two points each, plus the tail.
    expect(points).toHaveLength(7 * 2 + 1);
    // The repeated 2 ms is one step of 2/8.
    const height = ys[0]! - ys.at(-1)!;
    expect(ys[2]! - ys[3]!).toBeCloseTo((height * 2) / 8, 0);
  });
});
