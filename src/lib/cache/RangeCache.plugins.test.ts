import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MediaCachePlugin } from '../plugins/MediaCachePlugin.js';
import { MediaDatabase } from '../store/MediaDatabase.js';
import { SegmentStore } from '../store/SegmentStore.js';
import { storedSegmentIndices } from '../store/segmentBitmap.js';
import { RangeCache } from './RangeCache.js';
import { rangeAnswer } from '../../../test/rangeAnswer.js';

// The plugins' lifecycle callbacks against the real engine, over fake-indexeddb and an upstream
// that answers Range requests for a 20-byte file in 8-byte segments.
const URL_A = 'https://media.test/media/a.bin';
const FILE = Uint8Array.from({ length: 20 }, (_, i) => i * 7);
const config = { segmentSizeBytes: 8, rangeWriteBytes: 8, fullWriteBytes: 8, readAheadBytes: 8, fetchWindowBytes: 8, maxFetchWindowBytes: 16 };

let upstream: (request: Request) => Promise<Response>;
let dbCounter = 0;


beforeEach(() => {
  vi.spyOn(console, 'debug').mockImplementation(() => undefined);
  upstream = async (request) => rangeAnswer(FILE, request);
  vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => upstream(new Request(input, init)));
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function cacheWith(plugins: MediaCachePlugin[]): { cache: RangeCache; store: SegmentStore } {
  dbCounter += 1;
  const store = new SegmentStore(new MediaDatabase(`plugins-test-${dbCounter}`));
  // Chunks not lent: Node's arrayBuffer() keeps the chunks it reads instead of copying them.
  return { cache: new RangeCache({ config, store, plugins, lendChunks: false, memory: { deviceMemoryGiB: 8 } }), store };
}

async function settle(cache: RangeCache): Promise<void> {
  const deadline = Date.now() + 5000;
  while (cache.fetcher.activeCount > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
}

async function read(cache: RangeCache, range: string): Promise<Uint8Array> {
  const response = await cache.handle(new Request(URL_A, { headers: { Range: range } }));
  return new Uint8Array(await response.arrayBuffer());
}

describe('RangeCache plugins', () => {
  it('tells segmentDidStore of each segment stored, with its size', async () => {
    const stored: Array<{ url: string; index: number; sizeBytes: number }> = [];
    const { cache, store } = cacheWith([{ segmentDidStore: (param) => void stored.push(param) }]);
    expect(await read(cache, 'bytes=0-')).toEqual(FILE);
    await settle(cache);
    await vi.waitFor(() => expect(stored.map((s) => s.index).sort()).toEqual([0, 1, 2]));
    expect(stored.find((s) => s.index === 2)).toEqual({ url: URL_A, index: 2, sizeBytes: 4 });
    expect(storedSegmentIndices((await store.getFile(URL_A))!.segmentBitmap)).toEqual([0, 1, 2]);
  });

  it('stores nothing that segmentWillBeStored refuses, and still answers from the network', async () => {
    const asked: number[] = [];
    const { cache, store } = cacheWith([{ segmentWillBeStored: ({ index }) => (asked.push(index), index !== 1) }]);
    expect(await read(cache, 'bytes=0-')).toEqual(FILE);
    await settle(cache);
    await vi.waitFor(() => expect(asked.sort()).toEqual([0, 1, 2]));
    await vi.waitFor(async () => expect(storedSegmentIndices((await store.getFile(URL_A))!.segmentBitmap)).toEqual([0, 2]));
  });

  it('tells fetchDidFail and handlerDidError when the upstream fails, and answers a network error', async () => {
    upstream = async () => {
      throw new TypeError('Failed to fetch');
    };
    const failed: string[] = [];
    const errors: string[] = [];
    const { cache } = cacheWith([{ fetchDidFail: ({ url, error }) => void failed.push(`${url} ${error.code}`), handlerDidError: ({ request }) => void errors.push(request.url) }]);
    const response = await cache.handle(new Request(URL_A, { headers: { Range: 'bytes=0-3' } }));
    expect(response.type).toBe('error');
    expect(failed).toEqual([`${URL_A} upstream-failed`]);
    expect(errors).toEqual([URL_A]);
  });

  it('goes on when a plugin throws or rejects', async () => {
    const { cache, store } = cacheWith([
      {
        segmentWillBeStored: () => {
          throw new Error('plugin bug');
        },
        segmentDidStore: () => Promise.reject(new Error('plugin bug')),
      },
    ]);
    expect(await read(cache, 'bytes=0-')).toEqual(FILE);
    await settle(cache);
    await vi.waitFor(async () => expect(storedSegmentIndices((await store.getFile(URL_A))!.segmentBitmap)).toEqual([0, 1, 2]));
  });
});
