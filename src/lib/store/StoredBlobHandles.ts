import type { FileRecord } from './schema.js';

/**
 * The Blob handles of stored segments the worker has read, kept and handed out again for as long
 * as the segment stays stored: each stored segment is represented by one Blob object, the first
 * IndexedDB gave back, not by a new one per read.
 *
 * Why: Chromium registers a Blob read from IndexedDB with its blob registry lazily, and can drop
 * that registration while the page or worker still holds a Blob of the same record. A Blob built
 * over it afterwards (`new Blob([stored, …])`, `stored.slice()`: every warm answer) then gets the
 * renderer killed by the browser, page and worker together ("Bad blob references in
 * BlobRegistry::Register", crbug.com/392376370). Seen in the benchmark's warm range reads (1 run in
 * 3) and in an ad hoc probe that reads 3 stored records, composes and slices them, 20 times per
 * forced GC: killed after 45 and 124 rounds with a fresh Blob per read; 414 rounds without a kill
 * when every read reused the first Blob of each record.
 *
 * Handles are kept per stored version of a file (its record's `createdAt`), so a handle of an
 * older version is never handed out for a newer one, however reads and replacements interleave.
 * Bounded (least recently used go first): a handle is a small object, but it also keeps its
 * record's file on disk after the record is deleted, so the store drops a file's handles when it
 * deletes or replaces the file.
 */
export class StoredBlobHandles {
  private readonly handles = new Map<string, Blob>();

  constructor(private readonly maxHandles = DEFAULT_MAX_HANDLES) {}

  /** The handle kept for segment `index` of this stored version of a file, else `fresh`, kept from now on. */
  handleFor(file: StoredVersion, index: number, fresh: Blob): Blob {
    const key = keyOf(file, index);
    const kept = this.handles.get(key);
    if (kept && kept.size === fresh.size) {
      // Most recently used last.
      this.handles.delete(key);
      this.handles.set(key, kept);
      return kept;
    }
    this.handles.delete(key);
    this.handles.set(key, fresh);
    if (this.handles.size > this.maxHandles) this.handles.delete(this.handles.keys().next().value!);
    return fresh;
  }

  /** Forgets segment `index` of this stored version (its record is being replaced). */
  forgetSegment(file: StoredVersion, index: number): void {
    this.handles.delete(keyOf(file, index));
  }

  /** Forgets every segment of every stored version of `url` (its records were deleted or replaced). */
  forgetFile(url: string): void {
    const prefix = url + SEPARATOR;
    for (const key of [...this.handles.keys()]) if (key.startsWith(prefix)) this.handles.delete(key);
  }

  /** Forgets every handle (every stored file was deleted). */
  forgetAll(): void {
    this.handles.clear();
  }

  get size(): number {
    return this.handles.size;
  }
}

/** 4096 segments of 512 KiB: 2 GiB of stored media read without a new Blob per read. */
const DEFAULT_MAX_HANDLES = 4096;
/** Cannot occur in a URL. */
const SEPARATOR = '\n';

/** One stored version of a file: its URL and when its record was created. */
export type StoredVersion = Pick<FileRecord, 'url' | 'createdAt'>;

function keyOf(file: StoredVersion, index: number): string {
  return file.url + SEPARATOR + file.createdAt + SEPARATOR + index;
}
