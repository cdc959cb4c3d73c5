import type { RangeCache } from '../cache/RangeCache.js';
import { isMediaCacheError, MediaCacheError, type MediaCacheErrorCode } from '../errors/MediaCacheError.js';
import type { CacheEvent, DownloadProgress, DownloadState } from '../messages.js';
import type { DownloadRecord, FileRecord } from '../store/schema.js';
import { segmentCount } from '../store/segmentLayout.js';
import { remainingRanges } from './backgroundFetch.js';
import { downloadRun } from './downloadRun.js';
import { verifyDownload } from './verifyDownload.js';
import { firstMissingSegment } from '../store/segmentBitmap.js';
import { stripFragment } from '../cache/planRequest.js';

export interface DownloadManagerOptions {
  cache: RangeCache;
  /** Tells every page what changed (the worker posts it on a BroadcastChannel). */
  announce: (event: CacheEvent) => void;
  /** Background Fetch, where the browser has it: downloads handed to it go on with no page open. */
  background?: BackgroundDownloads;
}

/** What the manager needs of Background Fetch; the worker provides it (`enableDownloads`). */
export interface BackgroundDownloads {
  /** Whether a background fetch for `url` exists: running, or ended and not yet stored by the worker. */
  exists(url: string): Promise<boolean>;
  /**
   * Confirms a page's hand-off of `url`: true when the page's background fetch exists and no other
   * page of the app remains open (one does: the background fetch is aborted, and the worker keeps
   * downloading itself, sharing bytes with that page's player).
   */
  accept(url: string, fromClient: string | undefined): Promise<boolean>;
  /** Aborts the background fetch of `url`, if any; what it completed is still stored. */
  abort(url: string): Promise<void>;
}

/** Progress events per download are sent at most this often (state changes always go at once). */
const PROGRESS_INTERVAL_MS = 250;

/**
 * Downloads whole files for offline use, in the worker. What it owns: the download records (a
 * record pins its file) and one task per running download. What it only uses: the cache's store
 * and its shared upstream fetches, so a download and a player reading the same file share bytes,
 * and segments already stored (by playback or an earlier, interrupted download) are not fetched
 * again.
 */
export class DownloadManager {
  private readonly cache: RangeCache;
  private readonly tasks = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly lastProgressAt = new Map<string, number>();
  /** Downloads whose background fetch ended and whose responses are being stored: not fetched here meanwhile. */
  private readonly settling = new Set<string>();
  /** Counts `clear()` calls: a download set up across one is not started. */
  private generation = 0;

  constructor(private readonly options: DownloadManagerOptions) {
    this.cache = options.cache;
    this.cache.store.onChange((url) => void this.onStoreChange(url));
    this.cache.revalidator.onOutdated((url) => void this.markOutdated(url).catch(() => undefined));
  }

  /**
   * The origin has another version of the downloaded file `url`: its stored bytes keep playing,
   * the download is `outdated`, and pages are told (`file-outdated`) so the app can offer to
   * download it again.
   */
  private async markOutdated(url: string): Promise<void> {
    const record = await this.cache.downloads.get(url);
    if (record?.state !== 'complete') return;
    await this.save({ ...record, state: 'outdated', updatedAt: Date.now() });
    this.options.announce({ kind: 'media-range-cache/v1', type: 'file-outdated', url });
  }

  /** The key the file at `url` is stored under (see `MediaCacheOptions.cacheKey`). */
  private keyOf(url: string): Promise<string> {
    return this.cache.keyOf(new Request(url));
  }

  /**
   * Starts (or restarts) the download of `url`, kept under its cache key. Refused with
   * `insufficient-quota` when the storage estimate says the rest of the file cannot fit, even
   * after evicting cache-only files. A signed URL's new signature replaces the one a download
   * resumes with. An `outdated` file is downloaded anew: its new version replaces the stored one
   * once the origin answers with it (until then the old one keeps playing).
   */
  async download(requestedUrl: string, sha256?: string): Promise<DownloadProgress> {
    const url = await this.keyOf(requestedUrl);
    const existing = await this.cache.downloads.get(url);
    // A page that names the file by its key (from `list()`) keeps the URL the download fetches from.
    const sourceUrl = requestedUrl === url ? (existing?.sourceUrl ?? url) : stripFragment(requestedUrl);
    const generation = this.generation;
    const active = existing?.state === 'queued' || existing?.state === 'downloading' || existing?.state === 'paused' || existing?.state === 'error';
    if (existing && active && existing.sourceUrl !== sourceUrl) await this.save({ ...existing, sourceUrl, updatedAt: Date.now() });
    if (existing?.state === 'complete' || (existing && this.tasks.has(url))) return this.progress(url);
    // A background fetch running for it (or ended, its event pending) brings the bytes itself.
    if (existing && (this.settling.has(url) || (await this.background?.exists(url)))) return this.progress(url);
    // Each of these waits for the browser: asked at once rather than one after the other.
    const estimate = this.cache.budget.estimate();
    // An outdated file is asked for anew: its new version replaces the stored one once it answers.
    const probe = await this.cache.head({ url: sourceUrl, key: url }, { askUpstream: existing?.state === 'outdated' });
    let queued: Promise<void>;
    try {
      const file = await this.cache.store.getFile(url);
      const neededBytes = probe.head.sizeBytes - (file?.storedBytes ?? 0);
      const { usageBytes, quotaBytes } = await estimate;
      const evictable = (await this.cache.budget.evictable(url)).reduce((sum, item) => sum + item.storedBytes, 0);
      if (quotaBytes > 0 && neededBytes > quotaBytes - usageBytes + evictable) {
        throw new MediaCacheError('insufficient-quota', { url, neededBytes, availableBytes: quotaBytes - usageBytes + evictable });
      }
      // Everything was cleared (a user logged out) while the file was probed: nothing is started.
      if (this.generation !== generation) throw new MediaCacheError('unknown-download', { url, reason: 'cleared' });
      const now = Date.now();
      const sha = sha256 ?? existing?.sha256;
      queued = this.save({ url, sourceUrl, state: 'queued', ...(sha ? { sha256: sha } : {}), requestedAt: existing?.requestedAt ?? now, updatedAt: now });
    } catch (error) {
      probe.release();
      throw error;
    }
    // The probe's first window is held open until the download's own reader has joined it. The
    // download starts while its record is written (it writes its state only after that).
    this.run(url, probe.release, queued, sourceUrl);
    try {
      await queued;
    } catch (error) {
      this.stop(url);
      throw error;
    }
    return this.progress(url);
  }

  async pause(sourceUrl: string): Promise<DownloadProgress> {
    const url = await this.keyOf(sourceUrl);
    const { background, ...record } = await this.requireRecord(url);
    const task = this.tasks.get(url);
    this.stop(url);
    // Segments already received land before the answer: nothing is stored after `paused`.
    await task?.done;
    // Paused first: the background fetch's abort event must find the download paused, not running.
    if (record.state !== 'complete' && record.state !== 'outdated') await this.save({ ...record, state: 'paused', updatedAt: Date.now() });
    if (background) await this.options.background?.abort(url);
    return this.progress(url);
  }

  async resume(sourceUrl: string): Promise<DownloadProgress> {
    const record = await this.requireRecord(await this.keyOf(sourceUrl));
    return this.download(sourceUrl, record.sha256);
  }

  /** Stops the download and deletes what is stored of the file: it is no longer wanted offline. */
  async cancel(url: string): Promise<void> {
    await this.remove(url);
  }

  /** Deletes a file's stored data and its download, pinned or not. */
  async remove(sourceUrl: string): Promise<void> {
    const url = await this.keyOf(sourceUrl);
    this.stop(url);
    const background = (await this.cache.downloads.get(url))?.background;
    // The record first: the background fetch's abort event must find nothing to store.
    await this.cache.downloads.delete(url);
    if (background) await this.options.background?.abort(url);
    await this.cache.delete(url);
    this.options.announce({ kind: 'media-range-cache/v1', type: 'file-removed', url });
  }

  /**
   * Forgets everything (a user logs out): stops every download here and in Background Fetch, and
   * deletes every download record and every stored file, downloaded or only streamed.
   */
  async clear(): Promise<void> {
    this.generation += 1;
    const records = await this.cache.downloads.list();
    const running = [...this.tasks.values()].map((task) => task.done.catch(() => undefined));
    for (const url of [...this.tasks.keys()]) this.stop(url);
    // Their last states and segments land first, so that nothing is written after the clear.
    await Promise.all(running);
    // The records first: a background fetch's abort event must find nothing to store. Every one
    // is aborted: a hand-off may be running before its record says so.
    await this.cache.downloads.clear();
    await Promise.all(records.map((record) => this.background?.abort(record.url)));
    const stored = await this.cache.clear();
    for (const url of new Set([...stored, ...records.map((record) => record.url)])) {
      this.options.announce({ kind: 'media-range-cache/v1', type: 'file-removed', url });
    }
  }

  /** Restarts downloads that a closed tab, a crash or a browser restart interrupted. */
  async resumeInterrupted(): Promise<void> {
    for (const record of await this.cache.downloads.list()) {
      if ((record.state !== 'queued' && record.state !== 'downloading') || this.tasks.has(record.url) || this.settling.has(record.url)) continue;
      // A background fetch still running (or ended, its event pending) brings its bytes itself, even
      // when the worker stopped before it could mark the hand-off.
      if (await this.background?.exists(record.url)) continue;
      await this.adoptBackground(record.url);
    }
  }

  /**
   * Before a page hands `url` to Background Fetch while it can wait for an answer: stops the
   * download here and lets the segments already received land, so that the `remaining` ranges of
   * the progress it returns are exact and the background fetch asks for nothing stored. The page's
   * `handoff` follows (it restarts the download here if the background fetch does not start).
   */
  async prepareHandOff(sourceUrl: string): Promise<DownloadProgress> {
    const url = await this.keyOf(sourceUrl);
    const record = await this.requireRecord(url);
    if (this.background && !record.background && (record.state === 'queued' || record.state === 'downloading')) {
      const task = this.tasks.get(url);
      this.stop(url);
      await task?.done;
    }
    return this.progress(url);
  }

  /**
   * A page going away asked Background Fetch for the rest of `url` (its `remaining` ranges): once
   * the worker confirms it (`BackgroundDownloads.accept`), the download stops here and is marked
   * `background`. Its bytes are stored when the background fetch ends (`adoptBackground`).
   */
  async handOff(sourceUrl: string, fromClient?: string): Promise<DownloadProgress> {
    const url = await this.keyOf(sourceUrl);
    const record = await this.requireRecord(url);
    const active = record.state === 'queued' || record.state === 'downloading';
    if (!this.background || !active || record.background) return this.progress(url);
    // Stopped at once, so that the two do not fetch the same bytes while the worker confirms.
    this.stop(url);
    const accepted = await this.background.accept(url, fromClient);
    const current = await this.cache.downloads.get(url);
    const stillActive = current?.state === 'queued' || current?.state === 'downloading';
    if (accepted && current && stillActive) {
      await this.save({ ...current, state: 'downloading', background: true, updatedAt: Date.now() });
    } else {
      // Refused, or paused, cancelled or removed meanwhile: the background fetch is not wanted.
      if (accepted) await this.background.abort(url);
      if (stillActive) this.run(url);
    }
    return this.progress(url);
  }

  /**
   * Called as a background fetch of `url` ends, before its responses are stored: the download is
   * not restarted here meanwhile (`adoptBackground` ends this).
   */
  holdForBackground(url: string): void {
    this.settling.add(url);
  }

  /**
   * Takes a download back from Background Fetch (its responses stored, or it is gone): the worker
   * goes on with whatever is still missing, or verifies and completes the file. Downloads paused,
   * cancelled or removed meanwhile stay as they are.
   */
  async adoptBackground(url: string): Promise<void> {
    this.settling.delete(url);
    const found = await this.cache.downloads.get(url);
    if (!found) return;
    const { background, ...record } = found;
    if (background) await this.save({ ...record, updatedAt: Date.now() });
    if (record.state === 'queued' || record.state === 'downloading') this.run(url);
  }

  private get background(): BackgroundDownloads | undefined {
    return this.options.background;
  }

  /** The progress of the download of the file `url` (its cache key). */
  async progress(url: string): Promise<DownloadProgress> {
    const [record, file] = await Promise.all([this.cache.downloads.get(url), this.cache.store.getFile(url)]);
    if (!record) throw new MediaCacheError('unknown-download', { url });
    return progressOf(record, file);
  }

  /**
   * Starts the download task of `url`; `recorded` resolves once its record is written, and
   * `sourceUrl` is where it fetches from until the record (written meanwhile) says otherwise.
   */
  private run(url: string, afterJoin: () => void = () => undefined, recorded: Promise<void> = Promise.resolve(), sourceUrl?: string): void {
    if (this.tasks.has(url)) {
      afterJoin();
      return;
    }
    const controller = new AbortController();
    const done = this.execute(url, controller.signal, afterJoin, recorded, sourceUrl).finally(() => {
      afterJoin();
      if (this.tasks.get(url)?.controller === controller) this.tasks.delete(url);
    });
    this.tasks.set(url, { controller, done });
  }

  /** Resolves when the running download of `url` (if any) stops: the worker keeps itself alive until then. */
  async settled(sourceUrl: string): Promise<void> {
    await this.tasks.get(await this.keyOf(sourceUrl))?.done;
  }

  /**
   * Runs the download under a Web Lock named for its URL, where the platform has Web Locks: a
   * worker that replaces this one while it downloads (an update activates at once) waits until this
   * one stops or is terminated, instead of fetching the same bytes beside it.
   */
  private async execute(url: string, signal: AbortSignal, afterJoin: () => void, recorded: Promise<void>, sourceUrl: string | undefined): Promise<void> {
    const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
    if (!locks) return this.executeHoldingLock(url, signal, afterJoin, recorded, sourceUrl);
    try {
      await locks.request(`media-range-cache download ${url}`, { signal }, () => this.executeHoldingLock(url, signal, afterJoin, recorded, sourceUrl));
    } catch (error) {
      // Aborted while waiting for the lock: paused, removed or handed off meanwhile.
      if (!signal.aborted) throw error;
    }
  }

  private async executeHoldingLock(url: string, signal: AbortSignal, afterJoin: () => void, recorded: Promise<void>, startedFrom: string | undefined): Promise<void> {
    if (signal.aborted) return;
    // Written while the first windows arrive; every later state waits for it, so pages see the
    // states in order.
    const downloading = recorded.then(() => this.setState(url, 'downloading'));
    downloading.catch(() => undefined);
    try {
      for (let attempt = 0; !signal.aborted; attempt += 1) {
        const file = await this.cache.store.getFile(url);
        if (!file) throw new MediaCacheError('storage-failed', { url, reason: 'the file record is gone' });
        const missing = firstMissingSegment(file.segmentBitmap, segmentCount(file));
        if (missing === undefined) break;
        const stored = file.storedBytes;
        // The record is written while the first windows arrive: until then, the URL it was started from.
        const sourceUrl = (await this.cache.downloads.get(url))?.sourceUrl ?? startedFrom ?? url;
        await downloadRun(this.cache, { file, sourceUrl }, missing, signal, afterJoin);
        const after = await this.cache.store.getFile(url);
        // A run that stored nothing new failed to store (or the upstream stopped short).
        if (!signal.aborted && (after?.storedBytes ?? 0) <= stored && attempt > 0) {
          throw new MediaCacheError('storage-failed', { url, segment: missing });
        }
      }
      await downloading;
      if (signal.aborted) return;
      const record = await this.requireRecord(url);
      await verifyDownload(this.cache, url, record.sha256);
      await this.setState(url, 'complete');
    } catch (error) {
      await downloading.catch(() => undefined);
      if (signal.aborted) return;
      const failure = isMediaCacheError(error) ? error : new MediaCacheError('upstream-failed', { url }, { cause: error });
      // Storage that is full refuses even this small record (QuotaExceededError): the state is then
      // kept in memory, so pages still learn that the download stopped (after a restart of the
      // worker, the download resumes from what is stored and stops again).
      await this.setState(url, 'error', failure.code, failure.message, { orInMemory: true }).catch(() => undefined);
    }
  }

  private stop(url: string): void {
    this.tasks.get(url)?.controller.abort();
    this.tasks.delete(url);
  }

  private async setState(url: string, state: DownloadState, errorCode?: MediaCacheErrorCode, errorMessage?: string, options: { orInMemory?: boolean } = {}): Promise<void> {
    const record = await this.requireRecord(url);
    const { errorCode: _code, errorMessage: _message, ...rest } = record;
    await this.save({ ...rest, state, ...(errorCode ? { errorCode, errorMessage } : {}), updatedAt: Date.now() }, options);
  }

  /** Writes the record and tells the pages; `orInMemory`: a record that cannot be written is kept in memory. */
  private async save(record: DownloadRecord, { orInMemory = false }: { orInMemory?: boolean } = {}): Promise<void> {
    try {
      await this.cache.downloads.put(record);
    } catch (error) {
      if (!orInMemory) throw error;
      await this.cache.downloads.keepInMemory(record);
    }
    this.lastProgressAt.set(record.url, Date.now());
    this.announceProgress(progressOf(record, await this.cache.store.getFile(record.url)));
    this.options.announce({ kind: 'media-range-cache/v1', type: 'file-changed', url: record.url });
  }

  private async requireRecord(url: string): Promise<DownloadRecord> {
    const record = await this.cache.downloads.get(url);
    if (!record) throw new MediaCacheError('unknown-download', { url });
    return record;
  }

  private async onStoreChange(url: string): Promise<void> {
    const now = Date.now();
    if (now - (this.lastProgressAt.get(url) ?? 0) < PROGRESS_INTERVAL_MS) return;
    this.lastProgressAt.set(url, now);
    this.options.announce({ kind: 'media-range-cache/v1', type: 'file-changed', url });
    const record = await this.cache.downloads.get(url);
    if (record) this.announceProgress(progressOf(record, await this.cache.store.getFile(url)));
  }

  /** Tells the pages and the app's plugins (`downloadDidProgress`). */
  private announceProgress(progress: DownloadProgress): void {
    this.options.announce({ kind: 'media-range-cache/v1', type: 'progress', progress });
    this.cache.plugins.notify('downloadDidProgress', { progress });
  }
}

export function progressOf(record: DownloadRecord, file: FileRecord | undefined): DownloadProgress {
  const totalBytes = file?.sizeBytes ?? 0;
  const storedBytes = file?.storedBytes ?? 0;
  return {
    url: record.url,
    ...(record.sourceUrl !== undefined && record.sourceUrl !== record.url ? { sourceUrl: record.sourceUrl } : {}),
    state: record.state,
    storedBytes,
    totalBytes,
    fraction: totalBytes > 0 ? storedBytes / totalBytes : 0,
    ...(record.background ? { background: true } : {}),
    ...(file && (record.state === 'queued' || record.state === 'downloading') ? { remaining: remainingRanges(file) } : {}),
    ...(record.errorCode ? { errorCode: record.errorCode as MediaCacheErrorCode, errorMessage: record.errorMessage ?? '' } : {}),
  };
}
