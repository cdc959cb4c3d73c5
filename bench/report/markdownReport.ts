import { CONTENDERS, type AdaptiveInfo, type BenchResults, type ContenderId, type TargetRow } from '../results';
import { quantile } from '../stats';
import { GiB, MiB, evaluateTargets, formatMiB, formatMiBps, formatMs, formatRatio, sizeLabel } from './targets';

/**
 * BENCHMARKS.md: how the run was made, the project's targets, then one plain GitHub table per
 * figure and the two charts (`links` are paths relative to the markdown file; `missedTargets`, when
 * given, is the hand-written account of what stands in the way of each missed target, linked under
 * the targets table when any target is missed). Every number here is also in the JSON results,
 * with its raw samples.
 */
export function markdownReport(results: BenchResults, links: { memory: string; ttfb: string; missedTargets?: string }): string {
  // The runner normally fills `targets`; evaluating them here too means the table is never empty.
  const targets = results.targets.length > 0 ? results.targets : evaluateTargets(results);
  return [
    '# Benchmarks',
    'Reproduce with `npm run bench` (every file size, all rounds) or `npm run bench -- --quick` (fewer sizes and rounds, indicative only). ' +
      'The run\'s JSON results hold every raw sample behind these medians.',
    runSection(results),
    howToRead(results),
    '## Targets',
    targetTable(targets),
    ...missedTargetsLink(targets, links.missedTargets),
    '## Sequential read throughput',
    `The whole file read with \`Range: bytes=0-\`: median MiB/s over the rounds, and in parentheses the ratio to no-SW in the same run.`,
    sequentialTable(results),
    '## 1 MiB range reads: time to first byte',
    'Random 1 MiB range reads (all rounds together): p50 and p95 time to first byte.',
    ttfbTable(results),
    '## Video seek',
    'A `<video>` element seeking to random positions: time from setting `currentTime` to `seeked`, all rounds together.',
    seekTable(results),
    '## Worker heap',
    `The worker's JS heap peak above idle (after a GC) with ${readersOf(results.heap) ?? 'concurrent'} concurrent readers: median over the rounds, idle heap in parentheses.`,
    heapTable(results),
    ...heldHeapSection(results),
    '## Origin bytes',
    `Body bytes the origin sent while ${readersOf(results.originBytes) ?? 'several'} readers read the same file at once, nothing stored yet: median over the rounds.`,
    originTable(results),
    '## Offline download',
    downloadSection(results),
    '## Storage on disk',
    'Bytes the origin\'s storage directory takes on disk (IndexedDB for ours, Cache Storage for workbox) against the media bytes stored.',
    diskTable(results),
    '## Charts',
    `![Worker heap peak above idle against file size](${links.memory})`,
    `![Distribution of time to first byte of 1 MiB range reads](${links.ttfb})`,
    '',
  ].join('\n\n');
}

function runSection(results: BenchResults): string {
  const { machine } = results;
  const rows: [string, string][] = [
    ['Mode', results.mode],
    ['Started', formatDate(results.startedAt)],
    ['Duration', formatDuration(results.durationMs)],
    ['CPU', `${machine.cpuModel} (${machine.cores} cores)`],
    ['Memory', `${(machine.memoryBytes / GiB).toFixed(1)} GiB`],
    ['OS', machine.os],
    ['Node', machine.node],
    ['Chromium', machine.chromium],
    ['Rounds', `${results.rounds}, contenders interleaved within each round`],
    ['File sizes', results.sizesBytes.map(sizeLabel).join(', ') || '—'],
  ];
  if (results.adaptive) rows.push(['Worker settings', adaptiveText(results.adaptive)]);
  return table(['Run', ''], rows);
}

function adaptiveText(adaptive: AdaptiveInfo): string {
  const { deviceMemoryGiB, segmentSizeBytes, timeoutFloorBytesPerSecond, measuredBytesPerSecond, ...rest } = adaptive;
  const parts = [
    `segment size ${sizeLabel(segmentSizeBytes)}`,
    `device memory ${deviceMemoryGiB === null ? 'not reported' : `${deviceMemoryGiB} GiB`}`,
    ...(measuredBytesPerSecond === undefined
      ? []
      : [`measured transfer rate ${measuredBytesPerSecond === null ? 'none yet' : formatMiBps(measuredBytesPerSecond / MiB)}`]),
    `timeout floor ${timeoutFloorBytesPerSecond === null ? 'not calibrated' : formatMiBps(timeoutFloorBytesPerSecond / MiB)}`,
    ...Object.entries(rest).map(([key, value]) => `${key} ${key.endsWith('Bytes') && typeof value === 'number' ? sizeLabel(value) : JSON.stringify(value)}`),
  ];
  return parts.join('; ');
}

function howToRead(results: BenchResults): string {
  return [
    '**How to read.** Every figure is a median over rounds in which the contenders take turns (interleaved), so a slow ' +
      'moment of the machine hits them all alike; every ratio compares figures measured in the same run, on this machine. ' +
      'The origin is a local loopback server, so no-SW is the practical limit of this machine rather than of a real network, ' +
      'and cold figures show the cost of storing, not of a slow link.' +
      (results.mode === 'quick' ? ' This is a quick run: fewer sizes and rounds, so treat the numbers as indicative.' : ''),
    '',
    '- **no-sw**: no service worker, the page fetches straight from the origin.',
    '- **workbox**: Workbox CacheFirst + RangeRequestsPlugin over Cache Storage, the whole file cached first.',
    '- **naive**: a worker that fetches the whole file into one ArrayBuffer and answers ranges with copies.',
    '- **ours-cold**: this project\'s worker with nothing stored yet (network + storing).',
    '- **ours-warm**: this project\'s worker with everything stored (IndexedDB only).',
  ].join('\n');
}

function missedTargetsLink(targets: readonly TargetRow[], link: string | undefined): string[] {
  if (link === undefined || !targets.some((t) => t.met === false)) return [];
  return [`What stands in the way of each missed target, with the measurements behind it: [${link}](${link}).`];
}

function targetTable(targets: readonly TargetRow[]): string {
  if (targets.length === 0) return '_No targets were evaluated._';
  const mark = (met: boolean | null) => (met === null ? '—' : met ? '✅' : '❌');
  return table(['Target', 'Measured', 'Met'], targets.map((t) => [t.description, t.measured, mark(t.met)]));
}

function sequentialTable(results: BenchResults): string {
  const sizes = sizesOf(results.sequential);
  const cell = (contender: ContenderId, size: number) => {
    const figure = results.sequential.find((f) => f.contender === contender && f.sizeBytes === size);
    if (!figure) return '—';
    if (figure.error) return `error: ${figure.error}`;
    if (figure.median === null) return 'no samples';
    const base = results.sequential.find((f) => f.contender === 'no-sw' && f.sizeBytes === size)?.median;
    const ratio = contender !== 'no-sw' && base ? ` (${formatRatio(figure.median / base)})` : '';
    return `${formatMiBps(figure.median)}${ratio}`;
  };
  return byContender(results.sequential, sizes.map(sizeLabel), (contender) => sizes.map((size) => cell(contender, size)));
}

function ttfbTable(results: BenchResults): string {
  const sizes = sizesOf(results.ttfb);
  const header = sizes.flatMap((size) => [`${sizeLabel(size)} p50`, `${sizeLabel(size)} p95`]);
  return byContender(results.ttfb, header, (contender) =>
    sizes.flatMap((size) => {
      const figure = results.ttfb.find((f) => f.contender === contender && f.sizeBytes === size);
      if (!figure) return ['—', '—'];
      if (figure.error) return [`error: ${figure.error}`, '—'];
      return [msOrDash(figure.p50Ms), msOrDash(figure.p95Ms)];
    }),
  );
}

function seekTable(results: BenchResults): string {
  return byContender(results.seek, ['p50', 'p95', 'seeks'], (contender) => {
    const figure = results.seek.find((f) => f.contender === contender)!;
    if (figure.error) return [`error: ${figure.error}`, '—', String(figure.samples.length)];
    return [msOrDash(quantile(figure.samples, 0.5)), msOrDash(quantile(figure.samples, 0.95)), String(figure.samples.length)];
  });
}

function heapTable(results: BenchResults): string {
  const sizes = sizesOf(results.heap);
  return byContender(results.heap, sizes.map(sizeLabel), (contender) =>
    sizes.map((size) => {
      const figure = results.heap.find((f) => f.contender === contender && f.sizeBytes === size);
      if (!figure) return '—';
      if (figure.error) return `error: ${figure.error}`;
      if (figure.median === null) return 'no samples';
      const idle = figure.idleBytes === null ? '' : ` (idle ${formatMiB(figure.idleBytes)})`;
      return `${formatMiB(figure.median)}${idle}`;
    }),
  );
}

/**
 * What the worker still holds, where measured: the peak of the heap sampled after a forced GC.
 * Shown beside the heap figure (sampled without GC) to tell memory kept from garbage not yet
 * collected.
 */
function heldHeapSection(results: BenchResults): string[] {
  const figures = results.heap.filter((f) => f.held);
  if (figures.length === 0) return [];
  const sizes = sizesOf(results.heap);
  const text =
    'What the worker still holds: the same reads in a pass of their own, the heap sampled after a forced GC 4 times a second, peak above idle, median over the rounds ' +
    '(informational: the figure above, as the target defines it, also counts garbage V8 has not collected yet).';
  const cells = (contender: ContenderId) =>
    sizes.map((size) => {
      const held = figures.find((f) => f.contender === contender && f.sizeBytes === size)?.held;
      if (!held) return '—';
      if (held.error) return `error: ${held.error}`;
      return held.median === null ? 'no samples' : formatMiB(held.median);
    });
  return [text, byContender(figures, sizes.map(sizeLabel), cells)];
}

function originTable(results: BenchResults): string {
  if (results.originBytes.length === 0) return NOT_MEASURED;
  const rows = sortByContender(results.originBytes).map((f) => {
    const bytes = quantile(f.samples, 0.5);
    const sent = f.error ? `error: ${f.error}` : bytes === null ? 'no samples' : formatMiB(bytes);
    return [f.contender, sizeLabel(f.sizeBytes), String(f.readers), sent, f.ratio === null ? '—' : formatRatio(f.ratio)];
  });
  return table(['Contender', 'File', 'Readers', 'Origin sent', 'Ratio to file size'], rows);
}

function downloadSection(results: BenchResults): string {
  const download = results.download;
  if (!download) return NOT_MEASURED;
  const row = (label: string, samples: number[]): string[] => {
    const ms = quantile(samples, 0.5);
    const speed = ms === null || ms <= 0 ? '—' : formatMiBps(download.sizeBytes / MiB / (ms / 1000));
    return [label, msOrDash(ms), speed, String(samples.length)];
  };
  const ratio = (value: number | null) => (value === null ? 'not measured' : formatRatio(value));
  return [
    `One ${sizeLabel(download.sizeBytes)} file, medians over the rounds.`,
    table(
      ['Method', 'Median time', 'Throughput', 'Rounds'],
      [
        row('Offline download (OfflineLibrary, to `complete`)', download.downloadMs),
        row('Plain `fetch()`, no worker', download.plainFetchMs),
        row('Plain `fetch()` through our worker, cold', download.fetchThroughWorkerMs),
      ],
    ),
    `Download throughput: ${ratio(download.ratioToPlainFetch)} a plain fetch, ${ratio(download.ratioToWorkerFetch)} a fetch through the worker.`,
  ].join('\n\n');
}

function diskTable(results: BenchResults): string {
  if (results.disk.length === 0) return NOT_MEASURED;
  const rows = sortByContender(results.disk).map((f) => [f.contender, formatMiB(f.mediaBytes), formatMiB(f.diskBytes), formatRatio(f.ratio)]);
  return table(['Contender', 'Media', 'On disk', 'Ratio'], rows);
}

// ---------------------------------------------------------------------------------------------

const NOT_MEASURED = '_Not measured in this run._';

/** One row per contender that has a figure, in the usual contender order. */
function byContender(figures: readonly { contender: ContenderId }[], header: string[], cells: (contender: ContenderId) => string[]): string {
  const present = CONTENDERS.filter((c) => figures.some((f) => f.contender === c));
  if (present.length === 0) return NOT_MEASURED;
  return table(['Contender', ...header], present.map((contender) => [contender, ...cells(contender)]));
}

function sortByContender<F extends { contender: ContenderId; sizeBytes?: number }>(figures: readonly F[]): F[] {
  const rank = (f: F) => CONTENDERS.indexOf(f.contender) * 1e15 + (f.sizeBytes ?? 0);
  return [...figures].sort((a, b) => rank(a) - rank(b));
}

function sizesOf(figures: readonly { sizeBytes?: number }[]): number[] {
  return [...new Set(figures.flatMap((f) => (f.sizeBytes === undefined ? [] : [f.sizeBytes])))].sort((a, b) => a - b);
}

function readersOf(figures: readonly { readers: number }[]): number | undefined {
  const readers = [...new Set(figures.map((f) => f.readers))];
  return readers.length === 1 ? readers[0] : undefined;
}

function msOrDash(ms: number | null): string {
  return ms === null ? '—' : formatMs(ms);
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** A cell must stay on one line, and text from an error message must not become markup. */
function cell(value: string): string {
  return value.replace(/\r?\n/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|');
}

function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60];
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}
