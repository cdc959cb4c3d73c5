import type { FileHead } from '../store/SegmentStore.js';
import { TransferRates, type TimeoutOptions } from '../stream/TransferRates.js';
import { SegmentFetch, type SegmentFetchOptions } from './SegmentFetch.js';

/**
 * The registry of upstream fetches in flight, per file (cache key). Readers that need a byte some fetch will
 * bring join that fetch instead of starting their own: concurrent readers of the same file cost
 * one transfer.
 */
/** What every fetch shares: the configuration and where segments go. */
export type SharedFetchOptions = Pick<SegmentFetchOptions, 'config' | 'store' | 'storeSegment' | 'onFailed' | 'metrics' | 'buffers' | 'reuseLentBuffers'> & {
  timeouts?: TimeoutOptions;
};

export class SegmentFetcher {
  private readonly active = new Map<string, Set<SegmentFetch>>();
  /** Each origin's measured transfer rate, from every fetch started here; timeouts follow it. */
  readonly rates: TransferRates;

  constructor(private readonly shared: SharedFetchOptions) {
    this.rates = new TransferRates(shared.timeouts);
  }

  /** A fetch in flight that will bring (or holds) the byte at `offset` of the file `key`. */
  find(key: string, offset: number): SegmentFetch | undefined {
    for (const fetch of this.active.get(key) ?? []) {
      if (fetch.covers(offset)) return fetch;
    }
    return undefined;
  }

  /** What a fetch of the file `key` in flight learned about it, before (or while) its record is written. */
  knownHead(key: string): FileHead | undefined {
    for (const fetch of this.active.get(key) ?? []) {
      if (fetch.knownHead) return fetch.knownHead;
    }
    return undefined;
  }

  start(options: Omit<SegmentFetchOptions, 'onSettled' | 'recordTransfer' | keyof SharedFetchOptions>): SegmentFetch {
    let fetches = this.active.get(options.key);
    if (!fetches) this.active.set(options.key, (fetches = new Set()));
    const registry = fetches;
    const fetch = new SegmentFetch({
      ...this.shared,
      ...options,
      recordTransfer: (bytes, waitedMs) => this.rates.record(options.url, bytes, waitedMs),
      onSettled: (settled) => {
        registry.delete(settled);
        if (registry.size === 0 && this.active.get(options.key) === registry) this.active.delete(options.key);
        // Idle: the spare buffers go to the garbage collector rather than stay for the next file.
        if (this.active.size === 0) this.shared.buffers.trim();
      },
    });
    registry.add(fetch);
    return fetch;
  }

  /** Stops every fetch of the file `key` (its stored data is being deleted or replaced). */
  abort(key: string): void {
    for (const fetch of this.active.get(key) ?? []) fetch.abort();
  }

  /** Stops every fetch in flight (everything stored is being deleted). */
  abortAll(): void {
    for (const fetches of this.active.values()) for (const fetch of fetches) fetch.abort();
  }

  get activeCount(): number {
    let count = 0;
    for (const fetches of this.active.values()) count += fetches.size;
    return count;
  }
}
