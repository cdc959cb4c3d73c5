import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { DownloadStore } from './DownloadStore.js';
import { MEDIA_DB_VERSION } from './schema.js';
import { SegmentStore } from './SegmentStore.js';
import { storedSegmentIndices } from './segmentBitmap.js';

// Pure store logic against fake-indexeddb: the upgrade path keeps what an older worker stored.
describe('openMediaDB upgrade', () => {
  it('upgrades a version-1 database to the current version, keeping files and segments', async () => {
    const name = 'upgrade-from-v1';
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        const files = db.createObjectStore('files', { keyPath: 'url' });
        files.createIndex('byLastAccess', 'lastAccessAt');
        db.createObjectStore('segments', { keyPath: ['url', 'index'] });
      },
    });
    const url = 'https://example.test/media/old.mp4';
    await v1.put('files', {
      url,
      sizeBytes: 8,
      validator: { etag: '"old"' },
      contentType: 'video/mp4',
      segmentSizeBytes: 8,
      storedSegments: [0],
      storedBytes: 8,
      createdAt: 1,
      lastAccessAt: 1,
    });
    await v1.put('segments', { url, index: 0, sizeBytes: 8, blob: new Blob([new Uint8Array(8).fill(7)]) });
    v1.close();

    const store = new SegmentStore(name);
    const file = await store.getFile(url);
    expect(storedSegmentIndices(file!.segmentBitmap)).toEqual([0]);
    const blobs = await store.getSegments(url, [0], { sizeBytes: 8, validator: { etag: '"old"' }, contentType: 'video/mp4' });
    expect(new Uint8Array(await blobs.get(0)!.arrayBuffer())).toEqual(new Uint8Array(8).fill(7));
    const downloads = new DownloadStore(store.database);
    expect(await downloads.list()).toEqual([]);
    const db = await store.database.connection();
    expect(db.version).toBe(MEDIA_DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['downloads', 'files', 'segments']);
  });

  it('upgrades a version-2 database: the list of stored segments becomes a bitmap, gaps and downloads kept', async () => {
    const name = 'upgrade-from-v2';
    const v2 = await openDB(name, 2, {
      upgrade(db) {
        const files = db.createObjectStore('files', { keyPath: 'url' });
        files.createIndex('byLastAccess', 'lastAccessAt');
        db.createObjectStore('segments', { keyPath: ['url', 'index'] });
        db.createObjectStore('downloads', { keyPath: 'url' });
      },
    });
    const head = { validator: { etag: '"v2"' }, contentType: 'video/mp4', segmentSizeBytes: 4, storedBytes: 0, createdAt: 1, lastAccessAt: 1 };
    const gappy = 'https://example.test/media/gappy.mp4';
    const empty = 'https://example.test/media/empty.mp4';
    // 10 segments (the last one short); 3 of them stored, and one index an old bug could have left past the end.
    // Its count of stored bytes is off too (the index past the end counted): 4 + 4 + 2 is right.
    await v2.put('files', { url: gappy, sizeBytes: 38, storedSegments: [0, 2, 9, 12], ...head, storedBytes: 14 });
    await v2.put('files', { url: empty, sizeBytes: 0, storedSegments: [], ...head });
    // A record without its list (hand-edited or half-written) upgrades as one with nothing stored.
    const listless = 'https://example.test/media/listless.mp4';
    await v2.put('files', { url: listless, sizeBytes: 8, ...head, storedBytes: 8 });
    await v2.put('downloads', { url: gappy, state: 'paused', requestedAt: 1, updatedAt: 1 });
    v2.close();

    const store = new SegmentStore(name);
    const file = await store.getFile(gappy);
    expect(file).not.toHaveProperty('storedSegments');
    expect(file?.segmentBitmap).toBeInstanceOf(Uint8Array);
    expect(file?.segmentBitmap.length).toBe(2);
    expect(storedSegmentIndices(file!.segmentBitmap)).toEqual([0, 2, 9]);
    expect(file).toMatchObject({ sizeBytes: 38, storedBytes: 10, validator: { etag: '"v2"' } });
    expect(storedSegmentIndices((await store.getFile(empty))!.segmentBitmap)).toEqual([]);
    const upgradedListless = await store.getFile(listless);
    expect(storedSegmentIndices(upgradedListless!.segmentBitmap)).toEqual([]);
    expect(upgradedListless).toMatchObject({ storedBytes: 0 });
    expect(await new DownloadStore(store.database).get(gappy)).toMatchObject({ state: 'paused' });
    // The upgraded record takes new segments like any other.
    expect(await store.putSegment(gappy, 1, new Blob([new Uint8Array(4)]), { sizeBytes: 38, validator: { etag: '"v2"' }, contentType: 'video/mp4' })).toBe(true);
    expect(storedSegmentIndices((await new SegmentStore(name).getFile(gappy))!.segmentBitmap)).toEqual([0, 1, 2, 9]);
  });

  it('keeps download records across connections and pins their files', async () => {
    const name = 'downloads-persist';
    const downloads = new DownloadStore(name);
    await downloads.put({ url: 'https://example.test/a', state: 'paused', requestedAt: 1, updatedAt: 2 });
    const reopened = new DownloadStore(name);
    expect(await reopened.get('https://example.test/a')).toMatchObject({ state: 'paused' });
    expect(await reopened.isPinned('https://example.test/a')).toBe(true);
    await reopened.delete('https://example.test/a');
    expect(await new DownloadStore(name).isPinned('https://example.test/a')).toBe(false);
  });
});
