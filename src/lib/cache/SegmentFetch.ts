import type { MediaCacheConfig } from '../config.js';
import { devLog } from '../devLog.js';
import { MediaCacheError } from '../errors/MediaCacheError.js';
import type { FileHead, KnownVersion, SegmentStore } from '../store/SegmentStore.js';
import { segmentIndexFor, segmentStart, type SegmentLayout } from '../store/segmentLayout.js';
import { ifRangeValue } from '../store/validators.js';
import type { Validator } from '../store/schema.js';
import { raceWithTimeout, TimeoutError } from '../stream/adaptiveTimeout.js';
import { ScratchReader } from '../stream/ScratchReader.js';
import { StallDetector } from '../stream/StallDetector.js';
import type { CacheMetricsRecorder } from './CacheMetrics.js';
import type { SegmentBuffer, SegmentBufferPool } from './SegmentBufferPool.js';
import { readUpstreamHead, type UpstreamHead } from './upstreamHead.js';

export interface SegmentFetchOptions {
  /** Where the bytes come from: the URL of the request being answered. */
  url: string;
  /** What they are stored under: the file's cache key (`MediaCacheOptions.cacheKey`). */
  key: string;
  /** First byte to ask for; aligned to a segment boundary. */
  startOffset: number;
  /** One past the last byte to ask for: the end of this fetch's window. */
  endOffset: number;
  /** Where the run of missing segments this window belongs to ends, when known (else the file's end). */
  runEndOffset: number | undefined;
  /**
   * The version already known (stored, or learned by a fetch in flight): its validator goes as
   * If-Range, so a changed resource comes back whole, and an answer of a type that contradicts
   * its type is not used.
   */
  known: KnownVersion | undefined;
  /** Write unit and timeout rule for stall detection (range or full-content writes). */
  unitBytes: number;
  timeoutFor: (bytes: number) => number;
  /** Told of bytes received and the upstream waiting they took, to calibrate `timeoutFor`. */
  recordTransfer?: (bytes: number, waitedMs: number) => void;
  /**
   * Takes the body as one Blob (`Response.blob()`) instead of reading its stream: the browser
   * moves the bytes into blob storage itself, and none pass through the worker's thread. Readers
   * get the window's segments once all of it has arrived. For downloads, which want throughput
   * and read none of the bytes.
   */
  wholeBody?: boolean;
  config: MediaCacheConfig;
  store: SegmentStore;
  metrics: CacheMetricsRecorder;
  /** Where segment buffers come from and go back to once nobody holds them. */
  buffers: SegmentBufferPool;
  /** Whether a buffer lent to a reader may be used again once the reader asks for more (see FetchPiece). */
  reuseLentBuffers: boolean;
  /** Stores one complete segment of the file `key`; resolves false when it was not stored. */
  storeSegment: (key: string, index: number, blob: Blob, head: FileHead) => Promise<boolean>;
  /** Told once when the fetch fails for any reason but its readers leaving (`reader-cancelled`). */
  onFailed?: (url: string, error: MediaCacheError) => void;
  onSettled: (fetch: SegmentFetch) => void;
}

/** A reader's place in a fetch. Its position drives the fetch's pace. */
export interface FetchCursor {
  position: number;
}

/**
 * A reader that asked for bytes this recently is reading; one that has not (a paused `<video>`
 * whose buffer is full, a placeholder that never reads) no longer holds the fetch back.
 */
const ACTIVE_READER_MS = 1000;

/**
 * What a reader gets at its position: bytes, or a pointer elsewhere. `bytes` is a view of a
 * pooled buffer lent to the cursor until its next `read` or its `detach`: a reader hands it on
 * (a response body's consumer copies each chunk before it asks for the next) and keeps no
 * reference past that.
 */
export type FetchPiece =
  | { kind: 'bytes'; bytes: Uint8Array }
  /** Segment `index`, completed and not yet stored: all of it, whatever the position in it. */
  | { kind: 'blob'; index: number; blob: Blob }
  /** The fetch has moved past this position; the bytes are in the store (or were lost). */
  | { kind: 'passed' }
  /** This fetch will never bring this position. */
  | { kind: 'beyond' };

/**
 * One upstream request, shared by every reader that needs its bytes (single flight). It copies the
 * body into pooled segment buffers as it arrives and stores each segment as soon as it is complete,
 * while readers take the same bytes as views of those buffers. It reads upstream only while a
 * reader is within `readAheadBytes` of its edge, so a paused reader pauses it (and is never taken
 * for a stalled origin), and it cancels the upstream request when its last reader leaves.
 */
export class SegmentFetch {
  readonly url: string;
  readonly key: string;
  readonly head: Promise<UpstreamHead>;
  /**
   * The first byte this fetch brings: where it asked, or byte 0 when the upstream answered with the
   * whole resource (a 200: a changed file after If-Range, or an origin that ignores Range), so that
   * readers of the bytes before where it asked join it instead of fetching them again.
   */
  private begin: number;
  /** Next byte to arrive (absolute offset). */
  private edge: number;
  private end: number;
  private layout: SegmentLayout | undefined;
  private fileHead: FileHead | undefined;
  /** The buffer of the segment being filled, which starts at `partsStart` (none before its first byte). */
  private filling: SegmentBuffer | undefined;
  private partsStart: number;
  /** The most recent completed segments, in memory: readers a little behind the edge get views of them. */
  private readonly recent = new Map<number, { buffer: SegmentBuffer; length: number }>();
  /** Completed segments whose storage write has not finished, as the Blobs being written. */
  private readonly completed = new Map<number, Blob>();
  private readonly cursors = new Set<FetchCursor>();
  /** The hold on a buffer each cursor was lent bytes of by its last `read`. */
  private readonly lent = new Map<FetchCursor, () => void>();
  /** When each cursor last read or moved (performance.now()). */
  private readonly activeAt = new Map<FetchCursor, number>();
  private readonly controller = new AbortController();
  private pendingStores = 0;
  private failure: MediaCacheError | undefined;
  private finished = false;
  private wake: (() => void) | undefined;
  private progress = deferred();

  constructor(private readonly options: SegmentFetchOptions) {
    this.url = options.url;
    this.key = options.key;
    this.edge = options.startOffset;
    this.partsStart = options.startOffset;
    this.begin = options.startOffset;
    this.end = options.endOffset;
    this.head = this.start();
    void this.head.then(
      (head) => {
        if (head.kind !== 'body') return this.settle();
        // A whole body only as large as asked for: a changed resource comes back whole (200), and
        // is then read as a stream, a segment at a time.
        return options.wholeBody && head.endOffset - head.startOffset <= options.endOffset - options.startOffset ? this.pumpWhole() : this.pump();
      },
      () => this.settle(),
    );
  }

  get startOffset(): number {
    return this.begin;
  }

  get validator(): Validator | undefined {
    return this.fileHead?.validator;
  }

  get sizeBytes(): number | undefined {
    return this.fileHead?.sizeBytes;
  }

  /** What the upstream said the resource is, once it answered. */
  get knownHead(): FileHead | undefined {
    return this.fileHead;
  }

  get segmentSizeBytes(): number {
    return this.options.config.segmentSizeBytes;
  }

  /** One past the last byte this fetch brings. */
  get endOffset(): number {
    return this.end;
  }

  /** Where the next window of the same missing run starts, if the run goes on past this one. */
  nextWindowStart(): number | undefined {
    const sizeBytes = this.fileHead?.sizeBytes;
    if (sizeBytes === undefined || this.failure) return undefined;
    const runEnd = Math.min(this.options.runEndOffset ?? sizeBytes, sizeBytes);
    return this.end < runEnd ? this.end : undefined;
  }

  /** Whether this fetch can still bring the byte at `offset` (or holds it completed). */
  covers(offset: number): boolean {
    if (this.failure) return false;
    if (offset < this.begin || offset >= this.end) return false;
    if (offset >= this.partsStart) return !this.finished;
    if (!this.layout) return false;
    const index = segmentIndexFor(offset, this.layout.segmentSizeBytes);
    return this.recent.has(index) || this.completed.has(index);
  }

  attach(position: number): FetchCursor {
    this.finishingTo = undefined;
    const cursor = { position };
    this.cursors.add(cursor);
    this.nudge();
    return cursor;
  }

  /**
   * Removes a reader. When the last one leaves, the upstream transfer stops: at once, or, when part
   * of a segment has arrived, at the end of that segment (see finishSegmentOrStop).
   */
  detach(cursor: FetchCursor): void {
    this.returnLent(cursor);
    this.cursors.delete(cursor);
    this.activeAt.delete(cursor);
    if (this.cursors.size === 0 && !this.finished) this.finishSegmentOrStop();
    else this.nudge();
    this.dropBuffersWhenDone();
  }

  /** Where a fetch whose readers all left stops reading: the end of the segment it was filling. */
  private finishingTo: number | undefined;

  /**
   * The last reader left. A segment partly received is finished first, at most one segment more,
   * so that the bytes already fetched are stored instead of thrown away: a reader that got all it
   * asked for (a small range, or a multi-range answer) leaves its segment complete and replayable
   * offline, whatever the timing. With no bytes of a segment yet, or for a whole-body window
   * (stored only whole), the transfer stops at once. A reader that joins meanwhile keeps it going.
   */
  private finishSegmentOrStop(): void {
    const layout = this.layout;
    if (!layout || this.options.wholeBody || this.failure || this.edge <= this.partsStart) {
      this.abort();
      return;
    }
    const filling = segmentIndexFor(this.partsStart, layout.segmentSizeBytes);
    this.finishingTo = Math.min(segmentStart(filling + 1, layout), this.end);
    this.nudge();
  }

  /** Tells the fetch a reader moved on (`cursor`, when given, is reading), which may let it read further upstream. */
  nudge(cursor?: FetchCursor): void {
    if (cursor && this.cursors.has(cursor)) this.activeAt.set(cursor, performance.now());
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The bytes at the cursor's position, at most `maxBytes`, waiting for them to arrive. */
  async read(cursor: FetchCursor, maxBytes: number): Promise<FetchPiece> {
    // Asking again means the bytes lent last time were handed on.
    this.returnLent(cursor);
    this.activeAt.set(cursor, performance.now());
    for (;;) {
      if (this.failure) throw this.failure;
      const position = cursor.position;
      if (position >= this.end || position < this.begin) return { kind: 'beyond' };
      const layout = this.layout;
      if (layout) {
        const index = segmentIndexFor(position, layout.segmentSizeBytes);
        const offset = position - segmentStart(index, layout);
        const recent = this.recent.get(index);
        if (recent) return this.lend(cursor, recent.buffer, offset, Math.min(recent.length, offset + maxBytes));
        const blob = this.completed.get(index);
        if (blob) return { kind: 'blob', index, blob };
      }
      if (position < this.partsStart) return { kind: 'passed' };
      if (position < this.edge) {
        const offset = position - this.partsStart;
        return this.lend(cursor, this.filling!, offset, Math.min(this.edge - this.partsStart, offset + maxBytes));
      }
      if (this.finished) return { kind: 'beyond' };
      const progress = this.progress.promise;
      this.nudge();
      await progress;
    }
  }

  /**
   * For a reader that needs no bytes (a download: the fetch stores them): moves the cursor to the
   * fetch's edge once bytes past its position have arrived, waiting for them. Resolves false when
   * the fetch brings nothing more at the cursor's position. Unlike `read`, it makes no view or
   * Blob slice (a slice of a just-built Blob costs milliseconds in a worker).
   */
  async skip(cursor: FetchCursor): Promise<boolean> {
    for (;;) {
      if (this.failure) throw this.failure;
      const position = cursor.position;
      if (position >= this.end || position < this.begin) return false;
      if (position < this.edge) {
        cursor.position = this.edge;
        return true;
      }
      if (this.finished) return false;
      const progress = this.progress.promise;
      this.nudge();
      await progress;
    }
  }

  private lend(cursor: FetchCursor, buffer: SegmentBuffer, begin: number, end: number): FetchPiece {
    // A hold never returned keeps the buffer from the pool: the garbage collector takes it.
    const letGo = buffer.hold();
    if (this.options.reuseLentBuffers) this.lent.set(cursor, letGo);
    return { kind: 'bytes', bytes: buffer.bytes.subarray(begin, end) };
  }

  private returnLent(cursor: FetchCursor): void {
    const letGo = this.lent.get(cursor);
    this.lent.delete(cursor);
    letGo?.();
  }

  private async start(): Promise<UpstreamHead> {
    const { url, startOffset, known } = this.options;
    const headers = new Headers({ Range: `bytes=${startOffset}-${this.end - 1}` });
    const ifRange = known && ifRangeValue(known.validator);
    if (ifRange) headers.set('If-Range', ifRange);
    // A fresh request: re-creating the page's no-cors media request would drop the Range header,
    // and `no-store` keeps the HTTP cache from storing every byte a second time (docs/platform-facts.md §8).
    if (__DEV__) devLog('upstream fetch', { url, range: headers.get('Range'), ifRange });
    const request = new Request(url, { headers, cache: 'no-store', signal: this.controller.signal, credentials: 'same-origin' });
    let response: Response;
    try {
      response = await raceWithTimeout(fetch(request), this.options.timeoutFor(this.options.unitBytes), () => this.controller.abort());
    } catch (cause) {
      const code = cause instanceof TimeoutError ? 'upstream-stalled' : 'upstream-failed';
      throw this.fail(new MediaCacheError(code, { url }, { cause }));
    }
    const head = readUpstreamHead(response, { url: request.url, start: startOffset, storedContentType: known?.contentType });
    if (head.kind !== 'body') {
      void response.body?.cancel().catch(() => undefined);
      // Readers of an answer already under way (a later window) fail at once, rather than look for
      // the bytes elsewhere and ask again: a redirect, a page or a refusal is not the media.
      if (head.kind === 'unusable') this.fail(new MediaCacheError('upstream-status', { url, reason: head.reason }));
      this.finished = true;
      return head;
    }
    this.response = response;
    this.begin = head.startOffset;
    this.edge = head.startOffset;
    this.partsStart = head.startOffset;
    this.end = head.endOffset;
    this.layout = { sizeBytes: head.sizeBytes, segmentSizeBytes: this.options.config.segmentSizeBytes };
    this.fileHead = { sizeBytes: head.sizeBytes, validator: head.validator ?? {}, contentType: head.contentType, headers: head.headers };
    // Recorded off the answer's critical path: the write may queue behind other files' segment
    // writes, and only this fetch's own segment writes need to follow it. If storage is
    // unavailable the bytes still reach the readers; they are just not kept.
    this.storing = this.headSaved = head.storable
      ? this.options.store.saveHead(this.key, this.fileHead, this.layout.segmentSizeBytes).then(
          () => true,
          () => false,
        )
      : Promise.resolve(false);
    return head;
  }

  private response: Response | undefined;
  private storing: Promise<boolean> = Promise.resolve(false);
  /** Resolves once the file's record is written (true), or when it will not be (false). */
  headSaved: Promise<boolean> = Promise.resolve(false);
  /** The last reason a completed segment was not stored, if any. */
  storageFailure: MediaCacheError | undefined;

  private async pump(): Promise<void> {
    const reader = new ScratchReader(this.response!.body!, this.options.buffers);
    this.response = undefined;
    const stall = new StallDetector(this.options.unitBytes, this.options.timeoutFor, this.options.recordTransfer);
    try {
      for (;;) {
        if (!(await this.wanted())) {
          throw new MediaCacheError('reader-cancelled', { url: this.url });
        }
        const before = performance.now();
        let chunk: Uint8Array | undefined;
        try {
          chunk = await raceWithTimeout(reader.read(), stall.remainingMs(), () => this.controller.abort());
        } catch (cause) {
          if (cause instanceof TimeoutError) {
            throw new MediaCacheError('upstream-stalled', { url: this.url, timeoutMs: stall.timeoutMs }, { cause });
          }
          throw new MediaCacheError('upstream-failed', { url: this.url }, { cause });
        }
        if (chunk === undefined) {
          if (this.edge !== this.end) {
            throw new MediaCacheError('upstream-length-mismatch', { url: this.url, received: this.edge, expected: this.end });
          }
          break;
        }
        stall.record(performance.now() - before, chunk.byteLength);
        this.options.metrics.bytesFromNetwork += chunk.byteLength;
        this.accept(chunk);
        await this.limitPendingStores();
      }
      this.finished = true;
      reader.releaseScratch();
    } catch (error) {
      this.fail(error instanceof MediaCacheError ? error : new MediaCacheError('upstream-failed', { url: this.url }, { cause: error }));
      this.controller.abort();
      void reader.cancel().catch(() => undefined);
    } finally {
      this.settle();
    }
  }

  /**
   * Resolves true once some reader wants bytes near the edge and no active reader is about to fall
   * out of the segments kept in memory; false when no reader is left (once the segment in progress is
   * finished, when it was left part-received).
   *
   * The second condition keeps concurrent readers of a fetch together: a reader that falls behind
   * the kept segments reads each segment back from a Blob or from storage (an asynchronous blob
   * read, into a pooled buffer), which makes it slower still. Only readers that read within
   * ACTIVE_READER_MS count, so a paused one never holds the others back.
   */
  private async wanted(): Promise<boolean> {
    const { readAheadBytes, recentSegmentsKept, segmentSizeBytes } = this.options.config;
    for (;;) {
      if (this.cursors.size === 0) return this.finishingTo !== undefined && this.edge < this.finishingTo;
      const now = performance.now();
      // Reading on past the edge would trim the oldest kept segment: a reader there must move first.
      const keptFrom = recentSegmentsKept >= 2 ? this.partsStart - (recentSegmentsKept - 1) * segmentSizeBytes : Number.NEGATIVE_INFINITY;
      let leading = false;
      let lagging = false;
      for (const cursor of this.cursors) {
        if (cursor.position + readAheadBytes > this.edge) leading = true;
        const activeAt = this.activeAt.get(cursor);
        if (activeAt !== undefined && now - activeAt < ACTIVE_READER_MS && cursor.position >= this.begin && cursor.position < keptFrom) {
          lagging = true;
        }
      }
      if (leading && !lagging) return true;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        // A lagging reader that stops reading stops counting.
        if (lagging) setTimeout(resolve, ACTIVE_READER_MS);
      });
    }
  }

  private accept(chunk: Uint8Array): void {
    const layout = this.layout!;
    if (this.edge + chunk.byteLength > this.end) {
      throw new MediaCacheError('upstream-length-mismatch', { url: this.url, received: this.edge + chunk.byteLength, expected: this.end });
    }
    let rest = chunk;
    while (rest.byteLength > 0) {
      const index = segmentIndexFor(this.edge, layout.segmentSizeBytes);
      const boundary = Math.min(segmentStart(index + 1, layout), layout.sizeBytes);
      const piece = rest.subarray(0, boundary - this.edge);
      this.filling ??= this.options.buffers.take();
      // Behind `edge - partsStart` only: the bytes lent to readers are never written over.
      this.filling.bytes.set(piece, this.edge - this.partsStart);
      this.edge += piece.byteLength;
      rest = rest.subarray(piece.byteLength);
      if (this.edge === boundary) this.completeSegment(index);
    }
    this.signalProgress();
  }

  /**
   * The body as one Blob, cut into segments (Blob slices: no bytes are copied), each stored as
   * `pump` stores them. Nothing reaches readers or storage unless the whole window arrived.
   */
  private async pumpWhole(): Promise<void> {
    const response = this.response!;
    this.response = undefined;
    const expected = this.end - this.edge;
    try {
      let body: Blob;
      const started = performance.now();
      try {
        body = await raceWithTimeout(response.blob(), this.options.timeoutFor(expected), () => this.controller.abort());
      } catch (cause) {
        if (this.failure) throw this.failure;
        const code = cause instanceof TimeoutError ? 'upstream-stalled' : 'upstream-failed';
        throw new MediaCacheError(code, { url: this.url }, { cause });
      }
      if (body.size !== expected) {
        throw new MediaCacheError('upstream-length-mismatch', { url: this.url, received: this.edge + body.size, expected: this.end });
      }
      this.options.metrics.bytesFromNetwork += body.size;
      this.options.recordTransfer?.(body.size, performance.now() - started);
      const layout = this.layout!;
      const bodyStart = this.edge;
      for (;;) {
        const index = segmentIndexFor(this.edge, layout.segmentSizeBytes);
        const boundary = Math.min(segmentStart(index + 1, layout), layout.sizeBytes);
        // Windows end on segment boundaries; a part of a segment would not be stored anyway.
        if (boundary > this.end || this.edge === this.end) break;
        const blob = body.slice(this.edge - bodyStart, boundary - bodyStart);
        this.edge = boundary;
        this.completeSegment(index, blob);
      }
      this.signalProgress();
      this.finished = true;
    } catch (error) {
      this.fail(error instanceof MediaCacheError ? error : new MediaCacheError('upstream-failed', { url: this.url }, { cause: error }));
      this.controller.abort();
    } finally {
      this.settle();
    }
  }

  /** Hands on a completed segment: kept for readers and stored. `built` when the body came whole (pumpWhole). */
  private completeSegment(index: number, built?: Blob): void {
    let blob: Blob;
    if (built) {
      blob = built;
    } else {
      const buffer = this.filling!;
      const length = this.edge - this.partsStart;
      // The Blob constructor copies the bytes out of the JS heap into the browser's blob storage;
      // the buffer stays for readers just behind the edge until it is trimmed.
      blob = new Blob([buffer.bytes.subarray(0, length) as BlobPart]);
      this.filling = undefined;
      this.recent.set(index, { buffer, length });
    }
    this.partsStart = this.edge;
    // A fetch that began mid-segment (never: starts are aligned) or a 200 body from byte 0
    // always completes whole segments, so `blob` has the segment's full length here.
    this.completed.set(index, blob);
    this.trimRecent();
    this.pendingStores += 1;
    const head = this.fileHead!;
    this.storing
      .then((storing) => storing && this.options.storeSegment(this.key, index, blob, head))
      .catch((error: unknown) => {
        this.storageFailure = error instanceof MediaCacheError ? error : new MediaCacheError('storage-failed', { url: this.url, index }, { cause: error });
        return false;
      })
      .finally(() => {
        this.pendingStores -= 1;
        // Until its write lands, storage cannot give the segment to a slower reader, who would
        // otherwise fetch it again: the Blob stays readable here until then.
        this.completed.delete(index);
        this.nudge();
      });
  }

  /**
   * Keeps the few most recent segments in memory for readers just behind the edge; older ones are
   * read from their Blob (or storage). A buffer goes back to the pool once no reader holds a view.
   */
  private trimRecent(keep = this.options.config.recentSegmentsKept): void {
    if (this.recent.size <= keep) return;
    for (const index of [...this.recent.keys()].sort((a, b) => a - b).slice(0, this.recent.size - keep)) {
      this.recent.get(index)!.buffer.letGo();
      this.recent.delete(index);
    }
  }

  /** A finished fetch that no reader reads any more lets go of its buffers. */
  private dropBuffersWhenDone(): void {
    if (!this.finished || this.cursors.size > 0) return;
    this.trimRecent(0);
    this.filling?.letGo();
    this.filling = undefined;
  }

  /** Resolves once every completed segment of this fetch has been stored (or failed to be). */
  async storesSettled(): Promise<void> {
    while (this.pendingStores > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Storage slower than the network must not pile segments up in memory. */
  private async limitPendingStores(): Promise<void> {
    while (this.pendingStores > 2 && !this.failure) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private signalProgress(): void {
    const progress = this.progress;
    this.progress = deferred();
    progress.resolve();
  }

  private fail(error: MediaCacheError): MediaCacheError {
    if (__DEV__ && !this.failure) devLog('upstream fetch ended', { url: this.url, code: error.code, edge: this.edge });
    if (!this.failure && error.code !== 'reader-cancelled') this.options.onFailed?.(this.url, error);
    this.failure ??= error;
    this.signalProgress();
    return this.failure;
  }

  private settle(): void {
    this.finished = true;
    this.signalProgress();
    this.dropBuffersWhenDone();
    // Findable (and its completed segments readable) until its segments are stored.
    void this.storesSettled().then(() => this.options.onSettled(this));
  }

  /** Stops the upstream transfer now; readers see `reader-cancelled`. */
  abort(): void {
    this.fail(new MediaCacheError('reader-cancelled', { url: this.url }));
    this.controller.abort();
    this.nudge();
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
