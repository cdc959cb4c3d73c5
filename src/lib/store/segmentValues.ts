import type { IDBPDatabase } from 'idb';
import type { MediaCacheDB, SegmentRecord } from './schema.js';

/**
 * How segment bytes are kept in IndexedDB: as Blobs where the engine stores Blob values (Chromium,
 * Firefox), as ArrayBuffers where it refuses them. WebKit refuses Blob values in an ephemeral
 * session (measured in WebKitGTK under automation): the put
 * fails with "UnknownError: Error preparing Blob/File data to be stored in object store"
 * (docs/platform-facts.md §27). Safari's private browsing is the same kind of session. Both kinds
 * read back the same way, so a store written in one mode stays readable in the other.
 */
export type SegmentValueKind = 'blob' | 'buffer';

/** A key no media URL can have: the probe's record is never committed anyway. */
const PROBE_KEY_URL = '\u0000segment-value-probe';

/** How an engine that refuses Blob values fails the put (WebKit: `UnknownError`). */
const REFUSALS = new Set(['UnknownError', 'DataCloneError', 'NotSupportedError']);

/**
 * Whether this database takes Blob values: one put of a one-byte Blob in a transaction that is
 * then aborted, so nothing is written. A put refused as WebKit refuses it means ArrayBuffers; any
 * other failure (the connection closing, a full disk) is thrown, to be asked again next time.
 */
export async function detectSegmentValueKind(db: IDBPDatabase<MediaCacheDB>): Promise<SegmentValueKind> {
  const tx = db.transaction('segments', 'readwrite');
  tx.done.catch(() => undefined);
  const probe: SegmentRecord = { url: PROBE_KEY_URL, index: 0, sizeBytes: 1, blob: new Blob([new Uint8Array(1)]) };
  let kind: SegmentValueKind;
  try {
    await tx.store.put(probe);
    kind = 'blob';
  } catch (error) {
    if (!(error instanceof DOMException && REFUSALS.has(error.name))) throw error;
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

/** Whether a stored value is an ArrayBuffer (by its tag: a Blob of another realm is still a Blob). */
export function isBufferValue(value: Blob | ArrayBuffer): value is ArrayBuffer {
  return Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

/** The stored bytes of a segment record as a Blob, whichever kind they were stored as. */
export function segmentBlob(value: Blob | ArrayBuffer): Blob {
  return isBufferValue(value) ? new Blob([value]) : value;
}

/** How many bytes a stored value holds. */
export function storedValueSize(value: Blob | ArrayBuffer): number {
  return isBufferValue(value) ? value.byteLength : value.size;
}
