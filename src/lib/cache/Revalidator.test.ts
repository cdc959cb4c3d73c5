import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DownloadStore } from '../store/DownloadStore.js';
import { MediaDatabase } from '../store/MediaDatabase.js';
import { SegmentStore, type FileHead } from '../store/SegmentStore.js';
import { Revalidator } from './Revalidator.js';

// The decision logic against a scripted upstream and fake-indexeddb; the browser runs it in e2e/revalidation.spec.ts.
const URL_A = 'https://media.test/media/a.mp4';
const HEAD: FileHead = { sizeBytes: 1000, validator: { etag: '"v1"' }, contentType: 'video/mp4' };

let counter = 0;
async function setup(options: { pinned?: boolean; intervalMs?: number } = {}) {
  counter += 1;
  const database = new MediaDatabase(`revalidator-test-${counter}`);
  const store = new SegmentStore(database);
  const downloads = new DownloadStore(database);
  await store.saveHead(URL_A, HEAD, 512);
  if (options.pinned) await downloads.put({ url: URL_A, state: 'complete', requestedAt: 0, updatedAt: 0 });
  const purged: Array<[string, number]> = [];
  const outdated: string[] = [];
  const revalidator = new Revalidator({
    store,
    downloads,
    intervalMs: options.intervalMs ?? 1000,
    purge: async (key, createdAt) => void purged.push([key, createdAt]),
  });
  revalidator.onOutdated((key) => outdated.push(key));
  const file = async () => (await store.getFile(URL_A))!;
  return { store, revalidator, purged, outdated, file };
}

/** Stubs fetch with one scripted answer; records what was asked. */
function upstream(answer: () => Response | Promise<Response>): Request[] {
  const asked: Request[] = [];
  vi.stubGlobal('fetch', async (request: Request) => {
    asked.push(request);
    return answer();
  });
  return asked;
}

const partial = (headers: Record<string, string>) => new Response('x', { status: 206, headers: { 'Content-Range': 'bytes 0-0/1000', 'Content-Type': 'video/mp4', ...headers } });

afterEach(() => void vi.unstubAllGlobals());

describe('Revalidator', () => {
  it('asks for the first byte with If-Range, fresh and without the HTTP cache; the same version is current and noted', async () => {
    const { revalidator, file, purged, outdated } = await setup();
    const asked = upstream(() => partial({ ETag: '"v1"' }));
    const before = await file();
    expect(await revalidator.revalidate(URL_A, before)).toBe('current');
    expect(asked.map((r) => [r.url, r.headers.get('Range'), r.headers.get('If-Range'), r.cache])).toEqual([[URL_A, 'bytes=0-0', '"v1"', 'no-store']]);
    expect((await file()).validatedAt, 'noted as confirmed').toBeGreaterThanOrEqual(before.createdAt);
    expect([purged, outdated]).toEqual([[], []]);
    expect(revalidator.counts).toEqual({ checked: 1, current: 1, changed: 0, unknown: 0 });
  });

  it.each([
    ['a new ETag (If-Range failed: a 200 of the new version)', () => new Response('x'.repeat(1000), { headers: { ETag: '"v2"', 'Content-Length': '1000', 'Content-Type': 'video/mp4' } })],
    ['another size under the same ETag', () => partial({ 'Content-Range': 'bytes 0-0/2000', ETag: '"v1"' })],
  ])('purges a cached file whose origin has %s', async (_name, answer) => {
    const { revalidator, file, purged, outdated } = await setup();
    upstream(answer);
    const checked = await file();
    expect(await revalidator.revalidate(URL_A, checked)).toBe('changed');
    // The version checked: a newer one stored meanwhile is not purged.
    expect(purged).toEqual([[URL_A, checked.createdAt]]);
    expect(outdated).toEqual([]);
  });

  it('keeps a changed downloaded file and reports it outdated', async () => {
    const { revalidator, file, purged, outdated } = await setup({ pinned: true });
    upstream(() => partial({ ETag: '"v2"' }));
    expect(await revalidator.revalidate(URL_A, await file())).toBe('changed');
    expect(purged).toEqual([]);
    expect(outdated).toEqual([URL_A]);
  });

  it.each([
    ['a network error', () => Promise.reject(new TypeError('Failed to fetch'))],
    ['a 403 (an expired signature)', () => new Response('<Error/>', { status: 403, headers: { 'Content-Type': 'application/xml' } })],
    ['a 500', () => new Response('down', { status: 500 })],
    ['a login page in place of the file', () => new Response('<!doctype html>', { headers: { 'Content-Type': 'text/html', 'Content-Length': '15', ETag: '"p"' } })],
    ['an answer without a validator', () => partial({})],
  ])('changes nothing on %s', async (_name, answer) => {
    const { revalidator, file, purged, outdated } = await setup({ pinned: false });
    upstream(answer);
    const before = await file();
    expect(await revalidator.revalidate(URL_A, before)).toBe('unknown');
    expect([purged, outdated]).toEqual([[], []]);
    expect((await file()).validatedAt, 'not noted as confirmed').toBeUndefined();
    expect(revalidator.counts.unknown).toBe(1);
  });

  it('is due once the interval has passed since the record was made or last confirmed', async () => {
    const { revalidator, file } = await setup({ intervalMs: 1000 });
    const record = await file();
    expect(revalidator.isDue(record, record.createdAt + 999)).toBe(false);
    expect(revalidator.isDue(record, record.createdAt + 1000)).toBe(true);
    expect(revalidator.isDue({ ...record, validatedAt: record.createdAt + 5000 }, record.createdAt + 5999)).toBe(false);
  });

  it('checks a file at most once per interval whatever the answer; one that got no answer is tried again sooner', async () => {
    const { revalidator, file } = await setup({ intervalMs: 3_600_000 });
    const record = { ...(await file()), validatedAt: 0 };
    const answers: Array<() => Response | Promise<Response>> = [
      () => new Response('<Error/>', { status: 403, headers: { 'Content-Type': 'application/xml' } }),
      () => Promise.reject(new TypeError('Failed to fetch')),
    ];
    const asked = upstream(() => answers[asked.length - 1]!());
    expect(await revalidator.revalidate(URL_A, record)).toBe('unknown');
    expect(revalidator.isDue(record, Date.now() + 3_599_000), 'a refusal is an answer: not again within the interval').toBe(false);
    expect(revalidator.isDue(record, Date.now() + 3_601_000)).toBe(true);
    expect(await revalidator.revalidate(URL_A, record)).toBe('unknown');
    expect(revalidator.isDue(record, Date.now() + 30_000), 'no answer at all: not at once').toBe(false);
    expect(revalidator.isDue(record, Date.now() + 61_000), 'but after a minute').toBe(true);
  });

  it('starts one check at a time per file, only when due, and none while offline', async () => {
    const { revalidator, file } = await setup({ intervalMs: 1000 });
    let release!: () => void;
    const asked = upstream(() => new Promise<Response>((resolve) => (release = () => resolve(partial({ ETag: '"v1"' })))));
    const record = await file();
    revalidator.revalidateIfDue(URL_A, record, record.createdAt + 10);
    expect(asked.length, 'not due').toBe(0);
    revalidator.revalidateIfDue(URL_A, record, record.createdAt + 2000);
    revalidator.revalidateIfDue(URL_A, record, record.createdAt + 2000);
    await vi.waitFor(() => expect(asked.length).toBe(1));
    release();
    await vi.waitFor(() => expect(revalidator.counts.current).toBe(1));

    vi.stubGlobal('navigator', { onLine: false });
    revalidator.revalidateIfDue(URL_A, record, record.createdAt + 99_999);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(asked.length, 'offline: no check').toBe(1);
  });
});
