import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { isMediaCacheError, MediaCacheError } from '../errors/MediaCacheError.js';
import { DownloadStore } from '../store/DownloadStore.js';
import { MediaDatabase } from '../store/MediaDatabase.js';
import { SegmentStore, type FileHead } from '../store/SegmentStore.js';
import { CacheBudget } from './CacheBudget.js';
import { storedSegmentIndices } from '../store/segmentBitmap.js';

// Eviction policy over fake-indexeddb (pure store logic); the quota itself is the test's number.
const SEGMENT = 8;
const head: FileHead = { sizeBytes: 16, validator: { etag: '"x"' }, contentType: 'video/mp4' };
let counter = 0;

async function setup(quotaBytes: number) {
  counter += 1;
  const database = new MediaDatabase(`budget-test-${counter}`);
  const store = new SegmentStore(database);
  const downloads = new DownloadStore(database);
  const budget = new CacheBudget(store, downloads, { fraction: 0.5, estimate: async () => ({ usageBytes: 0, quotaBytes }) });
  const addFile = async (url: string, lastAccessAt: number) => {
    await store.saveHead(url, head, SEGMENT);
    await store.putSegment(url, 0, new Blob([new Uint8Array(8)]), head);
    await store.putSegment(url, 1, new Blob([new Uint8Array(8)]), head);
    const db = await database.connection();
    const file = (await db.get('files', url))!;
    await db.put('files', { ...file, lastAccessAt });
  };
  return { store, downloads, budget, addFile };
}

describe('CacheBudget', () => {
  it('evicts cache-only files least recently used first until the cache fits, never pinned ones', async () => {
    const { store, downloads, budget, addFile } = await setup(64); // budget: 32 bytes = 2 files
    await addFile('https://a.test/pinned', 1);
    await downloads.put({ url: 'https://a.test/pinned', state: 'complete', requestedAt: 1, updatedAt: 1 });
    await addFile('https://a.test/old', 2);
    await addFile('https://a.test/mid', 3);
    await addFile('https://a.test/new', 4);
    const fresh = new SegmentStore(store.database.name); // the eviction order reads last access from the database
    const rebuilt = new CacheBudget(fresh, downloads, { fraction: 0.5, estimate: async () => ({ usageBytes: 0, quotaBytes: 64 }) });
    expect(await rebuilt.usage()).toEqual({ pinnedBytes: 16, cacheBytes: 48 });
    expect(await rebuilt.enforce()).toEqual(['https://a.test/old']);
    expect((await fresh.listFiles()).map((file) => file.url).sort()).toEqual(['https://a.test/mid', 'https://a.test/new', 'https://a.test/pinned']);
    expect(await budget.budgetBytes()).toBe(32);
  });

  it('makes room on a quota error and retries the write once', async () => {
    const { store, budget, addFile } = await setup(1000);
    await addFile('https://a.test/victim', 1);
    await store.saveHead('https://a.test/new', head, SEGMENT);
    let failures = 1;
    const original = store.putSegment.bind(store);
    store.putSegment = async (...args) => {
      if (failures-- > 0) throw new MediaCacheError('quota-exceeded', {});
      return original(...args);
    };
    expect(await budget.storeSegment('https://a.test/new', 0, new Blob([new Uint8Array(8)]), head)).toBe(true);
    expect(await store.getFile('https://a.test/victim')).toBeUndefined();
  });

  it('gives up with quota-exceeded when nothing can be evicted, leaving stored data intact', async () => {
    const { store, downloads, budget, addFile } = await setup(1000);
    await addFile('https://a.test/pinned', 1);
    await downloads.put({ url: 'https://a.test/pinned', state: 'complete', requestedAt: 1, updatedAt: 1 });
    store.putSegment = async () => {
      throw new MediaCacheError('quota-exceeded', {});
    };
    const error = await budget.storeSegment('https://a.test/other', 0, new Blob([new Uint8Array(8)]), head).catch((e: unknown) => e);
    expect(isMediaCacheError(error, 'quota-exceeded')).toBe(true);
    expect(storedSegmentIndices((await store.getFile('https://a.test/pinned'))!.segmentBitmap)).toEqual([0, 1]);
  });

  it('caps the budget at maxBytes when the quota share is larger', async () => {
    const { store, downloads } = await setup(0);
    const capped = new CacheBudget(store, downloads, { fraction: 0.5, maxBytes: 100, estimate: async () => ({ usageBytes: 0, quotaBytes: 10_000 }) });
    expect(await capped.budgetBytes()).toBe(100);
    const uncapped = new CacheBudget(store, downloads, { fraction: 0.5, estimate: async () => ({ usageBytes: 0, quotaBytes: 10_000 }) });
    expect(await uncapped.budgetBytes()).toBe(5000);
  });
});
