/**
 * Stored data stays trustworthy when the worker or the store misbehaves: a segment record of the
 * wrong size (a truncated write, a corrupted disk) is never served and is fetched again; the worker
 * stopped mid-stream (CDP `ServiceWorker.stopAllWorkers`, what Chromium's lifetime cut does) ends
 * the reader's body cleanly, the reader's retry resumes, and what got stored is exact; a playing
 * `<video>` whose worker is stopped keeps playing and seeking.
 */
import type { Page } from '@playwright/test';
import { expect, figure, fetchInPage, readInPage, stopServiceWorkers, streamInPage, test, uniqueTag } from './fixtures';
import { mediaState, mountMedia, seekTo, waitForCurrentTime } from './media';
import { generatedSha256 } from './origin/content';
import { distMedia, fileSource } from './sources';
import { MiB, fileInfo } from './workerClient';

const SEGMENT = 512 * 1024;

/** Waits until every segment of `url` is stored. */
async function waitWhole(page: Page, url: string, timeoutMs = 30_000): Promise<void> {
  await expect
    .poll(async () => {
      const file = await fileInfo(page, url);
      return file ? file.storedSegments.length === file.segmentCount : false;
    }, { timeout: timeoutMs, message: `all segments of ${url} stored` })
    .toBe(true);
}

/** Rewrites the stored record of segment `index` in the page (same origin, same database as the worker). */
async function tamperWithSegment(page: Page, url: string, index: number, change: 'truncate' | 'delete'): Promise<{ before: number; after: number | null }> {
  return page.evaluate(
    async ({ url, index, change }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('media-range-cache');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      try {
        const tx = db.transaction('segments', 'readwrite');
        const store = tx.objectStore('segments');
        const record = await new Promise<{ blob: Blob; sizeBytes: number } & Record<string, unknown>>((resolve, reject) => {
          const get = store.get([url, index]);
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        });
        const before = record.blob.size;
        if (change === 'delete') store.delete([url, index]);
        else store.put({ ...record, blob: record.blob.slice(0, 1000) });
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        return { before, after: change === 'delete' ? null : 1000 };
      } finally {
        db.close();
      }
    },
    { url, index, change },
  );
}

async function segmentBlobSize(page: Page, url: string, index: number): Promise<number | undefined> {
  return page.evaluate(
    async ({ url, index }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('media-range-cache');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      try {
        const record = await new Promise<{ blob: Blob } | undefined>((resolve, reject) => {
          const get = db.transaction('segments').objectStore('segments').get([url, index]);
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        });
        return record?.blob.size;
      } finally {
        db.close();
      }
    },
    { url, index },
  );
}

test.describe('integrity of stored data', () => {
  for (const change of ['truncate', 'delete'] as const) {
    test(`a segment record ${change === 'truncate' ? 'of the wrong size' : 'gone missing'} is never served: it is fetched again, exact, and stored again`, async ({ swPage: page, context, origin }) => {
      const size = 4 * MiB;
      const path = `/media/gen/tamper-${change}-${uniqueTag()}.bin?size=${size}`;
      const url = new URL(path, origin.url).href;
      const cold = await readInPage(page, path, { maxBodyBytes: 0 });
      expect(cold.error).toBeNull();
      await waitWhole(page, url);

      const tampered = await tamperWithSegment(page, url, 3, change);
      expect(tampered.before).toBe(SEGMENT);
      const requestsBefore = (await origin.requestsFor(path)).length;

      // Offline, the damaged segment cannot be served: the read fails rather than return wrong bytes.
      await context.setOffline(true);
      const offline = await readInPage(page, path, { range: `bytes=${3 * SEGMENT}-${4 * SEGMENT - 1}`, maxBodyBytes: 0 });
      expect(offline.error !== null || offline.sha256 === generatedSha256(3 * SEGMENT, 4 * SEGMENT), `offline read of the damaged segment: ${JSON.stringify(offline)}`).toBe(true);
      expect(offline.error, 'offline, nothing can replace the damaged segment').not.toBeNull();
      // Its neighbours are intact and still served offline.
      const neighbour = await readInPage(page, path, { range: `bytes=${2 * SEGMENT}-${3 * SEGMENT - 1}`, maxBodyBytes: 0 });
      expect(neighbour.sha256).toBe(generatedSha256(2 * SEGMENT, 3 * SEGMENT));
      await context.setOffline(false);

      // Online: exact bytes, fetched from the origin again (the segment, not the file).
      const across = await fetchInPage(page, path, { range: `bytes=${3 * SEGMENT - 100}-${4 * SEGMENT + 99}`, maxBodyBytes: 0 });
      expect(across.status).toBe(206);
      expect(across.sha256, 'bytes across the damaged segment').toBe(generatedSha256(3 * SEGMENT - 100, 4 * SEGMENT + 100));
      const refetches = (await origin.requestsFor(path)).slice(requestsBefore);
      expect(refetches.length, 'origin requests after the damage').toBeGreaterThan(0);
      expect(refetches[0]!.range, 'the refetch starts at the damaged segment').toMatch(new RegExp(`^bytes=${3 * SEGMENT}-`));
      const refetched = refetches.reduce((sum, record) => sum + record.bytesSent, 0);
      expect(refetched, 'bytes refetched').toBeLessThan(size);
      await expect.poll(() => segmentBlobSize(page, url, 3), { message: 'segment 3 stored again' }).toBe(SEGMENT);
      figure(`segment record ${change === 'truncate' ? 'truncated to 1000 bytes' : 'deleted'}: offline read of it failed (${offline.error?.slice(0, 40)}), online it was refetched from byte ${3 * SEGMENT} (${refetched} bytes) and stored again`);

      await context.setOffline(true);
      const whole = await readInPage(page, path, { maxBodyBytes: 0 });
      expect(whole.sha256, 'the whole file offline after the repair').toBe(generatedSha256(0, size));
    });
  }

  test('the worker stopped mid-stream: the body ends in an error (never wrong bytes), the retry resumes, and what got stored is exact', async ({ swPage: page, context, origin }) => {
    const size = 16 * MiB;
    const path = `/media/gen/stopped-${uniqueTag()}.bin?size=${size}&trickle=3000000`;
    const url = new URL(path, origin.url).href;
    const reading = streamInPage(page, path, { range: 'bytes=0-', timeoutMs: 60_000 });
    await expect.poll(async () => (await fileInfo(page, url))?.storedBytes ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(2 * MiB);
    await stopServiceWorkers(page);
    const cut = await reading;
    expect(cut.outcome, `the read across the stop: ${JSON.stringify(cut)}`).toBe('error');
    expect(cut.bytes).toBeLessThan(size);

    // The player's retry: the rest of the file, from where the body stopped.
    const retry = await readInPage(page, path, { range: `bytes=${cut.bytes}-`, maxBodyBytes: 0 });
    expect(retry.error, 'retry after the stop').toBeNull();
    expect(retry.status).toBe(206);
    expect(retry.sha256, 'bytes of the retry').toBe(generatedSha256(cut.bytes, size));
    // What got stored (a write that times out on a loaded machine is skipped, not half-done) is exact.
    // The 2 MiB stored before the stop stay stored (the retry's writes may still be landing).
    await expect
      .poll(async () => (await fileInfo(page, url))?.storedBytes ?? 0, { message: 'bytes stored across the stop and the retry' })
      .toBeGreaterThanOrEqual(2 * MiB);
    const stored = await fileInfo(page, url);
    const sent = await origin.bytesFor(path);
    figure(`worker stopped after ${(cut.bytes / MiB).toFixed(2)} MiB of a 16 MiB read: the body errored (${cut.error?.slice(0, 40)}) ${cut.endedAtMs - cut.lastChunkAtMs} ms after its last chunk; the retry read the rest exactly; origin sent ${(sent / size).toFixed(3)}× the file`);

    await context.setOffline(true);
    for (const index of stored!.storedSegments) {
      const start = index * SEGMENT;
      const end = Math.min(size, start + SEGMENT);
      const offline = await readInPage(page, path, { range: `bytes=${start}-${end - 1}`, maxBodyBytes: 0 });
      expect(offline.sha256, `stored segment ${index}, offline`).toBe(generatedSha256(start, end));
    }
    figure(`after the stop and the retry: ${stored!.storedSegments.length} of ${stored!.segmentCount} segments stored, each exact offline`);
  });

  test('a playing <video> whose worker is stopped twice keeps playing and seeking; what got stored replays offline exactly', async ({ swPage: page, context }) => {
    const [video] = distMedia('.mp4');
    expect(video, 'a committed .mp4 in dist/media').toBeDefined();
    const src = `${video!.url}?stopped=${uniqueTag()}`;
    await mountMedia(page, 'video', src);
    await waitForCurrentTime(page, 2);
    await stopServiceWorkers(page);
    await seekTo(page, 100);
    await waitForCurrentTime(page, 102);
    await stopServiceWorkers(page);
    await seekTo(page, 40);
    await waitForCurrentTime(page, 42);
    const state = await mediaState(page);
    expect(state.errorCode, `media state: ${JSON.stringify(state)}`).toBeNull();

    // Every stored segment holds the file's bytes.
    const url = new URL(src, page.url()).href;
    const file = await fileInfo(page, url);
    expect(file, 'the video was stored as it played').toBeDefined();
    const source = fileSource(video!.path);
    await context.setOffline(true);
    for (const index of file!.storedSegments) {
      const start = index * file!.segmentSizeBytes;
      const end = Math.min(file!.sizeBytes, start + file!.segmentSizeBytes);
      const stored = await fetchInPage(page, src, { range: `bytes=${start}-${end - 1}`, maxBodyBytes: 0 });
      expect(stored.sha256, `stored segment ${index}`).toBe(source.sha256(start, end));
    }
    figure(`<video> with its worker stopped twice mid-playback: played on after seeks to 100 s and 40 s; ${file!.storedSegments.length} of ${file!.segmentCount} segments stored, each exact offline`);
  });
});
