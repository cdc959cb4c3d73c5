import { CONTENDERS, type BenchResults, type ContenderId, type HeapFigure, type TtfbFigure } from '../results';
import { quantile } from '../stats';
import { HEAP_TARGET_BYTES, MiB, TTFB_P50_TARGET_MS, TTFB_P95_TARGET_MS, formatMiB, formatMs, sizeLabel } from './targets';

/**
 * The report's two charts as hand-written standalone SVG (no chart library to install or trust):
 * worker heap against file size, and the distribution of 1 MiB range-read TTFB. Each contender
 * keeps its colour in both charts, and each series is one `<g data-contender="…">`.
 */

const WIDTH = 720;
const HEIGHT = 400;
/** The plot area; the legend sits to its right. */
const PLOT = { left: 64, right: 540, top: 48, bottom: 340 };
const LEGEND_X = 560;

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
const COLOURS: Record<ContenderId, string> = {
  'no-sw': '#555555',
  workbox: '#E69F00',
  naive: '#CC79A7',
  'ours-cold': '#009E73',
  'ours-warm': '#0072B2',
};
const TARGET_COLOUR = '#C00000';

export function memoryChartSvg(results: BenchResults): string {
  const title = `Worker heap peak above idle, ${readersLabel(results)} (median per file size)`;
  const figures = results.heap;
  if (figures.length === 0) return emptyChart(title, 'No heap figures in this run.');

  // x: file size on a log2 scale, padded so the end points sit inside the frame.
  const sizes = [...new Set(figures.map((f) => f.sizeBytes))].sort((a, b) => a - b);
  const [minLog, maxLog] = [Math.log2(sizes[0]!), Math.log2(sizes.at(-1)!)];
  const pad = maxLog > minLog ? (maxLog - minLog) * 0.08 : 1;
  const x = linear(minLog - pad, maxLog + pad, PLOT.left, PLOT.right);
  const xOf = (bytes: number) => x(Math.log2(bytes));

  // y: MiB above idle, linear, always showing the 16 MiB target line (and 0, and any negative peak).
  // Capped at 4× the target: a copying worker can reach hundreds of MiB, and an axis scaled to that
  // would flatten everything near the target into one line; points above the cap sit on the top
  // edge as ▲ with their value written beside them.
  const target = HEAP_TARGET_BYTES / MiB;
  const values = figures.flatMap((f) => (usableHeap(f) ? [f.median / MiB] : []));
  const ticks = niceTicks(Math.min(0, ...values), Math.min(Math.max(target * 1.1, ...values), target * 4));
  const top = ticks.at(-1)!;
  const y = linear(ticks[0]!, top, PLOT.bottom, PLOT.top);

  const parts: string[] = [];
  for (const tick of ticks) {
    parts.push(line(PLOT.left, y(tick), PLOT.right, y(tick), '#e5e5e5'));
    parts.push(text(PLOT.left - 8, y(tick) + 4, String(tick), { anchor: 'end' }));
  }
  for (const size of sizes) {
    parts.push(line(xOf(size), PLOT.bottom, xOf(size), PLOT.bottom + 5, '#333'));
    parts.push(text(xOf(size), PLOT.bottom + 20, sizeLabel(size), { anchor: 'middle' }));
  }
  parts.push(frame());
  parts.push(text((PLOT.left + PLOT.right) / 2, PLOT.bottom + 42, 'file size (log scale)', { anchor: 'middle' }));
  parts.push(yAxisTitle('MiB above idle'));
  parts.push(line(PLOT.left, y(target), PLOT.right, y(target), TARGET_COLOUR, 'stroke-dasharray="6 4" stroke-width="1.5"'));

  const legend: LegendEntry[] = [];
  const errorsAtSize = new Map<number, number>(); // stacks the × of several contenders at one size
  let offScale = false;
  for (const contender of CONTENDERS) {
    const own = figures.filter((f) => f.contender === contender).sort((a, b) => a.sizeBytes - b.sizeBytes);
    if (own.length === 0) continue;
    const colour = COLOURS[contender];
    const series: string[] = [];
    const points: string[] = [];
    for (const f of own) {
      const px = xOf(f.sizeBytes);
      if (!usableHeap(f)) {
        // Not plotted as a value: an × near the top says "tried, failed here" (usually out of memory).
        const stacked = errorsAtSize.get(f.sizeBytes) ?? 0;
        errorsAtSize.set(f.sizeBytes, stacked + 1);
        const why = `${contender}, ${sizeLabel(f.sizeBytes)}: not measured (${f.error ?? 'no samples'})`;
        series.push(text(px, PLOT.top + 18 + stacked * 16, '×', { anchor: 'middle', fill: colour, size: 18, title: why }));
        continue;
      }
      const mib = f.median / MiB;
      const py = y(Math.min(mib, top));
      points.push(`${num(px)},${num(py)}`);
      const idle = f.idleBytes === null ? '' : `, idle ${formatMiB(f.idleBytes)}`;
      const tip = escapeXml(`${contender}, ${sizeLabel(f.sizeBytes)}: ${formatMiB(f.median)} above idle${idle}, ${f.samples.length} rounds`);
      if (mib > top) {
        offScale = true;
        series.push(`<path d="M${num(px)} ${num(py - 6)}L${num(px + 6)} ${num(py + 5)}L${num(px - 6)} ${num(py + 5)}Z" fill="${colour}"><title>${tip}</title></path>`);
        series.push(text(px + 8, py + 16, formatMiB(f.median), { fill: colour }));
      } else {
        series.push(`<circle cx="${num(px)}" cy="${num(py)}" r="4" fill="${colour}"><title>${tip}</title></circle>`);
      }
    }
    if (points.length > 0) series.unshift(`<polyline points="${points.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    parts.push(`<g data-contender="${contender}">${series.join('')}</g>`);
    legend.push({ label: contender, colour });
  }
  legend.push({ label: `${target} MiB target`, colour: TARGET_COLOUR, dashed: true });
  if (offScale) legend.push({ label: `▲ above ${top} MiB`, colour: '#333', note: true });
  if (errorsAtSize.size > 0) legend.push({ label: '× not measured (error)', colour: '#333', note: true });

  return svg(title, [...parts, legendSvg(legend)]);
}

function usableHeap(figure: HeapFigure): figure is HeapFigure & { median: number } {
  return !figure.error && Number.isFinite(figure.median ?? NaN);
}

export function ttfbChartSvg(results: BenchResults): string {
  // The largest file any contender has TTFB samples for: the hardest case for a cache.
  const measured = results.ttfb.filter((f) => !f.error && f.samplesMs.length > 0);
  if (measured.length === 0) return emptyChart('TTFB of 1 MiB range reads (CDF)', 'No TTFB samples in this run.');
  const size = Math.max(...measured.map((f) => f.sizeBytes));
  const title = `TTFB of random 1 MiB range reads, ${sizeLabel(size)} file (cumulative share of reads)`;
  const figures = results.ttfb.filter((f) => f.sizeBytes === size);

  // x: ms on a log10 scale spanning whole decades, always including both targets.
  const all = figures.flatMap((f) => (f.error ? [] : f.samplesMs.filter((ms) => ms > 0 && Number.isFinite(ms))));
  const lo = 10 ** Math.floor(Math.log10(Math.min(TTFB_P50_TARGET_MS, ...all)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(TTFB_P95_TARGET_MS, ...all)));
  const x = linear(Math.log10(lo), Math.log10(hi), PLOT.left, PLOT.right);
  const xOf = (ms: number) => x(Math.log10(Math.min(hi, Math.max(lo, ms))));
  const y = linear(0, 1, PLOT.bottom, PLOT.top);

  const parts: string[] = [];
  for (const share of [0, 0.25, 0.5, 0.75, 0.95, 1]) {
    parts.push(line(PLOT.left, y(share), PLOT.right, y(share), '#e5e5e5'));
    // 0.95 (the p95 line) gets a gridline but no label: it would overlap the 1.
    if (share !== 0.95) parts.push(text(PLOT.left - 8, y(share) + 4, String(share), { anchor: 'end' }));
  }
  const decades = Math.round(Math.log10(hi / lo));
  for (const { value, major } of logTicks(lo, hi)) {
    parts.push(line(xOf(value), PLOT.top, xOf(value), PLOT.bottom, major ? '#e5e5e5' : '#f3f3f3'));
    // Label 2 and 5 too while they fit; over many decades only the powers of ten.
    if (major || decades <= 3) parts.push(text(xOf(value), PLOT.bottom + 20, String(value), { anchor: 'middle' }));
  }
  parts.push(frame());
  parts.push(text((PLOT.left + PLOT.right) / 2, PLOT.bottom + 42, 'time to first byte, ms (log scale)', { anchor: 'middle' }));
  parts.push(yAxisTitle('share of reads ≤ x'));

  // The targets: the ours-warm curve should pass left of the p50 and p95 marks.
  for (const [ms, share, label] of [[TTFB_P50_TARGET_MS, 0.5, 'p50'], [TTFB_P95_TARGET_MS, 0.95, 'p95']] as const) {
    parts.push(line(xOf(ms), PLOT.top, xOf(ms), PLOT.bottom, TARGET_COLOUR, 'stroke-dasharray="6 4" stroke-width="1.5"'));
    parts.push(text(xOf(ms), PLOT.top - 6, `${label} ≤ ${ms} ms`, { anchor: 'middle', fill: TARGET_COLOUR }));
    const [mx, my] = [xOf(ms), y(share)];
    parts.push(`<path d="M${num(mx)} ${num(my - 6)}L${num(mx + 6)} ${num(my)}L${num(mx)} ${num(my + 6)}L${num(mx - 6)} ${num(my)}Z" fill="${TARGET_COLOUR}"/>`);
  }

  const legend: LegendEntry[] = [];
  for (const contender of CONTENDERS) {
    const figure = figures.find((f) => f.contender === contender);
    if (!figure) continue;
    const colour = COLOURS[contender];
    if (figure.error || figure.samplesMs.length === 0) {
      const why = `${contender}: not measured (${figure.error ?? 'no samples'})`;
      parts.push(`<g data-contender="${contender}"><title>${escapeXml(why)}</title></g>`);
      legend.push({ label: `× ${contender}`, colour, note: true, title: why });
      continue;
    }
    const [p50, p95] = [figure.p50Ms ?? ttfbPercentile(figure, 0.5), figure.p95Ms ?? ttfbPercentile(figure, 0.95)];
    const tip = `${contender}: p50 ${formatMs(p50)}, p95 ${formatMs(p95)}, ${figure.samplesMs.length} reads`;
    parts.push(`<g data-contender="${contender}"><title>${escapeXml(tip)}</title>${ecdf(figure.samplesMs, xOf, y, colour)}</g>`);
    legend.push({ label: contender, colour });
  }
  legend.push({ label: 'target', colour: TARGET_COLOUR, dashed: true });
  if (legend.some((entry) => entry.note)) legend.push({ label: '× = not measured', colour: '#333', note: true });

  return svg(title, [...parts, legendSvg(legend)]);
}

// ---------------------------------------------------------------------------------------------

function ttfbPercentile(figure: TtfbFigure, share: number): number {
  return quantile(figure.samplesMs, share) ?? NaN;
}

/** The empirical CDF as a step line: each distinct value lifts the curve by its share of samples. */
function ecdf(samples: readonly number[], xOf: (ms: number) => number, y: (share: number) => number, colour: string): string {
  const sorted = samples.filter(Number.isFinite).sort((a, b) => a - b);
  const points: string[] = [];
  let below = 0;
  for (let i = 0; i < sorted.length; i += 1) {
    if (sorted[i + 1] === sorted[i]) continue; // a run of equal values makes one step, at its last
    const px = num(xOf(sorted[i]!));
    points.push(`${px},${num(y(below / sorted.length))}`, `${px},${num(y((i + 1) / sorted.length))}`);
    below = i + 1;
  }
  points.push(`${num(PLOT.right)},${num(y(1))}`);
  return `<polyline points="${points.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`;
}

/** 1-2-5 ticks from lo to hi (both powers of ten); the powers of ten are the major ones. */
function logTicks(lo: number, hi: number): { value: number; major: boolean }[] {
  const ticks: { value: number; major: boolean }[] = [];
  for (let exponent = Math.round(Math.log10(lo)); 10 ** exponent <= hi * 1.0001; exponent += 1) {
    for (const mantissa of [1, 2, 5]) {
      const value = Number((mantissa * 10 ** exponent).toPrecision(3));
      if (value <= hi * 1.0001) ticks.push({ value, major: mantissa === 1 });
    }
  }
  return ticks;
}

/** About five round tick values (1, 2 or 5 × 10^k apart) covering [min, max]. */
function niceTicks(min: number, max: number): number[] {
  const raw = (max - min) / 5 || 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let tick = Math.floor(min / step) * step; tick < max + step; tick += step) {
    ticks.push(Number(tick.toPrecision(6)));
    if (tick >= max) break;
  }
  return ticks;
}

function linear(d0: number, d1: number, r0: number, r1: number): (value: number) => number {
  return (value) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

function readersLabel(results: BenchResults): string {
  const readers = [...new Set(results.heap.map((f) => f.readers))];
  return readers.length === 1 ? `${readers[0]} concurrent readers` : 'concurrent readers';
}

interface LegendEntry {
  label: string;
  colour: string;
  dashed?: boolean;
  /** A text-only line (no swatch). */
  note?: boolean;
  title?: string;
}

function legendSvg(entries: LegendEntry[]): string {
  const rows = entries.map((entry, i) => {
    const rowY = PLOT.top + 8 + i * 20;
    const tip = entry.title ? `<title>${escapeXml(entry.title)}</title>` : '';
    if (entry.note) return `<g>${tip}${text(LEGEND_X, rowY + 4, entry.label, { fill: entry.colour })}</g>`;
    const dash = entry.dashed ? ' stroke-dasharray="6 4"' : '';
    return (
      `<g>${tip}${line(LEGEND_X, rowY, LEGEND_X + 24, rowY, entry.colour, `stroke-width="2"${dash}`)}` +
      (entry.dashed ? '' : `<circle cx="${LEGEND_X + 12}" cy="${rowY}" r="4" fill="${entry.colour}"/>`) +
      `${text(LEGEND_X + 32, rowY + 4, entry.label)}</g>`
    );
  });
  return `<g class="legend">${rows.join('')}</g>`;
}

function svg(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    // An opaque background keeps the chart readable on dark-themed pages.
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(WIDTH / 2, 26, title, { anchor: 'middle', size: 14, weight: 'bold' }),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function emptyChart(title: string, message: string): string {
  return svg(title, [text(WIDTH / 2, HEIGHT / 2, message, { anchor: 'middle', fill: '#666' })]);
}

function frame(): string {
  return `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#333"/>`;
}

function yAxisTitle(label: string): string {
  const [cx, cy] = [18, (PLOT.top + PLOT.bottom) / 2];
  return `<text x="${cx}" y="${num(cy)}" text-anchor="middle" transform="rotate(-90 ${cx} ${num(cy)})">${escapeXml(label)}</text>`;
}

function line(x1: number, y1: number, x2: number, y2: number, stroke: string, extra = ''): string {
  return `<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" stroke="${stroke}" ${extra}/>`;
}

function text(
  x: number,
  y: number,
  content: string,
  options: { anchor?: 'start' | 'middle' | 'end'; fill?: string; size?: number; weight?: string; title?: string } = {},
): string {
  const attributes = [
    `x="${num(x)}"`,
    `y="${num(y)}"`,
    options.anchor ? `text-anchor="${options.anchor}"` : '',
    options.fill ? `fill="${options.fill}"` : '',
    options.size ? `font-size="${options.size}"` : '',
    options.weight ? `font-weight="${options.weight}"` : '',
  ].filter(Boolean);
  const tip = options.title ? `<title>${escapeXml(options.title)}</title>` : '';
  return `<text ${attributes.join(' ')}>${tip}${escapeXml(content)}</text>`;
}

/** Coordinates with one decimal: enough for a 720-pixel chart, and keeps the file diffable. */
function num(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
