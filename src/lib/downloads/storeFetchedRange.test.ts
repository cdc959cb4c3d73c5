import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { CacheBudget } from '../cache/CacheBudget.js';
import { DownloadStore } from '../store/DownloadStore.js';
import { MediaDatabase } from '../store/MediaDatabase.js';
import { SegmentStore, type FileHead } from '../store/SegmentStore.js';
import { storeFetchedRange } from './storeFetchedRange.js';
import { storedSegmentIndices } from '../store/segmentBitmap.js';

// Storing a response fetched outside the worker (a background fetch record), over fake-indexeddb.
const SEGMENT = 8;
const SIZE = 36; // segments 0..4, the last one 4 bytes
const URL_A = 'https://lectures.test/media/a.bin';
const head: FileHead = { sizeBytes: SIZE, validator: { etag: '"v1"' }, contentType: 'video/mp4' };
const bytes = Uint8Array.from({ length: SIZE }, (_, index) => index);
let counter = 0;

async function setup(stored: number[] = []) {
  counter += 1;
  const database = new MediaDatabase(`fetched-range-${counter}`);
  const store = new SegmentStore(database);
  const budget = new CacheBudget(store, new DownloadStore(database), { fraction: 0.5, estimate: async () => ({ usageBytes: 0, quotaBytes: 0 }) });
  await store.saveHead(URL_A, head, SEGMENT);
  for (const index of stored) await store.putSegment(URL_A, index, new Blob([bytes.subarray(index * SEGMENT, Math.min(SIZE, (index + 1) * SEGMENT))]), head);
  return { store, budget, file: async () => (await store.getFile(URL_A))! };
}

function partial(start: number, end: number, headers: Record<string, string> = {}, body = bytes.subarray(start, end + 1)): Response {
  return new Response(body, {
    status: 206,
    headers: { 'Content-Range': `bytes ${start}-${end}/${SIZE}`, ETag: '"v1"', 'Content-Type': 'video/mp4', ...headers },
  });
}

async function storedBytes(store: SegmentStore, index: number): Promise<number[]> {
  const blob = (await store.getSegments(URL_A, [index])).get(index)!;
  return [...new Uint8Array(await blob.arrayBuffer())];
}

describe('storeFetchedRange', () => {
  it('stores the whole segments of a 206 (the last one short), skipping those already stored', async () => {
    const { store, budget, file } = await setup([2]);
    expect(await storeFetchedRange(budget, await file(), { url: URL_A, start: 8 }, partial(8, SIZE - 1))).toEqual({ storedSegments: 3 });
    expect(storedSegmentIndices((await file()).segmentBitmap)).toEqual([1, 2, 3, 4]);
    expect(await storedBytes(store, 1)).toEqual([...bytes.subarray(8, 16)]);
    expect(await storedBytes(store, 4)).toEqual([...bytes.subarray(32, 36)]);
  });

  it('leaves out partial segments at either end of the body', async () => {
    const { budget, file } = await setup();
    expect(await storeFetchedRange(budget, await file(), { url: URL_A, start: 4 }, partial(4, 27))).toEqual({ storedSegments: 2 });
    expect(storedSegmentIndices((await file()).segmentBitmap)).toEqual([1, 2]);
  });

  it('uses a 200 with the whole file', async () => {
    const { budget, file } = await setup();
    const whole = new Response(bytes, { status: 200, headers: { ETag: '"v1"', 'Content-Length': String(SIZE) } });
    expect(await storeFetchedRange(budget, await file(), { url: URL_A, start: 8 }, whole)).toEqual({ storedSegments: 5 });
  });

  it('stores nothing of another version, a range that starts elsewhere, a short body, or an unusable answer', async () => {
    const { budget, file } = await setup();
    const cases: Array<[Response, string]> = [
      [partial(8, 15, { ETag: '"v2"' }), 'version-changed'],
      [partial(8, 15), 'upstream-range-mismatch'],
      [partial(8, 15, {}, bytes.subarray(8, 12)), 'length-mismatch'],
      [partial(8, 15, { 'Cache-Control': 'no-store' }), 'not-storable'],
      [new Response('gone', { status: 503 }), 'status 503'],
      [partial(8, 15, { 'Content-Type': 'text/html' }), 'not-media'],
    ];
    const starts = [8, 0, 8, 8, 8, 8];
    for (const [index, [response, reason]] of cases.entries()) {
      expect(await storeFetchedRange(budget, await file(), { url: URL_A, start: starts[index]! }, response)).toEqual({ storedSegments: 0, rejected: reason });
    }
    expect(storedSegmentIndices((await file()).segmentBitmap)).toEqual([]);
  });
});
