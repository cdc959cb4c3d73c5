import type { IDBPDatabase } from 'idb';
import type { MediaCacheDB, SegmentRecord } from './schema.js';

/**
 * How segment bytes are kept in IndexedDB: as Blobs where the engine stores Blob values (Chromium,
 * Firefox, Safari in a normal window), as ArrayBuffers where it refuses them. WebKit refuses Blob
 * values in an ephemeral session (Safari's private browsing, WebKitGTK under automation): the put
 * fails with "UnknownError: Error preparing Blob/File data to be stored in object store"
 * (docs/platform-facts.md §27). Both kinds read back the same way, so a store written in one mode
 * stays readable in the other.
 */
export type SegmentValueKind = 'blob' | 'buffer';

/** A key no media URL can have: the probe's record is never committed anyway. */
const PROBE_KEY_URL = '\u0000segment-value-probe';

/**
 * Whether this database takes Blob values: one put of a one-byte Blob in a transaction that is
 * then aborted, so nothing is written. A put that throws or fails means ArrayBuffers.
 */
export async function detectSegmentValueKind(db: IDBPDatabase<MediaCacheDB>): Promise<SegmentValueKind> {
  const tx = db.transaction('segments', 'readwrite');
  tx.done.catch(() => undefined);
  const probe: SegmentRecord = { url: PROBE_KEY_URL, index: 0, sizeBytes: 1, blob: new Blob([new Uint8Array(1)]) };
  let kind: SegmentValueKind;
  try {
    await tx.store.put(probe);
    kind = 'blob';
  } catch {
    kind = 'buffer';
  }
  try {
    tx.abort();
  } catch {
    // Already aborted by the failed put.
  }
  return kind;
}

/** The value a segment's bytes are stored as, for `kind`. */
export async function segmentValue(blob: Blob, kind: SegmentValueKind): Promise<Blob | ArrayBuffer> {
  return kind === 'blob' ? blob : blob.arrayBuffer();
}

/** The stored bytes of a segment record as a Blob, whichever kind they were stored as. */
export function segmentBlob(value: Blob | ArrayBuffer): Blob {
  return value instanceof Blob ? value : new Blob([value]);
}

/** How many bytes a stored value holds. */
export function storedValueSize(value: Blob | ArrayBuffer): number {
  return value instanceof Blob ? value.size : value.byteLength;
}
