import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { isMediaCacheError } from '../errors/MediaCacheError.js';
import { SegmentStore, type FileHead } from './SegmentStore.js';
import { storedSegmentIndices } from './segmentBitmap.js';
import type { FileRecord } from './schema.js';

// Pure store logic against fake-indexeddb; the real browser store is exercised by e2e/.
const SEGMENT = 8;
const URL_A = 'https://example.test/media/a.mp4';
const v1: FileHead = { sizeBytes: 20, validator: { etag: '"v1"' }, contentType: 'video/mp4' };
const v2: FileHead = { sizeBytes: 20, validator: { etag: '"v2"' }, contentType: 'video/mp4' };

let dbCounter = 0;
function freshStore(): SegmentStore {
  dbCounter += 1;
  return new SegmentStore(`segment-store-test-${dbCounter}`);
}

function bytes(length: number, fill: number): Blob {
  return new Blob([new Uint8Array(length).fill(fill)]);
}

describe('SegmentStore', () => {
  it('stores a complete segment and marks it in the file record in one step', async () => {
    const store = freshStore();
    await store.saveHead(URL_A, v1, SEGMENT);
    expect(await store.putSegment(URL_A, 1, bytes(8, 1), v1)).toBe(true);
    expect(await store.putSegment(URL_A, 2, bytes(4, 2), v1)).toBe(true); // the short last segment
    const file = await store.getFile(URL_A);
    expect(storedOf(file)).toEqual([1, 2]);
    expect(file?.storedBytes).toBe(12);
    const blobs = await store.getSegments(URL_A, [0, 1, 2], v1);
    expect([...blobs.keys()]).toEqual([1, 2]);
    expect(new Uint8Array(await blobs.get(2)!.arrayBuffer())).toEqual(new Uint8Array(4).fill(2));
  });

  it('returns exactly the asked segments, in runs or apart, in any order', async () => {
    const store = freshStore();
    const head: FileHead = { ...v1, sizeBytes: 6 * SEGMENT };
    await store.saveHead(URL_A, head, SEGMENT);
    for (const index of [0, 1, 2, 4, 5]) await store.putSegment(URL_A, index, bytes(SEGMENT, index), head);
    expect([...(await store.getSegments(URL_A, [5, 0, 3, 1], head)).keys()].sort()).toEqual([0, 1, 5]);
    expect([...(await store.getSegments(URL_A, [4, 2], head)).keys()].sort()).toEqual([2, 4]);
    const blobs = await store.getSegments(URL_A, [1, 2, 3, 4], head);
    expect([...blobs.keys()].sort()).toEqual([1, 2, 4]);
    expect(new Uint8Array(await blobs.get(4)!.arrayBuffer())).toEqual(new Uint8Array(SEGMENT).fill(4));
  });

  it('keeps sorted indices and counts a segment stored twice once', async () => {
    const store = freshStore();
    await store.saveHead(URL_A, v1, SEGMENT);
    for (const index of [2, 0, 1, 0]) await store.putSegment(URL_A, index, bytes(index === 2 ? 4 : 8, index), v1);
    const file = await store.getFile(URL_A);
    expect(storedOf(file)).toEqual([0, 1, 2]);
    expect(file?.storedBytes).toBe(20);
  });

  it('refuses a segment of the wrong length and leaves nothing behind', async () => {
    const store = freshStore();
    await store.saveHead(URL_A, v1, SEGMENT);
    const error = await store.putSegment(URL_A, 0, bytes(7, 0), v1).catch((e: unknown) => e);
    expect(isMediaCacheError(error, 'segment-invalid')).toBe(true);
    expect(storedOf((await store.getFile(URL_A)))).toEqual([]);
    expect((await store.getSegments(URL_A, [0], v1)).size).toBe(0);
  });

  it('drops a segment written for a version that is no longer stored', async () => {
    const store = freshStore();
    await store.saveHead(URL_A, v2, SEGMENT);
    expect(await store.putSegment(URL_A, 0, bytes(8, 0), v1)).toBe(false);
    expect(storedOf((await store.getFile(URL_A)))).toEqual([]);
  });

  it('drops a segment for a file it has no record of', async () => {
    const store = freshStore();
    expect(await store.putSegment(URL_A, 0, bytes(8, 0), v1)).toBe(false);
    expect(await store.getFile(URL_A)).toBeUndefined();
  });

  it('purges the stored segments when the resource changes version', async () => {
    const store = freshStore();
    await store.saveHead(URL_A, v1, SEGMENT);
    await store.putSegment(URL_A, 0, bytes(8, 0), v1);
    const same = await store.saveHead(URL_A, v1, SEGMENT);
    expect(storedOf(same)).toEqual([0]);
    const changed = await store.saveHead(URL_A, v2, SEGMENT);
    expect(storedOf(changed)).toEqual([]);
    expect(changed.validator).toEqual(v2.validator);
    expect((await store.getSegments(URL_A, [0])).size).toBe(0);
  });

  it('treats a size change under the same Last-Modified as a new version', async () => {
    const store = freshStore();
    const dated: FileHead = { sizeBytes: 20, validator: { lastModified: 'Tue, 01 Dec 2026 00:00:00 GMT' }, contentType: 'audio/wav' };
    await store.saveHead(URL_A, dated, SEGMENT);
    await store.putSegment(URL_A, 0, bytes(8, 0), dated);
    const grown = await store.saveHead(URL_A, { ...dated, sizeBytes: 24 }, SEGMENT);
    expect(storedOf(grown)).toEqual([]);
  });

  it('returns no segment when the caller expects another version than the stored one', async () => {
    const store = freshStore();
    await store.saveHead(URL_A, v1, SEGMENT);
    await store.putSegment(URL_A, 0, bytes(8, 0), v1);
    expect((await store.getSegments(URL_A, [0], v2)).size).toBe(0);
    expect((await store.getSegments(URL_A, [0], v1)).size).toBe(1);
  });

  it('deletes a file with all its segments, leaving other files alone', async () => {
    const store = freshStore();
    const other = 'https://example.test/media/b.mp4';
    await store.saveHead(URL_A, v1, SEGMENT);
    await store.saveHead(other, v1, SEGMENT);
    await store.putSegment(URL_A, 0, bytes(8, 0), v1);
    await store.putSegment(other, 0, bytes(8, 9), v1);
    await store.deleteFile(URL_A);
    expect(await store.getFile(URL_A)).toBeUndefined();
    expect((await store.getSegments(URL_A, [0])).size).toBe(0);
    expect((await store.getSegments(other, [0], v1)).size).toBe(1);
    expect((await store.listFiles()).map((file) => file.url)).toEqual([other]);
  });

  it('writes segments queued together in one go, each with its own outcome', async () => {
    const store = freshStore();
    const other = 'https://example.test/media/b.mp4';
    await store.saveHead(URL_A, v1, SEGMENT);
    await store.saveHead(other, v2, SEGMENT);
    const outcomes = await Promise.all([
      store.putSegment(URL_A, 0, bytes(8, 0), v1),
      store.putSegment(URL_A, 1, bytes(7, 1), v1).catch((error: unknown) => error),
      store.putSegment(other, 0, bytes(8, 5), v1), // another version than the stored one
      store.putSegment(other, 1, bytes(8, 6), v2),
      store.putSegment(URL_A, 2, bytes(4, 2), v1),
    ]);
    expect(outcomes[0]).toBe(true);
    expect(isMediaCacheError(outcomes[1], 'segment-invalid')).toBe(true);
    expect(outcomes.slice(2)).toEqual([false, true, true]);
    expect(await store.getFile(URL_A)).toMatchObject({ storedBytes: 12 });
    expect(storedOf(await store.getFile(URL_A))).toEqual([0, 2]);
    expect(await store.getFile(other)).toMatchObject({ storedBytes: 8 });
    expect(storedOf(await store.getFile(other))).toEqual([1]);
    expect([...(await store.getSegments(URL_A, [0, 1, 2], v1)).keys()]).toEqual([0, 2]);
    expect(storedOf(await new SegmentStore(store.database.name).getFile(URL_A))).toEqual([0, 2]);
  });

  it('hands out the same Blob for a stored segment on every read, and a new one once the file is stored anew', async () => {
    const store = freshStore();
    await store.saveHead(URL_A, v1, SEGMENT);
    await store.putSegment(URL_A, 0, bytes(8, 1), v1);
    const first = (await store.getSegments(URL_A, [0], v1)).get(0)!;
    expect((await store.getSegments(URL_A, [0], v1)).get(0)).toBe(first);
    await store.deleteFile(URL_A);
    await store.saveHead(URL_A, v1, SEGMENT);
    await store.putSegment(URL_A, 0, bytes(8, 2), v1);
    const again = (await store.getSegments(URL_A, [0], v1)).get(0)!;
    expect(again).not.toBe(first);
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(new Uint8Array(8).fill(2));
  });

  it('keeps no Blob handles of a file deleted or replaced while a read of it runs', async () => {
    const store = freshStore();
    await store.saveHead(URL_A, v1, SEGMENT);
    await store.putSegment(URL_A, 0, bytes(8, 1), v1);
    await store.putSegment(URL_A, 1, bytes(8, 1), v1);
    const [read] = await Promise.all([store.getSegments(URL_A, [0, 1], v1), store.deleteFile(URL_A)]);
    expect(read.size).toBe(2); // the read came first: it still gets the bytes
    expect(store.keptBlobHandles).toBe(0);

    await store.saveHead(URL_A, v1, SEGMENT);
    await store.putSegment(URL_A, 0, bytes(8, 1), v1);
    const [, replaced] = await Promise.all([store.getSegments(URL_A, [0], v1), store.saveHead(URL_A, v2, SEGMENT)]);
    expect(replaced.validator).toEqual(v2.validator);
    expect(store.keptBlobHandles).toBe(0);
    await store.putSegment(URL_A, 0, bytes(8, 2), v2);
    const fresh = (await store.getSegments(URL_A, [0], v2)).get(0)!;
    expect(new Uint8Array(await fresh.arrayBuffer())).toEqual(new Uint8Array(8).fill(2));
    expect(store.keptBlobHandles).toBe(1);
  });

  it('clears every file, segment and kept handle at once, telling its listeners each URL', async () => {
    const store = freshStore();
    const URL_B = 'https://example.test/media/b.mp4';
    for (const url of [URL_A, URL_B]) {
      await store.saveHead(url, v1, SEGMENT);
      await store.putSegment(url, 0, bytes(8, 1), v1);
      await store.getSegments(url, [0], v1);
    }
    expect(store.keptBlobHandles).toBe(2);
    const told: string[] = [];
    store.onChange((url) => told.push(url));
    expect((await store.clear()).sort()).toEqual([URL_A, URL_B].sort());
    expect(await store.listFiles()).toEqual([]);
    expect((await store.getSegments(URL_A, [0])).size).toBe(0);
    expect(store.keptBlobHandles).toBe(0);
    expect(told.sort()).toEqual([URL_A, URL_B].sort());
    const db = await store.database.connection();
    expect([await db.count('files'), await db.count('segments')], 'nothing left in the database').toEqual([0, 0]);
  });

  it('keeps the latest origin headers of the same version, its segments untouched', async () => {
    const store = freshStore();
    await store.saveHead(URL_A, v1, SEGMENT);
    await store.putSegment(URL_A, 0, bytes(8, 1), v1);
    const csp = { 'Content-Security-Policy': "default-src 'none'" };
    expect((await store.saveHead(URL_A, { ...v1, headers: csp }, SEGMENT)).headers).toEqual(csp);
    const after = await store.getFile(URL_A);
    expect(after?.headers).toEqual(csp);
    expect(storedOf(after), 'the same version keeps its segments').toEqual([0]);
    expect((await store.saveHead(URL_A, v1, SEGMENT)).headers, 'none any more').toBeUndefined();
  });

  it('deletes a file only while it is still the version asked for', async () => {
    const store = freshStore();
    const first = await store.saveHead(URL_A, v1, SEGMENT);
    await new Promise((resolve) => setTimeout(resolve, 2));
    await store.saveHead(URL_A, v2, SEGMENT);
    expect(await store.deleteFile(URL_A, first.createdAt), 'another version is stored by now').toBe(false);
    expect((await store.getFile(URL_A))?.validator).toEqual(v2.validator);
    const current = (await store.getFile(URL_A))!;
    expect(await store.deleteFile(URL_A, current.createdAt)).toBe(true);
    expect(await store.getFile(URL_A)).toBeUndefined();
  });

  it('notes a confirmation of the stored version, and none for a file replaced since', async () => {
    const store = freshStore();
    const first = await store.saveHead(URL_A, v1, SEGMENT);
    await store.markValidated(URL_A, first.createdAt, 1234);
    expect((await store.getFile(URL_A))?.validatedAt).toBe(1234);
    await new Promise((resolve) => setTimeout(resolve, 2));
    const second = await store.saveHead(URL_A, v2, SEGMENT);
    await store.markValidated(URL_A, first.createdAt, 5678);
    expect((await store.getFile(URL_A))?.validatedAt, 'the old version’s confirmation is not the new one’s').toBeUndefined();
    expect(second.createdAt).toBeGreaterThan(first.createdAt);
  });

  it('writes through to the database: a second store on the same database sees every change', async () => {
    dbCounter += 1;
    const name = `segment-store-test-${dbCounter}`;
    const first = new SegmentStore(name);
    await first.saveHead(URL_A, v1, SEGMENT);
    await first.putSegment(URL_A, 0, bytes(8, 3), v1);
    const second = new SegmentStore(name);
    expect(storedOf((await second.getFile(URL_A)))).toEqual([0]);
    expect((await second.getSegments(URL_A, [0], v1)).size).toBe(1);
    await second.deleteFile(URL_A);
    expect(await new SegmentStore(name).getFile(URL_A)).toBeUndefined();
  });
});

function storedOf(file: FileRecord | undefined): number[] | undefined {
  return file && storedSegmentIndices(file.segmentBitmap);
}
