/**
 * One function per figure. Each measures every contender once (one round), in the order given,
 * and returns plain numbers; run.ts interleaves the rounds and collects the samples.
 */
import type { Browser } from '@playwright/test';
import { seededRandom } from '../e2e/fixtures';
import type { ServiceWorkerHeap } from '../e2e/serviceWorkerHeap';
import { settledStorageFolderBytes } from './diskUsage';
import { downloadInWorker, emptyWorkboxCache, fillWorkboxCache, seekLatencies, timedReads } from './pageOps';
import type { ContenderId } from './results';
import type { Site } from './sites';
import type { SiteName } from './buildContenders';

export const MiB = 1024 * 1024;

export type Sites = Record<SiteName, Site>;

/** One measured value per contender, or the error that stopped it. */
export type RoundResult = Partial<Record<ContenderId, number | { error: string }>>;

let fileCounter = 0;

/** A generated file no contender has seen: a new URL is a cold cache for every contender. */
export function freshPath(label: string, sizeBytes: number): string {
  fileCounter++;
  return `/media/gen/bench-${label}-${fileCounter}.bin?size=${sizeBytes}`;
}

/** A 1-byte file: asking the naive worker for it makes it drop the big file it held. */
const NAIVE_RESET_PATH = '/media/gen/bench-reset.bin?size=1';

function mibPerSecond(bytes: number, ms: number): number {
  return bytes / MiB / (ms / 1000);
}

/** The first line of an error's message: what the report shows for a contender that failed. */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

async function attempt(result: RoundResult, contender: ContenderId, site: Site, measure: () => Promise<number>): Promise<void> {
  try {
    result[contender] = await measure();
  } catch (error) {
    result[contender] = { error: errorText(error) };
    await site.reopenIfCrashed();
  }
}

async function readWhole(site: Site, path: string, sizeBytes: number): Promise<number> {
  const [timing] = await timedReads(site.page, site.url(path), [{ range: 'bytes=0-', expectBytes: sizeBytes }], false);
  return mibPerSecond(sizeBytes, timing!.totalMs);
}

/** Sequential read of a whole file (`Range: bytes=0-`, as a media element asks), MiB/s. */
export async function sequentialRound(sites: Sites, order: ContenderId[], sizeBytes: number): Promise<RoundResult> {
  const result: RoundResult = {};
  let oursPath: string | undefined;
  for (const contender of order) {
    if (contender === 'ours-warm') continue; // measured right after ours-cold, on the stored file
    const site = sites[siteOf(contender)];
    const path = freshPath('seq', sizeBytes);
    await attempt(result, contender, site, async () => {
      if (contender === 'workbox') await fillWorkboxCache(site.page, site.url(path));
      if (contender === 'naive') await timedReads(site.page, site.url(path), [{ range: 'bytes=0-0', expectBytes: 1 }], false);
      if (contender === 'ours-cold') oursPath = path;
      return readWhole(site, path, sizeBytes);
    });
    if (contender === 'workbox') await emptyWorkboxCache(site.page);
    if (contender === 'ours-cold' && oursPath && typeof result['ours-cold'] === 'number') {
      await attempt(result, 'ours-warm', site, async () => {
        await site.waitUntilStored(site.url(oursPath!));
        return readWhole(site, oursPath!, sizeBytes);
      });
    }
  }
  if (oursPath) await sites.ours.remove(sites.ours.url(oursPath)).catch(() => undefined);
  await resetNaive(sites);
  return result;
}

export function siteOf(contender: ContenderId): SiteName {
  return contender === 'ours-cold' || contender === 'ours-warm' ? 'ours' : contender;
}

async function resetNaive(sites: Sites): Promise<void> {
  await timedReads(sites.naive.page, sites.naive.url(NAIVE_RESET_PATH), [{ range: null, expectBytes: 1 }], false).catch(() => undefined);
}

export interface HeapRound {
  peakAboveIdle: RoundResult;
  idle: RoundResult;
  /** Peak of the heap sampled after a forced GC, above idle, in a pass of its own (ours-cold). */
  heldAboveIdle: RoundResult;
}

/** The contenders whose held heap is measured: the one whose sampled peak grows with the file. */
const HELD_HEAP_CONTENDERS: readonly ContenderId[] = ['ours-cold'];
/** A forced GC pauses the worker (a few ms on its small heap): 4 a second follow what it holds. */
const HELD_SAMPLE_INTERVAL_MS = 250;
/** 4 readers of the quick run's 8 MiB file are done in about half a second. */
const HELD_FIRST_SAMPLE_MS = 100;

/**
 * The worker's heap while `readers` pages read the whole file at once: sampled every 100 ms
 * (no GC, so garbage not yet collected counts: what the process really holds), peak minus the
 * idle heap measured after a GC just before. With `held`, each sample follows a forced GC, 4 times
 * a second: what the worker still refers to, without the garbage V8 has not collected yet.
 */
async function peakHeapDuring(browser: Browser, site: Site, run: () => Promise<unknown>, held = false): Promise<{ idle: number; peak: number }> {
  const heap: ServiceWorkerHeap = await site.heap(browser);
  try {
    const idle = await heap.bytes({ collectGarbage: true });
    let peak = idle;
    let sampling = true;
    const sampler = (async () => {
      // Held samples start a little into the reads: at once, the worker holds only what it held idle.
      if (held) await new Promise((resolve) => setTimeout(resolve, HELD_FIRST_SAMPLE_MS));
      while (sampling) {
        peak = Math.max(peak, await heap.bytes({ collectGarbage: held }).catch(() => 0));
        await new Promise((resolve) => setTimeout(resolve, held ? HELD_SAMPLE_INTERVAL_MS : 100));
      }
    })();
    try {
      await run();
    } finally {
      sampling = false;
      await sampler;
    }
    return { idle, peak };
  } finally {
    await heap.detach();
  }
}

/**
 * The naive worker holds the file plus one copy per reader: 5 GiB for 4 readers of 1 GiB. In a
 * full run that took the whole browser down (not just the worker), ending the run; its growth
 * shows at 64 and 256 MiB already.
 */
const NAIVE_HEAP_MAX_BYTES = 256 * MiB;
const NAIVE_HEAP_SKIPPED = `not run above ${NAIVE_HEAP_MAX_BYTES / MiB} MiB: it holds the file plus a copy per reader, and 4 × 1 GiB crashed the browser`;

export async function heapRound(browser: Browser, sites: Sites, order: ContenderId[], sizeBytes: number, readers: number): Promise<HeapRound> {
  const round: HeapRound = { peakAboveIdle: {}, idle: {}, heldAboveIdle: {} };
  const readAll = (site: Site, path: string) =>
    timedReads(site.page, site.url(path), Array.from({ length: readers }, () => ({ range: 'bytes=0-', expectBytes: sizeBytes })), true);
  for (const contender of order) {
    if (contender === 'no-sw') continue;
    if (contender === 'naive' && sizeBytes > NAIVE_HEAP_MAX_BYTES) {
      round.peakAboveIdle.naive = { error: NAIVE_HEAP_SKIPPED };
      continue;
    }
    const site = sites[siteOf(contender)];
    const path = freshPath('heap', sizeBytes);
    await attempt(round.peakAboveIdle, contender, site, async () => {
      if (contender === 'workbox') await fillWorkboxCache(site.page, site.url(path));
      if (contender === 'ours-warm') {
        await downloadInWorker(site.page, site.url(path), 600_000);
      }
      const { idle, peak } = await peakHeapDuring(browser, site, () => readAll(site, path));
      round.idle[contender] = idle;
      return peak - idle;
    });
    if (contender === 'workbox') await emptyWorkboxCache(site.page);
    if (contender === 'naive') await resetNaive(sites);
    if (contender === 'ours-cold' || contender === 'ours-warm') await sites.ours.remove(site.url(path)).catch(() => undefined);
    if (!HELD_HEAP_CONTENDERS.includes(contender)) continue;
    const heldPath = freshPath('heap-held', sizeBytes);
    await attempt(round.heldAboveIdle, contender, site, async () => {
      const { idle, peak } = await peakHeapDuring(browser, site, () => readAll(site, heldPath), true);
      return peak - idle;
    });
    await sites.ours.remove(site.url(heldPath)).catch(() => undefined);
  }
  return round;
}

type SeriesResult = Partial<Record<ContenderId, number[] | { error: string }>>;

/**
 * Measures a series of values for each contender, each on a URL new to it (`pathFor`), after
 * putting the file where the contender answers from: Workbox's cache, the naive worker's memory,
 * our storage for ours-warm (nothing for no-sw and ours-cold). Cleans up after each.
 */
async function seriesRound(sites: Sites, order: ContenderId[], pathFor: (contender: ContenderId) => string, measure: (site: Site, url: string) => Promise<number[]>): Promise<SeriesResult> {
  const result: SeriesResult = {};
  for (const contender of order) {
    const site = sites[siteOf(contender)];
    const url = site.url(pathFor(contender));
    try {
      if (contender === 'workbox') await fillWorkboxCache(site.page, url);
      if (contender === 'naive') await timedReads(site.page, url, [{ range: 'bytes=0-0', expectBytes: 1 }], false);
      if (contender === 'ours-warm') await downloadInWorker(site.page, url, 600_000);
      result[contender] = await measure(site, url);
    } catch (error) {
      result[contender] = { error: errorText(error) };
      await site.reopenIfCrashed();
    }
    if (contender === 'workbox') await emptyWorkboxCache(site.page);
    if (contender === 'ours-cold' || contender === 'ours-warm') await sites.ours.remove(url).catch(() => undefined);
  }
  await resetNaive(sites);
  return result;
}

/** Time to first byte of `count` random 1 MiB range reads (seeded: the same ranges for everyone), ms. */
export async function ttfbRound(sites: Sites, order: ContenderId[], sizeBytes: number, count: number, seed: number): Promise<SeriesResult> {
  const random = seededRandom(seed);
  const reads = Array.from({ length: count }, () => {
    const start = Math.floor(random() * (sizeBytes - MiB));
    return { range: `bytes=${start}-${start + MiB - 1}`, expectBytes: MiB };
  });
  return seriesRound(
    sites,
    order,
    () => freshPath('ttfb', sizeBytes),
    async (site, url) => (await timedReads(site.page, url, reads, false)).map((timing) => timing.ttfbMs),
  );
}

/** `<video>` seek → `seeked` on the real lecture video, ms per seek. */
export async function seekRound(sites: Sites, order: ContenderId[], count: number, seed: number, round: number): Promise<SeriesResult> {
  const random = seededRandom(seed);
  // lecture-1.mp4 lasts 180 s; seek anywhere but the last seconds (a seek there ends playback).
  const targets = Array.from({ length: count }, () => Math.round(random() * 170 * 10) / 10);
  // A query the origin ignores makes the URL new to every cache.
  return seriesRound(sites, order, (contender) => `/media/lecture-1.mp4?round=${round}&for=${contender}`, (site, url) => seekLatencies(site.page, url, targets));
}

/** Origin body bytes while `readers` cold readers read the whole file at once. */
export async function originBytesRound(sites: Sites, order: ContenderId[], sizeBytes: number, readers: number): Promise<RoundResult> {
  const result: RoundResult = {};
  for (const contender of order) {
    if (contender === 'ours-warm') continue;
    const site = sites[siteOf(contender)];
    const path = freshPath('origin', sizeBytes);
    await attempt(result, contender, site, async () => {
      await timedReads(site.page, site.url(path), Array.from({ length: readers }, () => ({ range: 'bytes=0-', expectBytes: sizeBytes })), true);
      // Let writes and fetches that trail the reads finish before counting.
      await new Promise((resolve) => setTimeout(resolve, 500));
      return site.originBytesFor(path);
    });
    if (contender === 'ours-cold') await sites.ours.remove(site.url(path)).catch(() => undefined);
  }
  await resetNaive(sites);
  return result;
}

export interface DownloadRound {
  downloadMs: number;
  plainFetchMs: number;
  fetchThroughWorkerMs: number;
}

/** Our download of a whole file against a plain fetch of it, with and without our worker. */
export async function downloadRound(sites: Sites, sizeBytes: number): Promise<DownloadRound> {
  // The first fetch of a fresh browser pays a start-up cost (~250 ms here): warm both paths with a
  // small file first, so the figure does not depend on what the run measured before.
  const warmUpBytes = 1024 * 1024;
  const warmUpPath = freshPath('download-warm-up', warmUpBytes);
  await downloadInWorker(sites.ours.page, sites.ours.url(warmUpPath), 600_000);
  await sites.ours.remove(sites.ours.url(warmUpPath));
  await timedReads(sites['no-sw'].page, sites['no-sw'].url(freshPath('download-warm-up', warmUpBytes)), [{ range: null, expectBytes: warmUpBytes }], false);
  const downloadPath = freshPath('download', sizeBytes);
  const downloadMs = await downloadInWorker(sites.ours.page, sites.ours.url(downloadPath), 600_000);
  await sites.ours.remove(sites.ours.url(downloadPath));
  const [plain] = await timedReads(sites['no-sw'].page, sites['no-sw'].url(freshPath('download', sizeBytes)), [{ range: null, expectBytes: sizeBytes }], false);
  const throughPath = freshPath('download', sizeBytes);
  const [through] = await timedReads(sites.ours.page, sites.ours.url(throughPath), [{ range: null, expectBytes: sizeBytes }], false);
  await sites.ours.waitUntilStored(sites.ours.url(throughPath)).catch(() => undefined);
  await sites.ours.remove(sites.ours.url(throughPath)).catch(() => undefined);
  return { downloadMs, plainFetchMs: plain!.totalMs, fetchThroughWorkerMs: through!.totalMs };
}

export interface DiskRound {
  oursDiskBytes: number;
  workboxDiskBytes: number;
}

/** Disk taken by one stored file of `sizeBytes`: our IndexedDB and Workbox's Cache Storage (after minus before). */
export async function diskRound(sites: Sites, sizeBytes: number, profileDir: string): Promise<DiskRound> {
  const path = freshPath('disk', sizeBytes);
  const oursBefore = await settledStorageFolderBytes(profileDir, 'IndexedDB');
  await downloadInWorker(sites.ours.page, sites.ours.url(path), 600_000);
  const oursDiskBytes = (await settledStorageFolderBytes(profileDir, 'IndexedDB')) - oursBefore;
  await sites.ours.remove(sites.ours.url(path)).catch(() => undefined);

  const workboxBefore = await settledStorageFolderBytes(profileDir, 'CacheStorage');
  await fillWorkboxCache(sites.workbox.page, sites.workbox.url(path));
  const workboxDiskBytes = (await settledStorageFolderBytes(profileDir, 'CacheStorage')) - workboxBefore;
  await emptyWorkboxCache(sites.workbox.page);
  return { oursDiskBytes, workboxDiskBytes };
}
