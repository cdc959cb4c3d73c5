import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { DownloadStore } from './DownloadStore.js';
import { MEDIA_DB_VERSION } from './schema.js';
import { SegmentStore } from './SegmentStore.js';

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
    expect(file?.storedSegments).toEqual([0]);
    const blobs = await store.getSegments(url, [0], { sizeBytes: 8, validator: { etag: '"old"' }, contentType: 'video/mp4' });
    expect(new Uint8Array(await blobs.get(0)!.arrayBuffer())).toEqual(new Uint8Array(8).fill(7));
    const downloads = new DownloadStore(store.database);
    expect(await downloads.list()).toEqual([]);
    const db = await store.database.connection();
    expect(db.version).toBe(MEDIA_DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['downloads', 'files', 'segments']);
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
