import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MediaDatabase } from '../store/MediaDatabase.js';
import { SegmentStore } from '../store/SegmentStore.js';
import { storedSegmentIndices } from '../store/segmentBitmap.js';
import { RangeCache } from './RangeCache.js';
import { rangeAnswer } from '../../../test/rangeAnswer.js';

// Where IndexedDB refuses Blob values (modelled as in segmentValues.test.ts), over fake-indexeddb
// and an upstream that answers Range requests for a 40-byte file in 8-byte segments.
const URL_A = 'https://media.test/media/a.bin';
const FILE = Uint8Array.from({ length: 40 }, (_, i) => (i * 13) & 255);
const config = { segmentSizeBytes: 8, rangeWriteBytes: 8, fullWriteBytes: 8, readAheadBytes: 8, fetchWindowBytes: 16, maxFetchWindowBytes: 16 };
let dbCounter = 0;
let asked: Request[] = [];
let online = true;


beforeEach(() => {
  asked = [];
  online = true;
  vi.spyOn(console, 'debug').mockImplementation(() => undefined);
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    asked.push(request);
    if (!online) throw new TypeError('Failed to fetch');
    return rangeAnswer(FILE, request);
  });
  const put = IDBObjectStore.prototype.put;
  vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    if (value && typeof value === 'object' && (value as { blob?: unknown }).blob instanceof Blob) {
      throw new DOMException('Error preparing Blob/File data to be stored in object store', 'UnknownError');
    }
    return put.call(this, value, key);
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

async function read(cache: RangeCache, range: string): Promise<Uint8Array> {
  const response = await cache.handle(new Request(URL_A, { headers: { Range: range } }));
  return new Uint8Array(await response.arrayBuffer());
}

describe('RangeCache where segments are ArrayBuffers', () => {
  it('stores what it streams, answers from storage alone exactly, long and short, and checks the origin behind a long answer', async () => {
    dbCounter += 1;
    const store = new SegmentStore(new MediaDatabase(`buffer-values-test-${dbCounter}`));
    const cache = new RangeCache({ config, store, lendChunks: false, memory: { deviceMemoryGiB: 8 }, revalidateAfterMs: 0 });
    expect(await read(cache, 'bytes=0-')).toEqual(FILE);
    await vi.waitFor(async () => expect(storedSegmentIndices((await store.getFile(URL_A))!.segmentBitmap)).toEqual([0, 1, 2, 3, 4]));
    expect(await store.segmentValueKind()).toBe('buffer');

    online = false;
    asked = [];
    // Five segments: more than are held in memory at once, so streamed from storage.
    expect(await read(cache, 'bytes=0-')).toEqual(FILE);
    expect(await read(cache, 'bytes=3-20')).toEqual(FILE.slice(3, 21));
    expect(await read(cache, 'bytes=30-31')).toEqual(FILE.slice(30, 32));
    // The only upstream requests are the revalidation's first byte, which fails offline.
    await vi.waitFor(() => expect(asked.length).toBeGreaterThan(0));
    expect(asked.every((request) => request.headers.get('Range') === 'bytes=0-0')).toBe(true);
  });
});
