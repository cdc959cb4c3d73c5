import type { DownloadStore } from '../store/DownloadStore.js';
import { isMediaCacheError } from '../errors/MediaCacheError.js';
import type { FileHead, SegmentStore } from '../store/SegmentStore.js';

export interface StorageEstimateBytes {
  usageBytes: number;
  quotaBytes: number;
}

export interface CacheBudgetOptions {
  /** Share of the storage quota that files only streamed (not downloaded) may use. */
  fraction: number;
  /**
   * A fixed cap on top of the fraction. Chromium reports a quota of usage + 10 GiB to a site
   * whatever the disk holds (its StaticStorageQuota), so a fraction alone can be far too generous.
   */
  maxBytes?: number;
  estimate?: () => Promise<StorageEstimateBytes>;
}

async function estimateStorage(): Promise<StorageEstimateBytes> {
  const estimate = await navigator.storage?.estimate?.();
  return { usageBytes: estimate?.usage ?? 0, quotaBytes: estimate?.quota ?? 0 };
}

/** The quota changes rarely; asking for it on every stored segment would cost a round trip each. */
const ESTIMATE_MAX_AGE_MS = 10_000;

/**
 * Keeps the files that were only streamed under a byte budget (a fraction of the quota), evicting
 * whole files, least recently used first. Downloaded files are pinned: never evicted here.
 */
export class CacheBudget {
  private estimated: { at: number; value: Promise<StorageEstimateBytes> } | undefined;

  constructor(
    private readonly store: SegmentStore,
    private readonly downloads: DownloadStore,
    private readonly options: CacheBudgetOptions,
  ) {}

  /** The storage estimate, at most 10 s old unless `fresh`. */
  estimate(fresh = false): Promise<StorageEstimateBytes> {
    const now = Date.now();
    if (fresh || !this.estimated || now - this.estimated.at > ESTIMATE_MAX_AGE_MS) {
      this.estimated = { at: now, value: (this.options.estimate ?? estimateStorage)().catch(() => ({ usageBytes: 0, quotaBytes: 0 })) };
    }
    return this.estimated.value;
  }

  async budgetBytes(): Promise<number> {
    const { quotaBytes } = await this.estimate();
    const share = quotaBytes > 0 ? Math.floor(quotaBytes * this.options.fraction) : Number.POSITIVE_INFINITY;
    return Math.min(share, this.options.maxBytes ?? Number.POSITIVE_INFINITY);
  }

  /** Stored bytes of pinned (downloaded) and of cache-only files. */
  async usage(): Promise<{ pinnedBytes: number; cacheBytes: number }> {
    let pinnedBytes = 0;
    let cacheBytes = 0;
    for (const file of await this.store.listFiles()) {
      if (await this.downloads.isPinned(file.url)) pinnedBytes += file.storedBytes;
      else cacheBytes += file.storedBytes;
    }
    return { pinnedBytes, cacheBytes };
  }

  /** Cache-only files other than `exceptUrl`, least recently used first. */
  async evictable(exceptUrl?: string): Promise<Array<{ url: string; storedBytes: number }>> {
    const candidates = [];
    for (const file of await this.store.listFiles()) {
      if (file.url !== exceptUrl && !(await this.downloads.isPinned(file.url))) candidates.push(file);
    }
    return candidates.sort((a, b) => a.lastAccessAt - b.lastAccessAt);
  }

  /** Evicts least recently used cache-only files until the cache fits its budget. */
  async enforce(exceptUrl?: string): Promise<string[]> {
    const budget = await this.budgetBytes();
    let { cacheBytes } = await this.usage();
    const evicted: string[] = [];
    for (const file of await this.evictable(exceptUrl)) {
      if (cacheBytes <= budget) break;
      await this.store.deleteFile(file.url);
      cacheBytes -= file.storedBytes;
      evicted.push(file.url);
    }
    return evicted;
  }

  /**
   * Stores a segment; when storage is full, evicts cache-only files and tries once more. A write
   * that still finds no room fails with `quota-exceeded`; what is stored stays intact.
   */
  async storeSegment(url: string, index: number, blob: Blob, head: FileHead): Promise<boolean> {
    try {
      return await this.store.putSegment(url, index, blob, head);
    } catch (error) {
      if (!isMediaCacheError(error, 'quota-exceeded')) throw error;
      const freed = await this.makeRoom(blob.size * 8, url);
      if (freed === 0) throw error;
      return this.store.putSegment(url, index, blob, head);
    }
  }

  /** Checks the budget (at most twice a second) whenever stored data changes. */
  enforceOnChange(): void {
    let scheduled: ReturnType<typeof setTimeout> | undefined;
    this.store.onChange(() => {
      scheduled ??= setTimeout(() => {
        scheduled = undefined;
        void this.enforce().catch(() => undefined);
      }, 500);
    });
  }

  /** Evicts least recently used cache-only files until `bytes` are freed; returns the bytes freed. */
  async makeRoom(bytes: number, exceptUrl?: string): Promise<number> {
    let freed = 0;
    for (const file of await this.evictable(exceptUrl)) {
      if (freed >= bytes) break;
      await this.store.deleteFile(file.url);
      freed += file.storedBytes;
    }
    this.estimated = undefined;
    return freed;
  }
}
