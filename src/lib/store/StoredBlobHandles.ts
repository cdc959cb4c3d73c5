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
 * Bounded (least recently used go first): a handle is a small object, but it also keeps its
 * record's file on disk after the record is deleted, so the store drops a file's handles when it
 * deletes or replaces the file.
 */
export class StoredBlobHandles {
  private readonly handles = new Map<string, Blob>();

  constructor(private readonly maxHandles = DEFAULT_MAX_HANDLES) {}

  /** The handle kept for segment `index` of `url`, else `fresh`, kept from now on. */
  handleFor(url: string, index: number, fresh: Blob): Blob {
    const key = keyOf(url, index);
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

  /** Forgets segment `index` of `url` (its record is being replaced). */
  forgetSegment(url: string, index: number): void {
    this.handles.delete(keyOf(url, index));
  }

  /** Forgets every segment of `url` (its records are being deleted). */
  forgetFile(url: string): void {
    const prefix = url + SEPARATOR;
    for (const key of [...this.handles.keys()]) if (key.startsWith(prefix)) this.handles.delete(key);
  }

  get size(): number {
    return this.handles.size;
  }
}

/** 4096 segments of 512 KiB: 2 GiB of stored media read without a new Blob per read. */
const DEFAULT_MAX_HANDLES = 4096;
/** Cannot occur in a URL. */
const SEPARATOR = '\n';

function keyOf(url: string, index: number): string {
  return url + SEPARATOR + index;
}
