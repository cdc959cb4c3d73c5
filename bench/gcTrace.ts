/**
 * `npm run bench:gc [-- --sizes 64,1024] [-- --readers 4]`: why the cold heap peak of the benchmark
 * grows with the file while what the worker holds does not (bench/MISSED-TARGETS.md).
 *
 * Our worker alone, in a Chromium this script starts itself with V8's `--trace-gc` (Playwright
 * connects over CDP), so that it reads the renderers' GC lines on the browser's stdout. For each
 * file size, `readers` cold readers read the whole file at once while the worker's heap is sampled
 * every 100 ms; the worker's own GC lines (its isolate is the one a CDP-forced GC shows up in) are
 * summed up: the peak of JS objects and of ArrayBuffer contents, and what each major GC found and
 * left.
 * A probe for a person to read, not a test and not part of `npm run bench`.
 */
import { chromium, type Browser } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromiumArgs, chromiumExecutablePath } from '../e2e/chromiumLaunch';
import type { ServiceWorkerHeap } from '../e2e/serviceWorkerHeap';
import { buildContenderSites } from './buildContenders';
import { parseGcLine, summarizeMajorGcs, windowsBetweenForcedGcs, type GcEvent, type MajorGcSummary } from './gcTraceLines';
import { freshPath } from './measure';
import { timedReads } from './pageOps';
import { Site } from './sites';

const MiB = 1024 * 1024;
const root = resolve(import.meta.dirname, '..');

function parseOptions(argv: string[]): { sizesMiB: number[]; readers: number } {
  const options = { sizesMiB: [64, 1024], readers: 4 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--sizes') options.sizesMiB = (argv[++i] ?? '').split(',').map(Number);
    else if (argv[i] === '--readers') options.readers = Number(argv[++i]);
    else throw new Error(`unknown option ${argv[i]}: use --sizes <MiB,...> and --readers <n>`);
  }
  if (!options.sizesMiB.every((size) => Number.isInteger(size) && size > 0)) throw new Error('--sizes takes whole MiB, e.g. 64,1024');
  if (!(Number.isInteger(options.readers) && options.readers > 0)) throw new Error('--readers takes a positive whole number');
  return options;
}

interface SizeFigures {
  sizeMiB: number;
  seconds: number;
  peakJsMiB: number;
  peakArrayBuffersMiB: number;
}

/** One size, from a forced GC (the idle reading) to the end of the reads; the trace is read later. */
async function readOneSize(site: Site, heap: ServiceWorkerHeap, sizeMiB: number, readers: number): Promise<SizeFigures> {
  const sizeBytes = sizeMiB * MiB;
  const url = site.url(freshPath('gc-trace', sizeBytes));
  const idle = await heap.usage({ collectGarbage: true });
  const started = Date.now();
  const peak = { usedSize: idle.usedSize, backingStorageSize: idle.backingStorageSize };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const usage = await heap.usage().catch(() => null);
      if (usage) {
        peak.usedSize = Math.max(peak.usedSize, usage.usedSize);
        peak.backingStorageSize = Math.max(peak.backingStorageSize, usage.backingStorageSize);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    await timedReads(site.page, url, Array.from({ length: readers }, () => ({ range: 'bytes=0-', expectBytes: sizeBytes })), true);
  } finally {
    sampling = false;
    await sampler;
  }
  const seconds = (Date.now() - started) / 1000;
  await site.remove(url).catch(() => undefined);
  return {
    sizeMiB,
    seconds,
    peakJsMiB: (peak.usedSize - idle.usedSize) / MiB,
    peakArrayBuffersMiB: (peak.backingStorageSize - idle.backingStorageSize) / MiB,
  };
}

function report(figures: Array<SizeFigures & { majors: MajorGcSummary }>, readers: number): string {
  const range = (r: [number, number] | null) => (r ? `${r[0].toFixed(1)}–${r[1].toFixed(1)} MB` : '—');
  const size = (mib: number) => (mib >= 1024 && mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`);
  const row = (label: string, cell: (f: SizeFigures & { majors: MajorGcSummary }) => string) => `| ${label} | ${figures.map(cell).join(' | ')} |`;
  return [
    `| ${readers} cold readers | ${figures.map((f) => `${size(f.sizeMiB)} (${f.seconds.toFixed(0)} s)`).join(' | ')} |`,
    `|---|${figures.map(() => '---').join('|')}|`,
    row('ArrayBuffers, peak above idle', (f) => `${f.peakArrayBuffersMiB.toFixed(1)} MiB`),
    row('JS objects, peak above idle', (f) => `${f.peakJsMiB.toFixed(1)} MiB`),
    row('major GCs (not forced)', (f) => String(f.majors.count)),
    row('JS heap when a major GC started', (f) => range(f.majors.usedBeforeMB)),
    row('JS heap a major GC left', (f) => range(f.majors.usedAfterMB)),
    row('heap committed, max at a major GC', (f) => (f.majors.maxCommittedMB === null ? '—' : `${f.majors.maxCommittedMB.toFixed(1)} MB`)),
  ].join('\n');
}

/**
 * Debian's Chromium with the e2e flags and V8's GC trace, headless, on `profileDir`; every line of
 * its stdout and stderr goes to `onLine`. Resolves with the process and its DevTools address.
 */
async function startTracedChromium(profileDir: string, onLine: (line: string) => void): Promise<{ process: ChildProcess; wsEndpoint: string; outputEnded: Promise<unknown> }> {
  const child = spawn(
    chromiumExecutablePath,
    // Without the zygote, renderers print on the browser's own stdout.
    [...chromiumArgs, '--headless', '--js-flags=--trace-gc', '--no-zygote', '--remote-debugging-port=0', `--user-data-dir=${profileDir}`, 'about:blank'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const ended: Promise<unknown>[] = [];
  const wsEndpoint = new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`Chromium exited (${code}) before its DevTools address`)));
    for (const stream of [child.stdout!, child.stderr!]) {
      const lines = createInterface({ input: stream });
      ended.push(new Promise((resolve) => lines.once('close', resolve)));
      lines.on('line', (line) => {
        const devtools = /DevTools listening on (ws:\/\/\S+)/.exec(line);
        if (devtools) resolve(devtools[1]!);
        onLine(line);
      });
    }
  });
  return { process: child, wsEndpoint: await wsEndpoint, outputEnded: Promise.all(ended) };
}

async function main(): Promise<void> {
  const { sizesMiB, readers } = parseOptions(process.argv.slice(2));
  const roots = await buildContenderSites(root);
  const events: GcEvent[] = [];
  const profileDir = mkdtempSync(join(tmpdir(), 'media-range-cache-gc-trace-'));
  let chromiumProcess: ChildProcess | undefined;
  let browser: Browser | undefined;
  let site: Site | undefined;
  try {
    const started = await startTracedChromium(profileDir, (line) => {
      const event = parseGcLine(line);
      if (event) events.push(event);
    });
    chromiumProcess = started.process;
    browser = await chromium.connectOverCDP(started.wsEndpoint);
    const context = browser.contexts()[0]!; // the profile's own context: IndexedDB on disk
    await context.addInitScript('globalThis.__name = (target) => target;'); // see bench/run.ts
    site = await Site.open('ours', roots.ours, context);
    const heap = await site.heap(browser);
    const figures: SizeFigures[] = [];
    for (const sizeMiB of sizesMiB) {
      figures.push(await readOneSize(site, heap, sizeMiB, readers));
      console.log(`[gc-trace] ${sizeMiB} MiB read in ${figures.at(-1)!.seconds.toFixed(0)} s`);
    }
    // A forced GC closes the last window. The renderer's stdout is block-buffered and what is left
    // in the buffer when it exits is lost: more forced GCs (two lines of ~250 bytes each) push the
    // lines that matter through; consecutive forced GCs count as one boundary.
    for (let i = 0; i < 40; i++) await heap.usage({ collectGarbage: true });
    await heap.detach();
    const version = browser.version();
    await site.close();
    site = undefined;
    const session = await browser.newBrowserCDPSession();
    await session.send('Browser.close').catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([started.outputEnded, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
    clearTimeout(timer);
    const { isolate, windows } = windowsBetweenForcedGcs(events);
    // A GC of V8's own between the closing forced GCs would open one more window: past the sizes, ignored.
    if (windows.length < figures.length) throw new Error(`the trace has ${windows.length} windows between forced GCs for ${figures.length} sizes`);
    const traced = figures.map((figure, k) => ({ ...figure, majors: summarizeMajorGcs(windows[k]!, isolate) }));
    console.log(`\nChromium ${version}, our worker's isolate ${isolate}\n\n${report(traced, readers)}`);
  } finally {
    await site?.close();
    await browser?.close().catch(() => undefined);
    if (chromiumProcess && chromiumProcess.exitCode === null) {
      const exited = new Promise((resolve) => chromiumProcess!.once('exit', resolve));
      chromiumProcess.kill();
      await exited;
    }
    rmSync(profileDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
