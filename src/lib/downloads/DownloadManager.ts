import type { RangeCache } from '../cache/RangeCache.js';
import { isMediaCacheError, MediaCacheError, type MediaCacheErrorCode } from '../errors/MediaCacheError.js';
import type { CacheEvent, DownloadProgress, DownloadState } from '../messages.js';
import type { DownloadRecord, FileRecord } from '../store/schema.js';
import { segmentCount } from '../store/segmentLayout.js';
import { downloadRun } from './downloadRun.js';
import { verifyDownload } from './verifyDownload.js';

export interface DownloadManagerOptions {
  cache: RangeCache;
  /** Tells every page what changed (the worker posts it on a BroadcastChannel). */
  announce: (event: CacheEvent) => void;
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

  constructor(private readonly options: DownloadManagerOptions) {
    this.cache = options.cache;
    this.cache.store.onChange((url) => void this.onStoreChange(url));
  }

  /**
   * Starts (or restarts) the download of `url`. Refused with `insufficient-quota` when the
   * storage estimate says the rest of the file cannot fit, even after evicting cache-only files.
   */
  async download(url: string, sha256?: string): Promise<DownloadProgress> {
    const existing = await this.cache.downloads.get(url);
    if (existing?.state === 'complete' || (existing && this.tasks.has(url))) return this.progress(url);
    const probe = await this.cache.head(url);
    try {
      const file = await this.cache.store.getFile(url);
      const neededBytes = probe.head.sizeBytes - (file?.storedBytes ?? 0);
      const { usageBytes, quotaBytes } = await this.cache.budget.estimate();
      const evictable = (await this.cache.budget.evictable(url)).reduce((sum, item) => sum + item.storedBytes, 0);
      if (quotaBytes > 0 && neededBytes > quotaBytes - usageBytes + evictable) {
        throw new MediaCacheError('insufficient-quota', { url, neededBytes, availableBytes: quotaBytes - usageBytes + evictable });
      }
      const now = Date.now();
      const sha = sha256 ?? existing?.sha256;
      await this.save({ url, state: 'queued', ...(sha ? { sha256: sha } : {}), requestedAt: existing?.requestedAt ?? now, updatedAt: now });
    } catch (error) {
      probe.release();
      throw error;
    }
    // The probe's first window is held open until the download's own reader has joined it.
    this.run(url, probe.release);
    return this.progress(url);
  }

  async pause(url: string): Promise<DownloadProgress> {
    const record = await this.requireRecord(url);
    this.stop(url);
    if (record.state !== 'complete') await this.save({ ...record, state: 'paused', updatedAt: Date.now() });
    return this.progress(url);
  }

  async resume(url: string): Promise<DownloadProgress> {
    const record = await this.requireRecord(url);
    return this.download(url, record.sha256);
  }

  /** Stops the download and deletes what is stored of the file: it is no longer wanted offline. */
  async cancel(url: string): Promise<void> {
    await this.remove(url);
  }

  /** Deletes a file's stored data and its download, pinned or not. */
  async remove(url: string): Promise<void> {
    this.stop(url);
    await this.cache.downloads.delete(url);
    await this.cache.delete(url);
    this.options.announce({ kind: 'media-range-cache/v1', type: 'file-removed', url });
  }

  /** Restarts downloads that a closed tab, a crash or a browser restart interrupted. */
  async resumeInterrupted(): Promise<void> {
    for (const record of await this.cache.downloads.list()) {
      if ((record.state === 'queued' || record.state === 'downloading') && !this.tasks.has(record.url)) this.run(record.url);
    }
  }

  async progress(url: string): Promise<DownloadProgress> {
    const [record, file] = await Promise.all([this.cache.downloads.get(url), this.cache.store.getFile(url)]);
    if (!record) throw new MediaCacheError('unknown-download', { url });
    return progressOf(record, file);
  }

  private run(url: string, afterJoin: () => void = () => undefined): void {
    if (this.tasks.has(url)) {
      afterJoin();
      return;
    }
    const controller = new AbortController();
    const done = this.execute(url, controller.signal, afterJoin).finally(() => {
      afterJoin();
      if (this.tasks.get(url)?.controller === controller) this.tasks.delete(url);
    });
    this.tasks.set(url, { controller, done });
  }

  /** Resolves when the running download of `url` (if any) stops: the worker keeps itself alive until then. */
  settled(url: string): Promise<void> {
    return this.tasks.get(url)?.done ?? Promise.resolve();
  }

  private async execute(url: string, signal: AbortSignal, afterJoin: () => void): Promise<void> {
    try {
      await this.setState(url, 'downloading');
      for (let attempt = 0; !signal.aborted; attempt += 1) {
        const file = await this.cache.store.getFile(url);
        if (!file) throw new MediaCacheError('storage-failed', { url, reason: 'the file record is gone' });
        const missing = firstMissingSegment(file);
        if (missing === undefined) break;
        const stored = file.storedBytes;
        await downloadRun(this.cache, file, missing, signal, afterJoin);
        const after = await this.cache.store.getFile(url);
        // A run that stored nothing new failed to store (or the upstream stopped short).
        if (!signal.aborted && (after?.storedBytes ?? 0) <= stored && attempt > 0) {
          throw new MediaCacheError('storage-failed', { url, segment: missing });
        }
      }
      if (signal.aborted) return;
      const record = await this.requireRecord(url);
      await verifyDownload(this.cache, url, record.sha256);
      await this.setState(url, 'complete');
    } catch (error) {
      if (signal.aborted) return;
      const failure = isMediaCacheError(error) ? error : new MediaCacheError('upstream-failed', { url }, { cause: error });
      await this.setState(url, 'error', failure.code, failure.message).catch(() => undefined);
    }
  }

  private stop(url: string): void {
    this.tasks.get(url)?.controller.abort();
    this.tasks.delete(url);
  }

  private async setState(url: string, state: DownloadState, errorCode?: MediaCacheErrorCode, errorMessage?: string): Promise<void> {
    const record = await this.requireRecord(url);
    const { errorCode: _code, errorMessage: _message, ...rest } = record;
    await this.save({ ...rest, state, ...(errorCode ? { errorCode, errorMessage } : {}), updatedAt: Date.now() });
  }

  private async save(record: DownloadRecord): Promise<void> {
    await this.cache.downloads.put(record);
    this.lastProgressAt.set(record.url, Date.now());
    this.options.announce({ kind: 'media-range-cache/v1', type: 'progress', progress: progressOf(record, await this.cache.store.getFile(record.url)) });
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
    if (record) this.options.announce({ kind: 'media-range-cache/v1', type: 'progress', progress: progressOf(record, await this.cache.store.getFile(url)) });
  }
}

function firstMissingSegment(file: FileRecord): number | undefined {
  const stored = new Set(file.storedSegments);
  const count = segmentCount(file);
  for (let index = 0; index < count; index += 1) if (!stored.has(index)) return index;
  return undefined;
}

export function progressOf(record: DownloadRecord, file: FileRecord | undefined): DownloadProgress {
  const totalBytes = file?.sizeBytes ?? 0;
  const storedBytes = file?.storedBytes ?? 0;
  return {
    url: record.url,
    state: record.state,
    storedBytes,
    totalBytes,
    fraction: totalBytes > 0 ? storedBytes / totalBytes : 0,
    ...(record.errorCode ? { errorCode: record.errorCode as MediaCacheErrorCode, errorMessage: record.errorMessage ?? '' } : {}),
  };
}
