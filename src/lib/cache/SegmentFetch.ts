import type { MediaCacheConfig } from '../config.js';
import { devLog } from '../devLog.js';
import { MediaCacheError } from '../errors/MediaCacheError.js';
import type { FileHead, SegmentStore } from '../store/SegmentStore.js';
import { segmentIndexFor, segmentStart, type SegmentLayout } from '../store/segmentLayout.js';
import { ifRangeValue } from '../store/validators.js';
import type { Validator } from '../store/schema.js';
import { raceWithTimeout, TimeoutError } from '../stream/adaptiveTimeout.js';
import { StallDetector } from '../stream/StallDetector.js';
import type { CacheMetricsRecorder } from './CacheMetrics.js';
import { readUpstreamHead, type UpstreamHead } from './upstreamHead.js';

export interface SegmentFetchOptions {
  url: string;
  /** First byte to ask for; aligned to a segment boundary. */
  startOffset: number;
  /** One past the last byte to ask for: the end of this fetch's window. */
  endOffset: number;
  /** Where the run of missing segments this window belongs to ends, when known (else the file's end). */
  runEndOffset: number | undefined;
  /** The stored version, sent as If-Range so a changed resource comes back whole. */
  knownValidator: Validator | undefined;
  /** Write unit and timeout rule for stall detection (range or full-content writes). */
  unitBytes: number;
  timeoutFor: (bytes: number) => number;
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
  /** Stores one complete segment; resolves false when it was not stored. */
  storeSegment: (url: string, index: number, blob: Blob, head: FileHead) => Promise<boolean>;
  onSettled: (fetch: SegmentFetch) => void;
}

/** A reader's place in a fetch. Its position drives the fetch's pace. */
export interface FetchCursor {
  position: number;
}

/** What a reader gets at its position: bytes, or a pointer elsewhere. */
export type FetchPiece =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'blob'; blob: Blob }
  /** The fetch has moved past this position; the bytes are in the store (or were lost). */
  | { kind: 'passed' }
  /** This fetch will never bring this position. */
  | { kind: 'beyond' };

/**
 * One upstream request, shared by every reader that needs its bytes (single flight). It cuts the
 * body into aligned segments as it arrives and stores each one as soon as it is complete, while
 * readers take the same bytes as views of the arriving chunks. It reads upstream only while a
 * reader is within `readAheadBytes` of its edge, so a paused reader pauses it (and is never taken
 * for a stalled origin), and it cancels the upstream request when its last reader leaves.
 */
export class SegmentFetch {
  readonly url: string;
  readonly head: Promise<UpstreamHead>;
  /** Next byte to arrive (absolute offset). */
  private edge: number;
  private end: number;
  private layout: SegmentLayout | undefined;
  private fileHead: FileHead | undefined;
  /** Views of the bytes of the segment being filled, which starts at `partsStart`. */
  private parts: Uint8Array[] = [];
  private partsStart: number;
  /** The most recent completed segments, stored or not. */
  private readonly completed = new Map<number, Blob>();
  private readonly cursors = new Set<FetchCursor>();
  private readonly controller = new AbortController();
  private pendingStores = 0;
  /** Segments whose storage write has not finished: kept in `completed` until it has. */
  private readonly storingIndices = new Set<number>();
  private failure: MediaCacheError | undefined;
  private finished = false;
  private wake: (() => void) | undefined;
  private progress = deferred();

  constructor(private readonly options: SegmentFetchOptions) {
    this.url = options.url;
    this.edge = options.startOffset;
    this.partsStart = options.startOffset;
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
    return this.options.startOffset;
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
    if (offset < this.options.startOffset || offset >= this.end) return false;
    if (offset >= this.partsStart) return !this.finished;
    return this.layout !== undefined && this.completed.has(segmentIndexFor(offset, this.layout.segmentSizeBytes));
  }

  attach(position: number): FetchCursor {
    const cursor = { position };
    this.cursors.add(cursor);
    this.nudge();
    return cursor;
  }

  /** Removes a reader; the last one leaving stops the upstream transfer at once. */
  detach(cursor: FetchCursor): void {
    this.cursors.delete(cursor);
    if (this.cursors.size === 0 && !this.finished) this.abort();
    else this.nudge();
  }

  /** Tells the fetch a reader moved on, which may let it read further upstream. */
  nudge(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The bytes at the cursor's position, at most `maxBytes`, waiting for them to arrive. */
  async read(cursor: FetchCursor, maxBytes: number): Promise<FetchPiece> {
    for (;;) {
      if (this.failure) throw this.failure;
      const position = cursor.position;
      if (position >= this.end || position < this.options.startOffset) return { kind: 'beyond' };
      const layout = this.layout;
      if (layout) {
        const index = segmentIndexFor(position, layout.segmentSizeBytes);
        const blob = this.completed.get(index);
        if (blob) {
          const offset = position - segmentStart(index, layout);
          return { kind: 'blob', blob: blob.slice(offset, Math.min(blob.size, offset + maxBytes)) };
        }
      }
      if (position < this.partsStart) return { kind: 'passed' };
      if (position < this.edge) return { kind: 'bytes', bytes: this.viewAt(position, maxBytes) };
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
      if (position >= this.end || position < this.options.startOffset) return false;
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

  private viewAt(position: number, maxBytes: number): Uint8Array {
    let offset = position - this.partsStart;
    for (const part of this.parts) {
      if (offset < part.byteLength) return part.subarray(offset, Math.min(part.byteLength, offset + maxBytes));
      offset -= part.byteLength;
    }
    throw new Error('unreachable: position inside the filled part of the segment');
  }

  private async start(): Promise<UpstreamHead> {
    const { url, startOffset, knownValidator } = this.options;
    const headers = new Headers({ Range: `bytes=${startOffset}-${this.end - 1}` });
    const ifRange = knownValidator && ifRangeValue(knownValidator);
    if (ifRange) headers.set('If-Range', ifRange);
    // A fresh request: re-creating the page's no-cors media request would drop the Range header,
    // and `no-store` keeps the HTTP cache from storing every byte a second time (DESIGN.md, fact 8).
    if (__DEV__) devLog('upstream fetch', { url, range: headers.get('Range'), ifRange });
    const request = new Request(url, { headers, cache: 'no-store', signal: this.controller.signal, credentials: 'same-origin' });
    let response: Response;
    try {
      response = await raceWithTimeout(fetch(request), this.options.timeoutFor(this.options.unitBytes), () => this.controller.abort());
    } catch (cause) {
      const code = cause instanceof TimeoutError ? 'upstream-stalled' : 'upstream-failed';
      throw this.fail(new MediaCacheError(code, { url }, { cause }));
    }
    const head = readUpstreamHead(response, startOffset);
    if (head.kind !== 'body') {
      void response.body?.cancel().catch(() => undefined);
      this.finished = true;
      return head;
    }
    this.response = response;
    this.edge = head.startOffset;
    this.partsStart = head.startOffset;
    this.end = head.endOffset;
    this.layout = { sizeBytes: head.sizeBytes, segmentSizeBytes: this.options.config.segmentSizeBytes };
    this.fileHead = { sizeBytes: head.sizeBytes, validator: head.validator ?? {}, contentType: head.contentType };
    // Recorded off the answer's critical path: the write may queue behind other files' segment
    // writes, and only this fetch's own segment writes need to follow it. If storage is
    // unavailable the bytes still reach the readers; they are just not kept.
    this.storing = this.headSaved = head.storable
      ? this.options.store.saveHead(url, this.fileHead, this.layout.segmentSizeBytes).then(
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
    const reader = this.response!.body!.getReader();
    this.response = undefined;
    const stall = new StallDetector(this.options.unitBytes, this.options.timeoutFor);
    try {
      for (;;) {
        if (!(await this.wanted())) {
          throw new MediaCacheError('reader-cancelled', { url: this.url });
        }
        const before = performance.now();
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await raceWithTimeout(reader.read(), stall.remainingMs(), () => this.controller.abort());
        } catch (cause) {
          if (cause instanceof TimeoutError) {
            throw new MediaCacheError('upstream-stalled', { url: this.url, timeoutMs: stall.timeoutMs }, { cause });
          }
          throw new MediaCacheError('upstream-failed', { url: this.url }, { cause });
        }
        if (result.done) {
          if (this.edge !== this.end) {
            throw new MediaCacheError('upstream-length-mismatch', { url: this.url, received: this.edge, expected: this.end });
          }
          break;
        }
        stall.record(performance.now() - before, result.value.byteLength);
        this.options.metrics.bytesFromNetwork += result.value.byteLength;
        this.accept(result.value);
        await this.limitPendingStores();
      }
      this.finished = true;
    } catch (error) {
      this.fail(error instanceof MediaCacheError ? error : new MediaCacheError('upstream-failed', { url: this.url }, { cause: error }));
      this.controller.abort();
      void reader.cancel().catch(() => undefined);
    } finally {
      this.settle();
    }
  }

  /** Resolves true once some reader wants bytes near the edge, false when no reader is left. */
  private async wanted(): Promise<boolean> {
    for (;;) {
      if (this.cursors.size === 0) return false;
      for (const cursor of this.cursors) {
        if (cursor.position + this.options.config.readAheadBytes > this.edge) return true;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
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
      this.parts.push(piece);
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

  private completeSegment(index: number, built?: Blob): void {
    // The Blob constructor is where the bytes leave the JS heap for the browser's blob storage;
    // the segment's chunk views are dropped right after.
    const blob = built ?? new Blob(this.parts as BlobPart[]);
    this.parts = [];
    this.partsStart = this.edge;
    // A fetch that began mid-segment (never: starts are aligned) or a 200 body from byte 0
    // always completes whole segments, so `blob` has the segment's full length here.
    this.completed.set(index, blob);
    this.storingIndices.add(index);
    this.trimCompleted();
    this.pendingStores += 1;
    const head = this.fileHead!;
    this.storing
      .then((storing) => storing && this.options.storeSegment(this.url, index, blob, head))
      .catch((error: unknown) => {
        this.storageFailure = error instanceof MediaCacheError ? error : new MediaCacheError('storage-failed', { url: this.url, index }, { cause: error });
        return false;
      })
      .finally(() => {
        this.pendingStores -= 1;
        this.storingIndices.delete(index);
        this.trimCompleted();
        this.nudge();
      });
  }

  /**
   * Keeps the few most recent segments for readers just behind the edge, and every segment whose
   * storage write is still pending: until it lands, storage cannot give it to a slower reader, who
   * would otherwise fetch it again. Older ones are read from storage.
   */
  private trimCompleted(): void {
    let excess = this.completed.size - this.options.config.recentSegmentsKept;
    for (const index of [...this.completed.keys()].sort((a, b) => a - b)) {
      if (excess <= 0) return;
      if (this.storingIndices.has(index)) continue;
      this.completed.delete(index);
      excess -= 1;
    }
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
    this.failure ??= error;
    this.signalProgress();
    return this.failure;
  }

  private settle(): void {
    this.finished = true;
    this.signalProgress();
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
