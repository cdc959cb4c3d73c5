import { adaptiveSettings, adaptToMemory, currentMemoryFacts, type MemoryFacts } from '../adaptToMemory.js';
import { defaultConfig, type MediaCacheConfig } from '../config.js';
import { createRangeResponse } from '../range/createRangeResponse.js';
import { createStreamedRangeResponse } from '../range/createStreamedRangeResponse.js';
import { evaluateRangeRequest } from '../range/evaluateRangeRequest.js';
import type { ByteRange, RangeResolution, Representation } from '../range/types.js';
import type { FileRecord } from '../store/schema.js';
import type { FileHead, KnownVersion } from '../store/SegmentStore.js';
import { SegmentStore } from '../store/SegmentStore.js';
import { DownloadStore } from '../store/DownloadStore.js';
import { MediaCacheError } from '../errors/MediaCacheError.js';
import type { CacheMetrics } from '../messages.js';
import { CacheBudget } from './CacheBudget.js';
import { Hold } from './Hold.js';
import { probeOffset, rangesOf, representationOf, segmentsOf, stripFragment } from './planRequest.js';
import { CacheMetricsRecorder } from './CacheMetrics.js';
import { segmentIndexFor } from '../store/segmentLayout.js';
import { sameVersion } from '../store/validators.js';
import { createSegmentedStream } from '../stream/createSegmentedStream.js';
import { passThrough } from './passThrough.js';
import { readUpstreamHead, type UpstreamHead } from './upstreamHead.js';
import { SegmentBlobSource } from './SegmentBlobSource.js';
import { SegmentBufferPool } from './SegmentBufferPool.js';
import type { SegmentFetch } from './SegmentFetch.js';
import { SegmentFetcher } from './SegmentFetcher.js';
import { StitchedSource } from './StitchedSource.js';
import { hasSegment, nextStoredSegment } from '../store/segmentBitmap.js';
import type { MediaCachePlugin } from '../plugins/MediaCachePlugin.js';
import { PluginRunner } from '../plugins/PluginRunner.js';
import type { TimeoutOptions } from '../stream/TransferRates.js';
import { devLog } from '../devLog.js';
import { DEFAULT_REVALIDATE_AFTER_MS, Revalidator } from './Revalidator.js';
import { isOffline } from './isOffline.js';

/** How the cache is set up: every field is optional, with the default it documents. */
export interface MediaCacheOptions {
  /**
   * The cache's sizes (segment size, write units, fetch windows): see `MediaCacheConfig`. The
   * in-memory sizes adapt to the device's memory unless given here.
   * @defaultValue `defaultConfig`: 512 KiB segments, 256 KiB range writes, 1 MiB full writes
   */
  config?: Partial<MediaCacheConfig>;
  /** How long an upstream may take before it counts as stalled. */
  timeouts?: TimeoutOptions;
  /** Lifecycle callbacks (see `MediaCachePlugin`), called in order. @defaultValue `[]` */
  plugins?: MediaCachePlugin[];
  /** Where segments are stored. @defaultValue a store on the IndexedDB database `media-range-cache` */
  store?: SegmentStore;
  /** Share of the storage quota that files only streamed (not downloaded) may use. @defaultValue 0.5 */
  cacheBudgetFraction?: number;
  /** A fixed cap on the bytes of files only streamed. @defaultValue none: the fraction alone */
  cacheBudgetBytes?: number;
  /**
   * Whether the chunks of a streamed answer are lent (default true): views of pooled buffers that
   * are used again once the body's reader asks for the next chunk. Right for an answer given to
   * `respondWith` (the browser copies each chunk before it reads the next) and what keeps the
   * worker's heap flat; set false where JS code reads the bodies and keeps chunks (tee, clone).
   */
  lendChunks?: boolean;
  /** What the in-memory sizes adapt to (default: what `navigator` says); explicit `config` wins. */
  memory?: MemoryFacts;
  /**
   * The key a request's file is stored under: a URL string. For signed and expiring URLs, one key
   * for every signature of a file (`signedUrlCacheKey` drops S3's, CloudFront's and token
   * parameters); upstream requests still go to the URL asked for. Downloads, `list()` and
   * `remove()` use the same key. It must give a key back for a key (pages pass keys back).
   * Plugins' `cacheKeyWillBeUsed` run after it.
   * @defaultValue the request's URL without its fragment
   */
  cacheKey?: (request: Request) => string;
  /**
   * Least time between two checks of a stored file against its origin (a one-byte `If-Range`
   * request in the background of a read from storage, only when online). A file only streamed
   * that changed is purged; a downloaded one keeps playing and its download becomes `outdated`.
   * `Infinity` never checks.
   * @defaultValue 1 hour
   */
  revalidateAfterMs?: number;
}

/** A first reader that never reads its body must not keep an upstream fetch open for ever. */
const HOLD_TIMEOUT_MS = 10_000;

/**
 * Files known to have no validator are passed through without a probe first (which would cost a
 * second upstream request per answer), until the worker restarts; this many are remembered.
 */
const UNVALIDATED_KEYS_KEPT = 256;

/** Most segments a stored answer holds in memory at once where segments are kept as ArrayBuffers. */
const MAX_IN_MEMORY_SEGMENTS = 4;


/**
 * The cache engine. It plans every request into stored and missing pieces: a fully stored answer
 * is a Blob-bodied response composed from stored segment Blobs (no byte passes through the
 * worker); anything else is one stream that stitches stored slices and shared upstream fetches,
 * storing the missing segments as they arrive.
 */
export class RangeCache {
  readonly config: MediaCacheConfig;
  readonly store: SegmentStore;
  readonly downloads: DownloadStore;
  readonly fetcher: SegmentFetcher;
  readonly budget: CacheBudget;
  readonly metrics = new CacheMetricsRecorder();
  readonly plugins: PluginRunner;
  /** Checks stored files against their origin (see `revalidateAfterMs`). */
  readonly revalidator: Revalidator;
  private readonly memory: MemoryFacts;
  private readonly memoryBudgetBytes: number;
  private readonly buffers: SegmentBufferPool;
  /** Whether the chunks of streamed answers are lent (see `lendChunks`). */
  private readonly lendChunks: boolean;
  private readonly cacheKey: ((request: Request) => string) | undefined;

  constructor(options: MediaCacheOptions = {}) {
    this.plugins = new PluginRunner(options.plugins);
    this.memory = options.memory ?? currentMemoryFacts();
    const adapted = adaptToMemory(this.memory, { ...defaultConfig, ...options.config });
    this.memoryBudgetBytes = adapted.memoryBudgetBytes;
    this.config = { ...defaultConfig, ...adapted.config, ...options.config };
    this.lendChunks = options.lendChunks ?? true;
    this.cacheKey = options.cacheKey;
    // Enough spares for a fetch's kept segments, the one it fills and its scratch, twice over.
    this.buffers = new SegmentBufferPool(this.config.segmentSizeBytes, 2 * (this.config.recentSegmentsKept + 2));
    this.store = options.store ?? new SegmentStore();
    this.downloads = new DownloadStore(this.store.database);
    this.budget = new CacheBudget(this.store, this.downloads, {
      fraction: options.cacheBudgetFraction ?? 0.5,
      ...(options.cacheBudgetBytes === undefined ? {} : { maxBytes: options.cacheBudgetBytes }),
    });
    this.fetcher = new SegmentFetcher({
      config: this.config,
      store: this.store,
      storeSegment: (url, index, blob, head) => this.storeSegment(url, index, blob, head),
      onFailed: (url, error) => this.plugins.notify('fetchDidFail', { url, error }),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      metrics: this.metrics,
      buffers: this.buffers,
      reuseLentBuffers: this.lendChunks,
    });
    this.budget.enforceOnChange();
    const revalidateAfterMs = options.revalidateAfterMs ?? DEFAULT_REVALIDATE_AFTER_MS;
    if (!(revalidateAfterMs >= 0)) throw new RangeError(`MediaCacheOptions.revalidateAfterMs must be a number ≥ 0, got ${revalidateAfterMs}`);
    this.revalidator = new Revalidator({
      store: this.store,
      downloads: this.downloads,
      intervalMs: revalidateAfterMs,
      purge: (key, createdAt) => this.deleteVersion(key, createdAt),
    });
  }

  /**
   * The key `request`'s file is stored under: `cacheKey`, then the plugins' `cacheKeyWillBeUsed`,
   * without a fragment. A `cacheKey` that throws or gives no string leaves the URL.
   */
  async keyOf(request: Request): Promise<string> {
    let key = stripFragment(request.url);
    if (this.cacheKey) {
      try {
        const chosen = this.cacheKey(request);
        if (typeof chosen === 'string' && chosen !== '') key = chosen;
      } catch (error) {
        if (__DEV__) devLog('cacheKey failed', { url: request.url, error });
      }
    }
    if (this.plugins.hasCacheKeyWillBeUsed) key = await this.plugins.cacheKeyWillBeUsed(request, key);
    return stripFragment(key);
  }

  /**
   * Stores one complete segment of the file `url` (its key) unless a plugin's
   * `segmentWillBeStored` says no, making room under the budget when storage is full; resolves
   * whether it was stored.
   */
  async storeSegment(url: string, index: number, blob: Blob, head: FileHead): Promise<boolean> {
    if (this.plugins.hasSegmentWillBeStored && !(await this.plugins.segmentWillBeStored({ url, index, sizeBytes: blob.size }))) return false;
    const stored = await this.budget.storeSegment(url, index, blob, head);
    if (stored) this.plugins.notify('segmentDidStore', { url, index, sizeBytes: blob.size });
    return stored;
  }

  /** Answers a GET for a media resource. Never rejects: failures become network errors. */
  async handle(request: Request): Promise<Response> {
    try {
      return await this.answer(request);
    } catch (error) {
      this.plugins.notify('handlerDidError', { request, error });
      // A media element retries a network error (docs/platform-facts.md §4); a fetch() caller sees the
      // same TypeError it would see offline.
      return Response.error();
    }
  }

  private async answer(request: Request): Promise<Response> {
    // Fetched from the URL asked for; stored under the file's key.
    const url = stripFragment(request.url);
    const key = await this.keyOf(request);
    const file = await this.store.getFile(key).catch(() => undefined);
    if (file) this.store.touch(key);
    // Known to have no validator: its answers are the origin's own (see below), without a probe.
    if (!file && this.unvalidated.has(key)) return passThrough(request);
    const firstByte = file ? this.firstMissingByte(request, file) : probeOffset(request.headers.get('Range'));
    let head: FileHead | undefined = file;
    let hold: Hold | undefined;
    if (firstByte !== undefined) {
      // Offline, or an origin that cannot be reached: a stored file is answered from what is
      // stored (the body ends at the first missing byte, which a media element asks for again),
      // rather than not at all: a lecture half watched still plays from its start.
      const fromStored = { head: file, hold: undefined };
      const learned = file && isOffline() ? fromStored : await this.learnUpstream(request, { url, key }, file, firstByte).catch((error: unknown) => {
        if (file) return fromStored;
        throw error;
      });
      if (learned instanceof Response) return learned;
      ({ head, hold } = learned);
    }
    if (!head) throw new Error('unreachable: a head is known or probed');

    const representation = representationOf(head);
    const resolution = evaluateRangeRequest(request.headers, representation);
    const ranges = rangesOf(resolution, head.sizeBytes);
    if (resolution.kind === 'unsatisfiable' || ranges.length === 0) {
      hold?.release();
      return createRangeResponse(resolution, SegmentBlobSource.empty(head.sizeBytes), representation, head.headers);
    }

    // A file that was just probed has nothing stored yet, and the file record says which
    // segments are: skip a lookup that would only wait behind pending segment writes.
    const recorded = file !== undefined && head === file && this.recordsAll(file, ranges);
    // Answered from storage alone (as Blobs, or streamed where segments are ArrayBuffers): whether
    // the origin still has this version is checked behind it.
    if (recorded) this.revalidator.revalidateIfDue(url, file);
    const stored = recorded ? await this.storedSource(key, head, ranges) : undefined;
    if (stored) {
      hold?.release();
      const response = createRangeResponse(resolution, stored, representation, head.headers);
      this.metrics.bytesFromCache += Number(response.headers.get('Content-Length') ?? 0);
      return response;
    }
    return this.stream({ url, key }, head, resolution, representation, hold);
  }

  /**
   * The answer needs bytes that are not stored: its headers wait for the upstream's answer to the
   * request for the first of them, sent at once (with If-Range when a version is known). A file
   * changed upstream (If-Range fails, the new version comes back whole) is then answered as the new
   * version, whole, instead of failing after the old version's headers went out. Without a record
   * yet, a fetch in flight may already know the version to send as If-Range. Resolves with the
   * head to answer with and the probe held for the answer's reader, or with the whole answer when
   * the upstream's decides it (a 416, a pass-through). Rejects when the upstream cannot be reached.
   */
  private async learnUpstream(request: Request, target: FileTarget, file: FileRecord | undefined, firstByte: number): Promise<Response | { head: FileHead; hold: Hold }> {
    const known = file ?? this.fetcher.knownHead(target.key);
    for (let offset = firstByte; ; offset = 0) {
      const probe = this.probe(target, offset, file, known, !request.headers.has('Range'));
      const hold = probe.hold;
      const upstream = await probe.fetch.head.catch((error: unknown) => {
        hold.release();
        throw error;
      });
      if (upstream.kind === 'unsatisfiable') {
        hold.release();
        // A 416 tells the size and nothing else (no validator, no type): enough when the answer is
        // a 416 too. An answer that needs more (a body, or validators for If-Range) asks again
        // from byte 0; an empty file has no range to ask for, so its request goes through as is.
        const representation = { sizeBytes: upstream.sizeBytes };
        const resolution = evaluateRangeRequest(request.headers, representation);
        if (resolution.kind === 'unsatisfiable') return createRangeResponse(resolution, SegmentBlobSource.empty(upstream.sizeBytes), representation);
        if (upstream.sizeBytes === 0) return this.answerEmpty(request, target.url);
        if (offset === 0) return passThrough(request);
        continue;
      }
      // Not the media (a redirect, a page, a refusal): the page gets what the origin says.
      if (upstream.kind === 'unusable') {
        hold.release();
        return passThrough(request);
      }
      // Without a validator nothing tells two upstream answers of the same version apart: an
      // answer with bytes is the origin's own, one upstream response, never stitched from windows.
      if (upstream.validator === undefined && upstream.sizeBytes > 0) {
        hold.release();
        this.rememberUnvalidated(target.key);
        return passThrough(request);
      }
      const validator = upstream.validator ?? {};
      const head =
        file && sameVersion(file.validator, file.sizeBytes, validator, upstream.sizeBytes)
          ? file
          : { sizeBytes: upstream.sizeBytes, validator, contentType: upstream.contentType, headers: upstream.headers };
      return { head, hold };
    }
  }

  /** Keys whose origin sent no validator, most recent last (at most UNVALIDATED_KEYS_KEPT). */
  private readonly unvalidated = new Set<string>();

  private rememberUnvalidated(key: string): void {
    this.unvalidated.delete(key);
    this.unvalidated.add(key);
    if (this.unvalidated.size > UNVALIDATED_KEYS_KEPT) this.unvalidated.delete(this.unvalidated.values().next().value!);
  }

  /**
   * An empty file has no range to ask for: one plain GET learns its validator and type, and the
   * answer follows the same policy as any other (an empty 200, or a 416 naming size 0).
   */
  private async answerEmpty(request: Request, url: string): Promise<Response> {
    const response = await fetch(new Request(url, { cache: 'no-store', credentials: 'same-origin' }));
    const upstream = readUpstreamHead(response, { url, start: 0 });
    await response.body?.cancel().catch(() => undefined);
    if (upstream.kind !== 'body' || upstream.sizeBytes !== 0) return passThrough(request);
    const head: FileHead = { sizeBytes: 0, validator: upstream.validator ?? {}, contentType: upstream.contentType, headers: upstream.headers };
    const representation = representationOf(head);
    return createRangeResponse(evaluateRangeRequest(request.headers, representation), SegmentBlobSource.empty(0), representation, head.headers);
  }

  /** The first byte the answer needs whose segment is not stored, or undefined when all are stored (or none is needed). */
  private firstMissingByte(request: Request, file: FileRecord): number | undefined {
    const segmentSizeBytes = this.config.segmentSizeBytes;
    for (const { start, end } of rangesOf(evaluateRangeRequest(request.headers, representationOf(file)), file.sizeBytes)) {
      for (let index = segmentIndexFor(start, segmentSizeBytes); index <= segmentIndexFor(end, segmentSizeBytes); index += 1) {
        if (!hasSegment(file.segmentBitmap, index)) return Math.max(start, index * segmentSizeBytes);
      }
    }
    return undefined;
  }

  /**
   * Starts (or joins) the fetch of the window holding `offset`, holding it open until the
   * answer's own reader joins. For a known file it asks If-Range and stops at the next stored
   * segment.
   */
  private probe(
    { url, key }: FileTarget,
    offset: number,
    file: FileRecord | undefined,
    known: KnownVersion | undefined,
    full: boolean,
    wholeBody = false,
  ): { fetch: SegmentFetch; hold: Hold } {
    const segmentSizeBytes = this.config.segmentSizeBytes;
    const index = segmentIndexFor(offset, segmentSizeBytes);
    const start = index * segmentSizeBytes;
    const nextStored = file && nextStoredSegment(file.segmentBitmap, index);
    const runEnd = nextStored === undefined ? file?.sizeBytes : nextStored * segmentSizeBytes;
    const fetch =
      this.fetcher.find(key, start) ??
      this.fetcher.start({
        url,
        key,
        startOffset: start,
        endOffset: Math.min(start + this.config.fetchWindowBytes, runEnd ?? Number.POSITIVE_INFINITY),
        runEndOffset: runEnd,
        known,
        unitBytes: full ? this.config.fullWriteBytes : this.config.rangeWriteBytes,
        timeoutFor: full ? this.fetcher.rates.fullWrite(url) : this.fetcher.rates.rangeWrite(url),
        wholeBody,
      });
    return { fetch, hold: new Hold(fetch, fetch.attach(start)) };
  }

  private recordsAll(file: FileRecord, ranges: ByteRange[]): boolean {
    return segmentsOf(ranges, this.config.segmentSizeBytes).every((index) => hasSegment(file.segmentBitmap, index));
  }

  /** A source over stored segment Blobs when every byte of `ranges` is stored, else undefined. */
  private async storedSource(key: string, head: FileHead, ranges: ByteRange[]): Promise<SegmentBlobSource | undefined> {
    const indices = segmentsOf(ranges, this.config.segmentSizeBytes);
    // Segments kept as ArrayBuffers come back as Blobs in memory: a long answer then streams
    // segment by segment (StitchedSource) instead of holding all of them at once.
    if (indices.length > MAX_IN_MEMORY_SEGMENTS && (await this.store.segmentValueKind().catch(() => 'blob')) === 'buffer') return undefined;
    const blobs = await this.store.getSegments(key, indices, head).catch(() => new Map<number, Blob>());
    if (blobs.size !== indices.length) return undefined;
    return new SegmentBlobSource(blobs, { sizeBytes: head.sizeBytes, segmentSizeBytes: this.config.segmentSizeBytes });
  }

  private stream(
    target: FileTarget,
    head: FileHead,
    resolution: Exclude<RangeResolution, { kind: 'unsatisfiable' }>,
    representation: Representation,
    hold?: Hold,
  ): Response {
    const full = resolution.kind === 'full';
    const source = this.source(target, head, full, hold);
    const writeBytes = full ? this.config.fullWriteBytes : this.config.rangeWriteBytes;
    if (hold) setTimeout(() => hold.release(), HOLD_TIMEOUT_MS);
    return createStreamedRangeResponse(resolution, representation, (pieces) => createSegmentedStream(source, pieces, writeBytes), head.headers);
  }

  private source({ url, key }: FileTarget, head: FileHead, full: boolean, hold: Hold | undefined): StitchedSource {
    return new StitchedSource({
      url,
      key,
      head,
      hold,
      config: this.config,
      store: this.store,
      fetcher: this.fetcher,
      unitBytes: full ? this.config.fullWriteBytes : this.config.rangeWriteBytes,
      timeoutFor: full ? this.fetcher.rates.fullWrite(url) : this.fetcher.rates.rangeWrite(url),
      metrics: this.metrics,
      buffers: this.lendChunks ? this.buffers : undefined,
    });
  }

  /**
   * What the file `key` is: its stored record, or (when none, or `askUpstream`) what the upstream
   * says at `url` (its record is then written, and the first window's fetch is held open until
   * `release`, so a download can take it over).
   */
  async head({ url, key }: FileTarget, { askUpstream = false }: { askUpstream?: boolean } = {}): Promise<{ head: FileHead; release: () => void }> {
    const file = await this.store.getFile(key);
    if (file && !askUpstream) return { head: file, release: () => undefined };
    // The first window of a download: taken whole, so it arrives while the download is set up.
    // Asked with If-Range for a stored file (askUpstream): a new version replaces it only once
    // its head has arrived, so a failure keeps the stored one.
    const probe = this.probe({ url, key }, 0, undefined, file ?? this.fetcher.knownHead(key), false, true);
    const release = (): void => probe.hold.release();
    try {
      const upstream = await probe.fetch.head;
      if (upstream.kind !== 'body') {
        throw new MediaCacheError('upstream-status', { url, reason: upstream.kind === 'unusable' ? upstream.reason : 'unsatisfiable' });
      }
      if (!upstream.storable) throw new MediaCacheError('not-cacheable', { url });
      if (!(await probe.fetch.headSaved)) throw new MediaCacheError('storage-failed', { url, operation: 'saveHead' });
      return { head: { sizeBytes: upstream.sizeBytes, validator: upstream.validator ?? {}, contentType: upstream.contentType, headers: upstream.headers }, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Where the bytes handed out came from, and what is in flight. */
  metricsSnapshot(): CacheMetrics {
    const adaptive = adaptiveSettings(this.memory, this.memoryBudgetBytes, this.config, this.buffers.allocatedCount, this.fetcher.rates);
    return this.metrics.snapshot(this.fetcher.activeCount, adaptive, this.revalidator.counts);
  }

  /** Deletes every stored file, stopping every fetch first; resolves with the keys that were stored. */
  async clear(): Promise<string[]> {
    this.fetcher.abortAll();
    return this.store.clear();
  }

  /**
   * Deletes the stored file `key` if it is still the version made at `createdAt`: a newer version
   * stored meanwhile (and the fetches bringing it) is left alone.
   */
  async deleteVersion(key: string, createdAt: number): Promise<void> {
    // Checked in the delete's own transaction: nothing can replace the version in between.
    if (await this.store.deleteFile(key, createdAt)) this.fetcher.abort(key);
  }

  /** Deletes the stored file `key`, stopping its fetches first. */
  async delete(key: string): Promise<void> {
    this.fetcher.abort(key);
    await this.store.deleteFile(key);
  }
}

/** A file as a request names it: where its bytes come from (`url`) and what they are stored under (`key`). */
export interface FileTarget {
  url: string;
  key: string;
}

