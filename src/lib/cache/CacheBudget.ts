import type { DownloadStore } from '../store/DownloadStore.js';
import type { SegmentStore } from '../store/SegmentStore.js';

export interface StorageEstimateBytes {
  usageBytes: number;
  quotaBytes: number;
}

export interface CacheBudgetOptions {
  /** Share of the storage quota that files only streamed (not downloaded) may use. */
  fraction: number;
  estimate: () => Promise<StorageEstimateBytes>;
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
      this.estimated = { at: now, value: this.options.estimate().catch(() => ({ usageBytes: 0, quotaBytes: 0 })) };
    }
    return this.estimated.value;
  }

  async budgetBytes(): Promise<number> {
    const { quotaBytes } = await this.estimate();
    return quotaBytes > 0 ? Math.floor(quotaBytes * this.options.fraction) : Number.POSITIVE_INFINITY;
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
