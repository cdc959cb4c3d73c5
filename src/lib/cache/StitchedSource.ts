import type { MediaCacheConfig } from '../config.js';
import { MediaCacheError } from '../errors/MediaCacheError.js';
import type { FileHead, SegmentStore } from '../store/SegmentStore.js';
import { segmentEnd, segmentIndexFor, segmentStart, type SegmentLayout } from '../store/segmentLayout.js';
import type { FetchCursor, SegmentFetch } from './SegmentFetch.js';
import type { Hold } from './Hold.js';
import type { CacheMetricsRecorder } from './CacheMetrics.js';
import type { SegmentFetcher } from './SegmentFetcher.js';
import type { SegmentBufferPool } from './SegmentBufferPool.js';
import { readBlobInto } from '../stream/readBlobInto.js';
import { hasSegment, nextStoredSegment } from '../store/segmentBitmap.js';

export interface StitchedSourceOptions {
  /** Where missing bytes are fetched from: the URL of the request being answered. */
  url: string;
  /** The file's cache key, under which its bytes are stored and its fetches shared. */
  key: string;
  head: FileHead;
  /**
   * The probe fetch the answer's headers waited for, held open until this source joins it (it may
   * first read stored bytes before it), or is released.
   */
  hold?: Hold | undefined;
  config: MediaCacheConfig;
  store: SegmentStore;
  fetcher: SegmentFetcher;
  /** Write unit and timeout rule of the response this source feeds (range or full content). */
  unitBytes: number;
  timeoutFor: (bytes: number) => number;
  metrics: CacheMetricsRecorder;
  /**
   * Where a segment read from a Blob is put, when the bytes handed out are lent (valid until the
   * next `read`; see `lendChunks` in RangeCache). Without it each segment read gets a buffer of its own.
   */
  buffers: SegmentBufferPool | undefined;
}

/** Upper bound on consecutive lookups that yield no bytes before a read is declared broken. */
const MAX_EMPTY_LOOKUPS = 8;

/**
 * The bytes of one file, in order, from wherever they are: the stored segment Blobs, a fetch in
 * flight that another reader started, or a new upstream fetch of the missing segments. Every piece
 * is checked to come from the version the response started with, so no answer mixes versions.
 */
export class StitchedSource {
  private readonly layout: SegmentLayout;
  private fetch: SegmentFetch | undefined;
  private cursor: FetchCursor | undefined;
  /** The next window of the run, requested before this reader needs it. */
  private prefetch: { fetch: SegmentFetch; cursor: FetchCursor } | undefined;
  /**
   * The segment this reader is in when its bytes come from a Blob (stored, or completed by a fetch
   * and not stored yet): read whole into one buffer, and handed out as views of it.
   */
  private segment: { index: number; bytes: Uint8Array; pooled: boolean; fromStore: boolean } | undefined;

  private released = false;
  private prefetching = false;

  constructor(private readonly options: StitchedSourceOptions) {
    this.layout = { sizeBytes: options.head.sizeBytes, segmentSizeBytes: options.config.segmentSizeBytes };
    options.metrics.activeStreams += 1;
  }

  /** Up to `maxBytes` bytes starting at `position` (fewer at a segment or chunk boundary). */
  async read(position: number, maxBytes: number): Promise<Uint8Array> {
    for (let lookups = 0; lookups < MAX_EMPTY_LOOKUPS; lookups += 1) {
      const index = segmentIndexFor(position, this.layout.segmentSizeBytes);
      if (this.cursor && this.fetch) {
        // Reading stored bytes still paces the fetch this source will come back to.
        this.cursor.position = position;
        this.fetch.nudge(this.cursor);
      }
      // This reader is reading: the next window, which it joined ahead, does not leave it behind.
      if (this.prefetch) this.prefetch.fetch.nudge(this.prefetch.cursor);
      const segment = this.segment;
      if (segment?.index === index) {
        const offset = position - segmentStart(index, this.layout);
        const bytes = segment.bytes.subarray(offset, Math.min(segment.bytes.byteLength, offset + maxBytes));
        if (segment.fromStore) this.options.metrics.bytesFromCache += bytes.byteLength;
        return bytes;
      }
      // The bytes lent from it last time were handed on (see ByteSource.read).
      this.dropSegment();

      let passed = false;
      if (this.fetch && this.cursor) {
        const piece = await this.fetch.read(this.cursor, maxBytes);
        if (piece.kind === 'bytes' || piece.kind === 'blob') {
          this.checkVersion(this.fetch);
          this.prefetchNextWindow(this.fetch, position);
          if (piece.kind === 'bytes') return piece.bytes;
          await this.readSegment(piece.index, piece.blob, false);
          continue;
        }
        // 'passed': the fetch is ahead of this reader and stored the segment; stay with it.
        passed = piece.kind === 'passed';
        if (!passed) this.leaveFetch();
      } else {
        const joined = this.options.fetcher.find(this.options.key, position);
        if (joined) {
          this.join(joined, position);
          continue;
        }
      }

      const blob = (await this.options.store.getSegments(this.options.key, [index], this.options.head)).get(index);
      if (blob) {
        await this.readSegment(index, blob, true);
        continue;
      }
      // Checked again after the await above: another reader may have started the fetch meanwhile.
      // A segment the fetch passed but could not store is fetched again on its own.
      const fetch = (passed ? undefined : this.options.fetcher.find(this.options.key, position)) ?? (await this.startFetch(index, passed));
      this.join(fetch, position);
    }
    throw new MediaCacheError('upstream-failed', { url: this.options.url, position, reason: 'no source brought the bytes' });
  }

  /** Leaves every fetch this source reads from; a fetch stops when its last reader leaves. */
  release(): void {
    if (!this.released) {
      this.released = true;
      this.options.metrics.activeStreams -= 1;
    }
    this.leaveFetch();
    this.dropSegment();
    this.options.hold?.release();
    // Idle (as SegmentFetcher does when its last fetch settles): spare buffers go to the garbage collector.
    if (this.options.fetcher.activeCount === 0) this.options.buffers?.trim();
    const prefetch = this.prefetch;
    this.prefetch = undefined;
    prefetch?.fetch.detach(prefetch.cursor);
  }

  /**
   * Reads a whole segment's Blob into a pooled buffer (one asynchronous Blob read per segment, and
   * no fresh ArrayBuffer per chunk: see SegmentBufferPool). `blob` holds all of segment `index`.
   */
  private async readSegment(index: number, blob: Blob, fromStore: boolean): Promise<void> {
    const buffers = this.options.buffers;
    let bytes: Uint8Array | undefined;
    let pooled = false;
    if (buffers && blob.size <= buffers.segmentSizeBytes) {
      const scratch = buffers.takeArrayBuffer();
      const filled = await readBlobInto(blob, scratch);
      if (filled) {
        bytes = new Uint8Array(filled, 0, blob.size);
        pooled = true;
      } else {
        buffers.give(scratch);
      }
    }
    bytes ??= new Uint8Array(await blob.arrayBuffer());
    if (this.released) {
      if (pooled) buffers!.give(bytes.buffer as ArrayBuffer);
      throw new MediaCacheError('reader-cancelled', { url: this.options.url });
    }
    this.dropSegment();
    this.segment = { index, bytes, pooled, fromStore };
  }

  /** Gives the segment buffer back: no view of it is out any more. */
  private dropSegment(): void {
    const segment = this.segment;
    this.segment = undefined;
    if (segment?.pooled) this.options.buffers!.give(segment.bytes.buffer as ArrayBuffer);
  }

  private leaveFetch(): void {
    if (this.fetch && this.cursor) this.fetch.detach(this.cursor);
    this.fetch = undefined;
    this.cursor = undefined;
  }

  private join(fetch: SegmentFetch, position: number): void {
    this.leaveFetch();
    this.fetch = fetch;
    if (this.prefetch?.fetch === fetch) {
      this.cursor = this.prefetch.cursor;
      this.cursor.position = position;
      this.prefetch = undefined;
    } else {
      this.cursor = fetch.attach(position);
    }
    // Joined: the hold kept the fetch open for this reader, which now keeps it open itself.
    if (this.options.hold?.fetch === fetch) this.options.hold.release();
  }

  /**
   * Upstream requests are bounded windows (see `fetchWindowBytes`); the next window of a run is
   * requested when the reader is halfway through the current one (or within `readAheadBytes` of
   * its end), so the transfer does not pause between windows, and it is twice as large, up to
   * `maxFetchWindowBytes`.
   */
  private prefetchNextWindow(current: SegmentFetch, position: number): void {
    if (this.prefetching || (this.prefetch && this.prefetch.fetch.startOffset >= current.endOffset)) return;
    const windowBytes = current.endOffset - current.startOffset;
    if (current.endOffset - position > Math.max(windowBytes / 2, this.options.config.readAheadBytes)) return;
    const start = current.nextWindowStart();
    if (start === undefined) return;
    this.prefetching = true;
    const nextWindowBytes = Math.min(2 * windowBytes, this.options.config.maxFetchWindowBytes);
    void this.prefetchWindow(start, nextWindowBytes)
      .catch(() => undefined)
      .finally(() => (this.prefetching = false));
  }

  private async prefetchWindow(start: number, windowBytes: number): Promise<void> {
    const { key, store, fetcher } = this.options;
    // A faster reader may have fetched and stored this window already (its fetch is then no longer
    // findable): the store says so, and where the missing run ends.
    const file = await store.getFile(key);
    const index = segmentIndexFor(start, this.layout.segmentSizeBytes);
    if (this.released || (file && hasSegment(file.segmentBitmap, index))) return;
    const nextStored = file && nextStoredSegment(file.segmentBitmap, index);
    const runEnd = nextStored === undefined ? this.layout.sizeBytes : segmentStart(nextStored, this.layout);
    const fetch = fetcher.find(key, start) ?? this.startWindow(start, runEnd, windowBytes);
    const stale = this.prefetch;
    this.prefetch = { fetch, cursor: fetch.attach(start) };
    stale?.fetch.detach(stale.cursor);
  }

  /** A fetch of the missing run from `index` up to the next stored segment (or the file's end). */
  private async startFetch(index: number, onlyThisSegment: boolean): Promise<SegmentFetch> {
    const { key, store, fetcher } = this.options;
    const start = segmentStart(index, this.layout);
    if (onlyThisSegment) return this.startWindow(start, segmentEnd(index, this.layout));
    const file = await store.getFile(key).catch(() => undefined);
    const storedAfter = file && nextStoredSegment(file.segmentBitmap, index);
    const runEnd = storedAfter === undefined ? this.layout.sizeBytes : segmentStart(storedAfter, this.layout);
    return fetcher.find(key, start) ?? this.startWindow(start, Math.max(runEnd, segmentEnd(index, this.layout)));
  }

  /** Requests the window of a missing run that starts at `start`. */
  private startWindow(start: number, runEnd: number, windowBytes = this.options.config.fetchWindowBytes): SegmentFetch {
    const { url, key, head, fetcher } = this.options;
    return fetcher.start({
      url,
      key,
      startOffset: start,
      endOffset: Math.min(start + windowBytes, runEnd),
      runEndOffset: runEnd,
      known: head,
      unitBytes: this.options.unitBytes,
      timeoutFor: this.options.timeoutFor,
    });
  }

  private checkVersion(fetch: SegmentFetch): void {
    const validator = fetch.validator;
    const expected = this.options.head.validator;
    if (!validator || validator.etag !== expected.etag || validator.lastModified !== expected.lastModified || fetch.sizeBytes !== this.options.head.sizeBytes) {
      throw new MediaCacheError('validator-changed', { url: this.options.url });
    }
  }
}
