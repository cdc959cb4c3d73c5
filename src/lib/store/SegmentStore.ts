import type { IDBPDatabase } from 'idb';
import { MediaCacheError } from '../errors/MediaCacheError.js';
import { raceWithTimeout, storageWriteTimeoutMs, TimeoutError } from '../stream/adaptiveTimeout.js';
import { MediaDatabase } from './MediaDatabase.js';
import { RecordMirror } from './RecordMirror.js';
import { StoredBlobHandles } from './StoredBlobHandles.js';
import type { FileRecord, MediaCacheDB, Validator } from './schema.js';
import { segmentCount, segmentLength } from './segmentLayout.js';
import { sameVersion } from './validators.js';
import { emptySegmentBitmap, hasSegment, withSegment } from './segmentBitmap.js';
import { detectSegmentValueKind, isBufferValue, segmentBlob, segmentValue, storedValueSize, type SegmentValueKind } from './segmentValues.js';

/** What the upstream says a resource is: its size, validator and type, and the origin's headers an answer keeps. */
export interface FileHead {
  sizeBytes: number;
  validator: Validator;
  contentType: string;
  /** See ORIGIN_HEADERS_KEPT; none when absent. */
  headers?: Record<string, string>;
}

/** The version of a file already known, and its type. */
export type KnownVersion = Pick<FileHead, 'validator' | 'contentType'>;

/** Last-access times are written at most this often per file: they order eviction, nothing more. */
const TOUCH_INTERVAL_MS = 10_000;

/**
 * The segment store: one record per file, one per aligned segment, in IndexedDB. A segment is
 * visible only once complete: it is checked against its expected length and written in the same
 * transaction that marks it stored in its file record, under the file's current validator.
 */
export class SegmentStore {
  readonly database: MediaDatabase;
  private readonly records: RecordMirror<'files'>;
  private readonly touchedAt = new Map<string, number>();
  private readonly changeListeners = new Set<(url: string) => void>();
  /** One Blob per stored segment, handed out again on every read (see StoredBlobHandles). */
  private readonly handles = new StoredBlobHandles();

  constructor(database: MediaDatabase | string = new MediaDatabase()) {
    this.database = typeof database === 'string' ? new MediaDatabase(database) : database;
    this.records = new RecordMirror(this.database, 'files');
  }

  private connection(): Promise<IDBPDatabase<MediaCacheDB>> {
    return this.database.connection();
  }

  private valueKind: Promise<SegmentValueKind> | undefined;

  /** How this engine lets segment bytes be stored (see segmentValues.ts); found out on first use. */
  segmentValueKind(): Promise<SegmentValueKind> {
    this.valueKind ??= this.connection()
      .then(detectSegmentValueKind)
      .catch((error: unknown) => {
        this.valueKind = undefined;
        throw error;
      });
    return this.valueKind;
  }

  /** Calls `listener` after every committed change of a file's stored data (segments, head, deletion). */
  onChange(listener: (url: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(url: string): void {
    for (const listener of this.changeListeners) listener(url);
  }

  /** File records, mirrored in memory (see RecordMirror): a cold request's lookup does not wait. */
  private mirror(): Promise<Map<string, FileRecord>> {
    return this.records.load();
  }

  async getFile(url: string): Promise<FileRecord | undefined> {
    return (await this.mirror()).get(url);
  }

  async listFiles(): Promise<FileRecord[]> {
    return [...(await this.mirror()).values()];
  }

  /**
   * Records what the upstream says the resource is. A different version than the stored one
   * purges the stored segments first, so no response can ever combine bytes of two versions.
   */
  async saveHead(url: string, head: FileHead, segmentSizeBytes: number): Promise<FileRecord> {
    // Loaded before the transaction opens: awaiting anything else would let it commit early.
    const records = await this.mirror();
    const db = await this.connection();
    const tx = db.transaction(['files', 'segments'], 'readwrite');
    const files = tx.objectStore('files');
    const existing = await files.get(url);
    if (
      existing &&
      existing.segmentSizeBytes === segmentSizeBytes &&
      sameVersion(existing.validator, existing.sizeBytes, head.validator, head.sizeBytes)
    ) {
      // The same version; its headers (a CSP changed, a record written before they were kept) are the latest.
      const headers = head.headers && Object.keys(head.headers).length > 0 ? head.headers : undefined;
      let current = existing;
      if (!sameHeaders(existing.headers, headers)) {
        const { headers: _stale, ...rest } = existing;
        current = headers ? { ...rest, headers } : rest;
        await files.put(current);
      }
      await tx.done;
      records.set(url, current);
      return current;
    }
    if (existing) await tx.objectStore('segments').delete(segmentKeyRange(url));
    const now = Date.now();
    const record: FileRecord = {
      url,
      sizeBytes: head.sizeBytes,
      validator: head.validator,
      contentType: head.contentType,
      ...(head.headers && Object.keys(head.headers).length > 0 ? { headers: head.headers } : {}),
      segmentSizeBytes,
      segmentBitmap: emptySegmentBitmap(segmentCount({ sizeBytes: head.sizeBytes, segmentSizeBytes })),
      storedBytes: 0,
      createdAt: now,
      lastAccessAt: now,
    };
    await files.put(record);
    await tx.done;
    records.set(url, record);
    if (existing) {
      this.handles.forgetFile(url);
      this.changed(url);
    }
    return record;
  }

  /**
   * Stores one complete segment. Resolves true when stored, false when it no longer belongs
   * (the file was purged or changed version meanwhile). Rejects with `storage-timeout` when the
   * write outlives its adaptive timeout (the transaction is aborted: nothing is half-written).
   *
   * Segments that arrive while a write is running are written together in the next transaction
   * (group commit): a readwrite transaction costs about the same for one segment as for several
   * (measured in Chromium 156: 32 segments of 512 KiB take 3–5× longer one transaction each than
   * eight to a transaction), and transactions on the same stores run one at a time anyway.
   */
  putSegment(url: string, index: number, blob: Blob, head: FileHead): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queuedWrites.push({ url, index, blob, head, resolve, reject });
      if (!this.writing) void this.writeQueued();
    });
  }

  private readonly queuedWrites: QueuedWrite[] = [];
  private writing = false;

  private async writeQueued(): Promise<void> {
    this.writing = true;
    // Segments completed together (a whole window at once) are queued in the same task: let the
    // rest of them join the first transaction.
    await Promise.resolve();
    try {
      while (this.queuedWrites.length > 0) {
        const batch = takeBatch(this.queuedWrites);
        try {
          const stored = await this.writeBatch(batch);
          batch.forEach((write, at) => {
            const outcome = stored[at]!;
            if (outcome instanceof Error) write.reject(outcome);
            else write.resolve(outcome);
          });
        } catch (error) {
          // Aborted from outside (the connection closing for a newer worker): nothing was stored.
          const aborted = error instanceof DOMException && error.name === 'AbortError';
          for (const write of batch) {
            if (aborted) write.resolve(false);
            else write.reject(storeError(error, write));
          }
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /**
   * Writes a batch of segments in one transaction, each checked against its file record as
   * `putSegment` promises; returns each one's outcome (stored, not wanted, or its own error), or
   * throws when the transaction failed (then nothing of the batch is stored).
   */
  private async writeBatch(batch: readonly QueuedWrite[]): Promise<Array<boolean | MediaCacheError>> {
    const records = await this.mirror();
    // Converted before the transaction opens (awaiting a Blob's bytes inside it would let it
    // commit), and before the connection is taken, so it is fresh when the transaction opens.
    const kind = await this.segmentValueKind();
    const values = await Promise.all(batch.map((write) => segmentValue(write.blob, kind)));
    const db = await this.connection();
    const tx = db.transaction(['files', 'segments'], 'readwrite');
    // An aborted transaction rejects `done`; the outcome is reported through the writes instead.
    tx.done.catch(() => undefined);
    const files = tx.objectStore('files');
    const urls = [...new Set(batch.map((write) => write.url))];
    // The first answers mean the transaction runs: the timeout below counts the write itself,
    // not the time it queued behind other transactions (on a busy store, many).
    const found = await Promise.all(urls.map((url) => files.get(url)));
    const fileOf = new Map(urls.map((url, at) => [url, found[at]]));
    const outcomes = batch.map((write): boolean | MediaCacheError => {
      const file = fileOf.get(write.url);
      if (!file || !sameVersion(file.validator, file.sizeBytes, write.head.validator, write.head.sizeBytes)) return false;
      if (write.blob.size !== segmentLength(write.index, file)) {
        return new MediaCacheError('segment-invalid', { url: write.url, index: write.index, sizeBytes: write.blob.size });
      }
      return true;
    });
    if (!outcomes.includes(true)) {
      abortQuietly(tx);
      return outcomes;
    }
    const changed = new Set<string>();
    const commit = async (): Promise<void> => {
      const puts: Array<Promise<unknown>> = [];
      batch.forEach((write, at) => {
        if (outcomes[at] !== true) return;
        const file = fileOf.get(write.url)!;
        this.handles.forgetSegment(file, write.index);
        puts.push(tx.objectStore('segments').put({ url: write.url, index: write.index, sizeBytes: write.blob.size, blob: values[at]! }));
        if (!hasSegment(file.segmentBitmap, write.index)) {
          file.segmentBitmap = withSegment(file.segmentBitmap, write.index);
          file.storedBytes += write.blob.size;
        }
        changed.add(write.url);
      });
      for (const url of changed) puts.push(files.put(fileOf.get(url)!));
      await Promise.all(puts);
      await tx.done;
    };
    const bytes = batch.reduce((sum, write, at) => sum + (outcomes[at] === true ? write.blob.size : 0), 0);
    await raceWithTimeout(commit(), storageWriteTimeoutMs(bytes), () => abortQuietly(tx));
    for (const url of changed) records.set(url, fileOf.get(url)!);
    for (const url of changed) this.changed(url);
    return outcomes;
  }

  /**
   * The stored Blobs of the given segments that are present and intact, provided the stored file
   * is still the version `expected` (else none: bytes of two versions are never combined). A
   * record whose Blob has the wrong length is treated as missing, so it is fetched again rather
   * than served.
   */
  async getSegments(url: string, indices: readonly number[], expected?: FileHead): Promise<Map<number, Blob>> {
    const db = await this.connection();
    const tx = db.transaction(['files', 'segments'], 'readonly');
    const segments = tx.objectStore('segments');
    // One request per run of consecutive indices rather than one per segment: a whole 64 MiB
    // file's 128 records came back in 9 ms instead of 23 ms (measured in the worker).
    const [file, ...runs] = await Promise.all([
      tx.objectStore('files').get(url),
      ...consecutiveRuns(indices).map(([first, last]) => segments.getAll(IDBKeyRange.bound([url, first], [url, last]))),
    ]);
    await tx.done;
    const blobs = new Map<number, Blob>();
    if (!file || (expected && !sameVersion(file.validator, file.sizeBytes, expected.validator, expected.sizeBytes))) {
      return blobs;
    }
    // A file deleted or replaced while this read ran keeps no handles (they would keep its
    // records' files on disk); one deleted or replaced after this check has them dropped then.
    const kept = (await this.mirror()).get(url)?.createdAt === file.createdAt;
    for (const record of runs.flat()) {
      if (storedValueSize(record.blob) === record.sizeBytes && record.sizeBytes === segmentLength(record.index, file)) {
        // Handles only for stored Blobs: a Blob over a stored ArrayBuffer holds its bytes in memory.
        const blob = segmentBlob(record.blob);
        blobs.set(record.index, kept && !isBufferValue(record.blob) ? this.handles.handleFor(file, record.index, blob) : blob);
      }
    }
    return blobs;
  }

  /**
   * Deletes the file `url` and its segments; with `createdAt`, only if the stored record is still
   * that version (checked in the same transaction). Resolves whether it deleted anything.
   */
  async deleteFile(url: string, createdAt?: number): Promise<boolean> {
    const records = await this.mirror();
    const db = await this.connection();
    const tx = db.transaction(['files', 'segments'], 'readwrite');
    if (createdAt !== undefined && (await tx.objectStore('files').get(url))?.createdAt !== createdAt) {
      await tx.done;
      return false;
    }
    await Promise.all([tx.objectStore('segments').delete(segmentKeyRange(url)), tx.objectStore('files').delete(url), tx.done]);
    records.delete(url);
    this.handles.forgetFile(url);
    this.changed(url);
    return true;
  }

  /** Deletes every stored file and segment at once; resolves with the URLs (keys) that were stored. */
  async clear(): Promise<string[]> {
    const records = await this.mirror();
    const db = await this.connection();
    const tx = db.transaction(['files', 'segments'], 'readwrite');
    const [urls] = await Promise.all([tx.objectStore('files').getAllKeys(), tx.objectStore('segments').clear(), tx.objectStore('files').clear(), tx.done]);
    records.clear();
    // Live handles would keep the deleted records' files on disk.
    this.handles.forgetAll();
    for (const url of urls) this.changed(url);
    return urls;
  }

  /** Notes a read of `url` for least-recently-used eviction; cheap to call on every request. */
  touch(url: string): void {
    const now = Date.now();
    if (now - (this.touchedAt.get(url) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.touchedAt.set(url, now);
    // A task later, so that the read which prompted the touch opens its transaction first: a
    // readwrite transaction on `files` queued ahead of it would make it wait for a get, a put
    // and a commit.
    void new Promise((resolve) => setTimeout(resolve, 0))
      .then(() => this.connection())
      .then(async (db) => {
        const tx = db.transaction('files', 'readwrite');
        const file = await tx.store.get(url);
        const touched = file && { ...file, lastAccessAt: now };
        if (touched) await tx.store.put(touched);
        await tx.done;
        if (touched) (await this.mirror()).set(url, touched);
      })
      .catch(() => undefined);
  }

  /**
   * Notes that the origin confirmed the stored version of `url` at `at`; nothing when the file
   * was deleted or replaced since (its record's `createdAt` differs).
   */
  async markValidated(url: string, createdAt: number, at: number): Promise<void> {
    const records = await this.mirror();
    const db = await this.connection();
    const tx = db.transaction('files', 'readwrite');
    const file = await tx.store.get(url);
    const validated = file && file.createdAt === createdAt ? { ...file, validatedAt: at } : undefined;
    if (validated) await tx.store.put(validated);
    await tx.done;
    if (validated) records.set(url, validated);
  }

  /** How many stored segments' Blob handles are kept (see StoredBlobHandles). */
  get keptBlobHandles(): number {
    return this.handles.size;
  }

  close(): void {
    this.database.close();
  }
}

interface QueuedWrite {
  url: string;
  index: number;
  blob: Blob;
  head: FileHead;
  resolve: (stored: boolean) => void;
  reject: (error: unknown) => void;
}

/** Most bytes one group-committed transaction writes: all of them fail together (a timeout, no room). */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/** Takes the writes queued first, up to MAX_BATCH_BYTES (at least one). */
function takeBatch(queued: QueuedWrite[]): QueuedWrite[] {
  let count = 0;
  let bytes = 0;
  while (count < queued.length && (count === 0 || bytes + queued[count]!.blob.size <= MAX_BATCH_BYTES)) {
    bytes += queued[count]!.blob.size;
    count += 1;
  }
  return queued.splice(0, count);
}

/** What a failed write transaction means for one of its segments. */
function storeError(error: unknown, write: QueuedWrite): unknown {
  const { url, index } = write;
  if (error instanceof MediaCacheError) return error;
  if (error instanceof TimeoutError) return new MediaCacheError('storage-timeout', { url, index }, { cause: error });
  if (isQuotaError(error)) return new MediaCacheError('quota-exceeded', { url, index }, { cause: error });
  return new MediaCacheError('storage-failed', { url, index }, { cause: error });
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

function sameHeaders(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const x = Object.entries(a ?? {});
  return x.length === Object.keys(b ?? {}).length && x.every(([name, value]) => b?.[name] === value);
}

function segmentKeyRange(url: string): IDBKeyRange {
  return IDBKeyRange.bound([url, 0], [url, Infinity]);
}

/** `[first, last]` of each run of consecutive values, for values in any order. */
function consecutiveRuns(values: readonly number[]): Array<[number, number]> {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const runs: Array<[number, number]> = [];
  for (const value of sorted) {
    const run = runs[runs.length - 1];
    if (run && value === run[1] + 1) run[1] = value;
    else runs.push([value, value]);
  }
  return runs;
}

function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // Already finished or aborted.
  }
}
