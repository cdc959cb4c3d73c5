import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openMediaDB } from './openMediaDB.js';
import { SegmentStore, type FileHead } from './SegmentStore.js';
import { detectSegmentValueKind } from './segmentValues.js';

// Pure store logic against fake-indexeddb. An engine that refuses Blob values (WebKit in an
// ephemeral session) is modelled by a put that throws WebKit's error for a record holding a Blob;
// WebKit fails the request instead, which rejects idb's put the same way.
const URL_A = 'https://example.test/media/a.mp4';
const head: FileHead = { sizeBytes: 20, validator: { etag: '"v1"' }, contentType: 'video/mp4' };
let counter = 0;

function refuseBlobValues(): void {
  const put = IDBObjectStore.prototype.put;
  vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    if (value && typeof value === 'object' && (value as { blob?: unknown }).blob instanceof Blob) {
      throw new DOMException('Error preparing Blob/File data to be stored in object store', 'UnknownError');
    }
    return put.call(this, value, key);
  });
}

afterEach(() => vi.restoreAllMocks());

describe('segment values', () => {
  it('finds Blob values taken where the engine stores them, and writes nothing while finding out', async () => {
    const db = await openMediaDB(`segment-values-${++counter}`);
    expect(await detectSegmentValueKind(db)).toBe('blob');
    expect(await db.count('segments')).toBe(0);
    db.close();
  });

  it('takes another failure of the probe for no answer: it is thrown, and asked again next time', async () => {
    const put = IDBObjectStore.prototype.put;
    const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementationOnce(() => {
      throw new DOMException('The disk is full', 'QuotaExceededError');
    });
    const db = await openMediaDB(`segment-values-${++counter}`);
    await expect(detectSegmentValueKind(db)).rejects.toMatchObject({ name: 'QuotaExceededError' });
    spy.mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      return put.call(this, value, key);
    });
    expect(await detectSegmentValueKind(db)).toBe('blob');
    db.close();
  });

  it('finds ArrayBuffers needed where Blob values are refused', async () => {
    refuseBlobValues();
    const db = await openMediaDB(`segment-values-${++counter}`);
    expect(await detectSegmentValueKind(db)).toBe('buffer');
    expect(await db.count('segments')).toBe(0);
    db.close();
  });

  it('stores segments as ArrayBuffers where Blobs are refused, and reads back the exact bytes', async () => {
    refuseBlobValues();
    const name = `segment-values-${++counter}`;
    const store = new SegmentStore(name);
    await store.saveHead(URL_A, head, 8);
    expect(await store.putSegment(URL_A, 0, new Blob([new Uint8Array(8).fill(7)]), head)).toBe(true);
    expect(await store.putSegment(URL_A, 2, new Blob([new Uint8Array(4).fill(9)]), head)).toBe(true);
    const blobs = await store.getSegments(URL_A, [0, 1, 2], head);
    expect([...blobs.keys()].sort()).toEqual([0, 2]);
    expect(new Uint8Array(await blobs.get(0)!.arrayBuffer())).toEqual(new Uint8Array(8).fill(7));
    expect(new Uint8Array(await blobs.get(2)!.arrayBuffer())).toEqual(new Uint8Array(4).fill(9));
    expect(store.keptBlobHandles).toBe(0);
    store.close();
    const db = await openMediaDB(name);
    const record = await db.get('segments', [URL_A, 0]);
    expect(record?.blob).toBeInstanceOf(ArrayBuffer);
    db.close();
  });

  it('reads segments stored as Blobs and as ArrayBuffers side by side', async () => {
    const name = `segment-values-${++counter}`;
    const first = new SegmentStore(name);
    await first.saveHead(URL_A, head, 8);
    await first.putSegment(URL_A, 0, new Blob([new Uint8Array(8).fill(1)]), head);
    first.close();
    refuseBlobValues();
    const second = new SegmentStore(name);
    await second.putSegment(URL_A, 1, new Blob([new Uint8Array(8).fill(2)]), head);
    const blobs = await second.getSegments(URL_A, [0, 1], head);
    expect(new Uint8Array(await blobs.get(0)!.arrayBuffer())).toEqual(new Uint8Array(8).fill(1));
    expect(new Uint8Array(await blobs.get(1)!.arrayBuffer())).toEqual(new Uint8Array(8).fill(2));
    second.close();
  });
});
