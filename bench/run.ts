/**
 * `npm run bench [-- --quick] [-- --out <dir>]`: the contenders side by side in one browser, in
 * interleaved rounds, on a persistent profile in a fresh folder (an off-the-record context keeps
 * IndexedDB in memory and would flatter us). Prints each figure as it comes, then writes the JSON,
 * the charts and the markdown report (BENCHMARKS.md for a full run).
 */
import type { Browser, BrowserContext } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, type as osType } from 'node:os';
import { join, resolve } from 'node:path';
import { launchProfile } from '../e2e/chromiumLaunch';
import { buildContenderSites, type SiteName } from './buildContenders';
import {
  diskRound,
  downloadRound,
  heapRound,
  MiB,
  originBytesRound,
  seekRound,
  sequentialRound,
  ttfbRound,
  type DiskRound,
  type DownloadRound,
  type HeapRound,
  type RoundResult,
  type Sites,
} from './measure';
import { benchPlan, type BenchPlan } from './plan';
import { CONTENDERS, type BenchMode, type AdaptiveInfo, type BenchResults, type ContenderId, type HeapFigure, type OriginBytesFigure, type Sampled, type TtfbFigure } from './results';
import { Site } from './sites';
import { median, quantile, ratio } from './stats';
import { evaluateTargets } from './report/targets';
import { writeReport } from './report/writeReport';

const root = resolve(import.meta.dirname, '..');


const FIGURES = ['sequential', 'heap', 'ttfb', 'seek', 'origin', 'download', 'disk'] as const;
type Figure = (typeof FIGURES)[number];

interface Options {
  mode: BenchMode;
  outDir: string | undefined;
  /** Figures to measure (all by default): `--only ttfb,heap` for a short look at a change. */
  only: ReadonlySet<Figure>;
  /** File sizes in MiB instead of the mode's (`--sizes 1024`), for a look at one size. */
  sizesMiB: number[] | undefined;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { mode: 'full', outDir: undefined, only: new Set(FIGURES), sizesMiB: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options.mode = 'quick';
    else if (arg === '--out') options.outDir = argv[++i];
    else if (arg === '--only') {
      const figures = (argv[++i] ?? '').split(',');
      const unknown = figures.filter((figure) => !(FIGURES as readonly string[]).includes(figure));
      if (unknown.length > 0) throw new Error(`--only: unknown figure ${unknown.join(', ')}; known: ${FIGURES.join(', ')}`);
      options.only = new Set(figures as Figure[]);
    } else if (arg === '--sizes') {
      options.sizesMiB = (argv[++i] ?? '').split(',').map(Number);
      if (!options.sizesMiB.every((size) => Number.isInteger(size) && size >= 2)) throw new Error('--sizes: whole MiB ≥ 2, comma-separated');
    } else throw new Error(`unknown option ${arg}: use --quick, --out <dir>, --only <${FIGURES.join(',')}> and --sizes <MiB,...>`);
  }
  const partial = options.only.size < FIGURES.length || options.sizesMiB !== undefined;
  if (partial && !options.outDir) throw new Error('--only and --sizes need --out <dir>: a partial run must not replace the full results');
  return options;
}

/** Each round starts with another contender, so none always runs first (or last) in a warm machine. */
function rotated(round: number): ContenderId[] {
  const shift = round % CONTENDERS.length;
  return [...CONTENDERS.slice(shift), ...CONTENDERS.slice(0, shift)];
}

const started = Date.now();

function log(line: string): void {
  console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
}

function describe(value: number | { error: string } | undefined, unit: string, digits = 1): string {
  if (value === undefined) return '-';
  return typeof value === 'number' ? `${value.toFixed(digits)} ${unit}` : `error: ${value.error}`;
}

/** Folds rounds of one-value-per-contender results into Sampled figures. */
function sampled(rounds: RoundResult[], sizeBytes: number | undefined, contenders: readonly ContenderId[]): Sampled[] {
  return contenders.map((contender) => {
    const samples: number[] = [];
    let error: string | undefined;
    for (const round of rounds) {
      const value = round[contender];
      if (typeof value === 'number') samples.push(value);
      else if (value) error = value.error;
    }
    return { contender, ...(sizeBytes !== undefined && { sizeBytes }), samples, median: median(samples), ...(error && { error }) };
  });
}

function samplesOf(rounds: Array<Partial<Record<ContenderId, number[] | { error: string }>>>, contender: ContenderId): { samples: number[]; error?: string } {
  const samples: number[] = [];
  let error: string | undefined;
  for (const round of rounds) {
    const value = round[contender];
    if (Array.isArray(value)) samples.push(...value);
    else if (value) error = value.error;
  }
  return { samples, ...(error && { error }) };
}

async function measureAll(plan: BenchPlan, only: ReadonlySet<Figure>, browser: Browser, sites: Sites, profileDir: string): Promise<Omit<BenchResults, 'schema' | 'mode' | 'startedAt' | 'finishedAt' | 'durationMs' | 'machine' | 'targets'>> {
  // First, on a profile that has stored nothing yet: the browser deletes the files of removed
  // records lazily, so a later after-minus-before would net out earlier files' deletion.
  const disks: DiskRound[] = [];
  const diskSize = plan.diskSizeBytes;
  if (only.has('disk')) disks.push(await diskRound(sites, diskSize, profileDir));
  if (disks[0]) log(`disk for ${diskSize / MiB} MiB: ours ${(disks[0]!.oursDiskBytes / MiB).toFixed(1)} MiB, workbox ${(disks[0]!.workboxDiskBytes / MiB).toFixed(1)} MiB`);

  const sequential: Sampled[] = [];
  const heap: HeapFigure[] = [];
  for (const sizeBytes of plan.sizesBytes) {
    const sequentialRounds: RoundResult[] = [];
    const heapRounds: HeapRound[] = [];
    for (let round = 0; round < plan.roundsFor(sizeBytes); round++) {
      const order = rotated(round);
      if (!only.has('sequential') && !only.has('heap')) break;
      const seq = only.has('sequential') ? await sequentialRound(sites, order, sizeBytes) : {};
      sequentialRounds.push(seq);
      if (only.has('sequential')) log(`sequential ${sizeBytes / MiB} MiB, round ${round + 1}: ${order.map((c) => `${c} ${describe(seq[c], 'MiB/s')}`).join(', ')}`);
      const heapResult = only.has('heap') ? await heapRound(browser, sites, order, sizeBytes, plan.heapReaders) : { peakAboveIdle: {}, idle: {}, heldAboveIdle: {} };
      heapRounds.push(heapResult);
      if (only.has('heap')) log(
        `heap ${sizeBytes / MiB} MiB × ${plan.heapReaders} readers, round ${round + 1}: ` +
          order.filter((c) => c !== 'no-sw').map((c) => `${c} ${describe(scaled(heapResult.peakAboveIdle[c], 1 / MiB), 'MiB')}`).join(', ') +
          Object.entries(heapResult.heldAboveIdle).map(([c, held]) => `; ${c} held after GC ${describe(scaled(held, 1 / MiB), 'MiB')}`).join(''),
      );
    }
    if (only.has('sequential')) sequential.push(...sampled(sequentialRounds, sizeBytes, CONTENDERS));
    if (!only.has('heap')) continue;
    const heldFigures = sampled(heapRounds.map((round) => round.heldAboveIdle), sizeBytes, CONTENDERS);
    for (const figure of sampled(heapRounds.map((round) => round.peakAboveIdle), sizeBytes, CONTENDERS.filter((c) => c !== 'no-sw'))) {
      const idles = heapRounds.map((round) => round.idle[figure.contender]).filter((value): value is number => typeof value === 'number');
      const held = heldFigures.find((h) => h.contender === figure.contender && (h.samples.length > 0 || h.error));
      heap.push({
        contender: figure.contender,
        sizeBytes,
        readers: plan.heapReaders,
        idleBytes: median(idles),
        samples: figure.samples,
        median: figure.median,
        ...(figure.error && { error: figure.error }),
        ...(held && { held: { samples: held.samples, median: held.median, ...(held.error && { error: held.error }) } }),
      });
    }
  }

  type PerRead = Partial<Record<ContenderId, number[] | { error: string }>>;
  const ttfbRounds: PerRead[] = [];
  const seekRounds: PerRead[] = [];
  const originRounds: RoundResult[] = [];
  const downloads: DownloadRound[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    const order = rotated(round);
    const ttfb = only.has('ttfb') ? await ttfbRound(sites, order, plan.ttfbSizeBytes, plan.ttfbReads, 1000 + round) : {};
    ttfbRounds.push(ttfb);
    if (only.has('ttfb')) log(`ttfb round ${round + 1}: ${order.map((c) => { const v = ttfb[c]; return `${c} p50 ${Array.isArray(v) ? quantile(v, 0.5)!.toFixed(1) + ' ms' : v?.error}`; }).join(', ')}`);
    const seeks = only.has('seek') ? await seekRound(sites, order, plan.seeks, 2000 + round, round) : {};
    seekRounds.push(seeks);
    if (only.has('seek')) log(`seek round ${round + 1}: ${order.map((c) => { const v = seeks[c]; return `${c} p50 ${Array.isArray(v) ? quantile(v, 0.5)!.toFixed(1) + ' ms' : v?.error}`; }).join(', ')}`);
    const originBytes = only.has('origin') ? await originBytesRound(sites, order, plan.originSizeBytes, plan.originReaders) : {};
    originRounds.push(originBytes);
    if (only.has('origin')) log(`origin bytes, ${plan.originReaders} cold readers: ${order.filter((c) => c !== 'ours-warm').map((c) => `${c} ${describe(scaled(originBytes[c], 1 / plan.originSizeBytes), '×', 3)}`).join(', ')}`);
    if (!only.has('download')) continue;
    const download = await downloadRound(sites, plan.downloadSizeBytes);
    downloads.push(download);
    log(`download ${plan.downloadSizeBytes / MiB} MiB: ${download.downloadMs.toFixed(0)} ms; plain fetch ${download.plainFetchMs.toFixed(0)} ms; fetch through our worker ${download.fetchThroughWorkerMs.toFixed(0)} ms`);
  }

  const ttfb: TtfbFigure[] = CONTENDERS.map((contender) => {
    const { samples, error } = samplesOf(ttfbRounds, contender);
    return { contender, sizeBytes: plan.ttfbSizeBytes, samplesMs: samples, p50Ms: quantile(samples, 0.5), p95Ms: quantile(samples, 0.95), ...(error && { error }) };
  });
  const seek: Sampled[] = CONTENDERS.map((contender) => {
    const { samples, error } = samplesOf(seekRounds, contender);
    return { contender, samples, median: median(samples), ...(error && { error }) };
  });
  const originBytes: OriginBytesFigure[] = sampled(originRounds, plan.originSizeBytes, CONTENDERS.filter((c) => c !== 'ours-warm')).map((figure) => ({
    contender: figure.contender,
    sizeBytes: plan.originSizeBytes,
    readers: plan.originReaders,
    samples: figure.samples,
    ratio: ratio(figure.median, plan.originSizeBytes),
    ...(figure.error && { error: figure.error }),
  }));
  const downloadMs = downloads.map((d) => d.downloadMs);
  const plainFetchMs = downloads.map((d) => d.plainFetchMs);
  const fetchThroughWorkerMs = downloads.map((d) => d.fetchThroughWorkerMs);
  const disk = disks.flatMap((d) => [
    { contender: 'ours-warm' as const, mediaBytes: diskSize, diskBytes: d.oursDiskBytes, ratio: d.oursDiskBytes / diskSize },
    { contender: 'workbox' as const, mediaBytes: diskSize, diskBytes: d.workboxDiskBytes, ratio: d.workboxDiskBytes / diskSize },
  ]);
  return {
    rounds: plan.rounds,
    sizesBytes: plan.sizesBytes,
    sequential,
    ttfb,
    seek,
    heap,
    originBytes,
    download: {
      sizeBytes: plan.downloadSizeBytes,
      downloadMs,
      plainFetchMs,
      fetchThroughWorkerMs,
      ratioToPlainFetch: ratio(median(plainFetchMs), median(downloadMs)),
      ratioToWorkerFetch: ratio(median(fetchThroughWorkerMs), median(downloadMs)),
    },
    disk,
    adaptive: null,
  };
}

function scaled(value: number | { error: string } | undefined, factor: number): number | { error: string } | undefined {
  return typeof value === 'number' ? value * factor : value;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const plan = benchPlan(options.mode, options.sizesMiB?.map((size) => size * MiB));
  const startedAt = new Date();
  log(`${plan.mode} run: building the contenders' sites`);
  const siteRoots = await buildContenderSites(root);

  const profileDir = mkdtempSync(join(tmpdir(), 'media-range-cache-bench-'));
  let context: BrowserContext | undefined;
  const sites = {} as Sites;
  try {
    context = await launchProfile(profileDir);
    const browser = context.browser()!;
    for (const name of Object.keys(siteRoots) as SiteName[]) sites[name] = await Site.open(name, siteRoots[name], context);
    log(`Chromium ${browser.version()}, profile on disk, sites: ${Object.values(sites).map((site) => `${site.name} ${site.origin.url}`).join(', ')}`);

    const measured = await measureAll(plan, options.only, browser, sites, profileDir);
    // Read at the end: the timeout floor follows the transfer rate the worker measured during the run.
    const adaptive: AdaptiveInfo | null = await sites.ours.adaptiveSettings().then(
      (settings) => ({ ...settings }),
      () => null,
    );
    if (adaptive) log(`our worker's settings: ${JSON.stringify(adaptive)}`);
    const finishedAt = new Date();
    const cpu = cpus()[0];
    const partial = {
      schema: 1 as const,
      mode: plan.mode,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      machine: {
        cpuModel: cpu?.model.trim() ?? 'unknown',
        cores: cpus().length,
        memoryBytes: totalmem(),
        os: `${osType()} ${release()}`,
        node: process.version,
        chromium: browser.version(),
      },
      ...measured,
      adaptive,
      targets: [],
    };
    const results: BenchResults = { ...partial, targets: evaluateTargets(partial) };
    const outDir = options.outDir ? resolve(options.outDir) : join(root, 'bench', 'results');
    const full = plan.mode === 'full' && !options.outDir;
    await writeReport(results, {
      jsonPath: join(outDir, `${plan.mode}.json`),
      markdownPath: full ? join(root, 'BENCHMARKS.md') : join(outDir, `${plan.mode}.md`),
      chartsDir: join(outDir, full ? '' : plan.mode),
      chartsLinkPrefix: full ? 'bench/results/' : `${plan.mode}/`,
      // Only BENCHMARKS.md sits where this relative link resolves.
      missedTargetsLink: full ? 'bench/MISSED-TARGETS.md' : undefined,
    });
    log(`done in ${(results.durationMs / 1000).toFixed(0)} s; results in ${outDir}`);
    for (const target of results.targets) log(`${target.met === true ? 'met ' : target.met === false ? 'MISS' : '  - '} ${target.description}: ${target.measured}`);
  } finally {
    for (const site of Object.values(sites)) await site.close();
    await context?.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
