/**
 * Stored files are checked against their origin, at most once per interval (an hour by default),
 * in the background of a read from storage, never delaying it. To make a check due without
 * waiting an hour, a test writes an old `validatedAt` into the file's record and stops the worker,
 * so that the next worker reads the record from IndexedDB. The origin's gate holds the check back
 * to show that the read does not wait for it.
 */
import type { Page } from '@playwright/test';
import { expect, fetchInPage, stopServiceWorkers, test, uniqueTag, type Origin } from './fixtures';
import { generatedSha256 } from './origin/content';
import { MiB, askWorker, cacheMetrics, fileInfo, recordCacheEvents, recordedEvents, waitForDownload, waitForStoredBytes, workerResult } from './workerClient';

/** Makes the file's last confirmation by the origin long ago, and restarts the worker so that it reads the record anew. */
async function makeCheckDue(page: Page, url: string): Promise<void> {
  await page.evaluate(async (url) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('media-range-cache');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      const tx = db.transaction('files', 'readwrite');
      const store = tx.objectStore('files');
      const record = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const get = store.get(url);
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      });
      store.put({ ...record, validatedAt: 1 });
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  }, url);
  await stopServiceWorkers(page);
}

/** The origin's requests for `path` that are the worker's checks (a one-byte If-Range request). */
async function checksOf(origin: Origin, path: string) {
  return (await origin.requestsFor(path)).filter((record) => record.range === 'bytes=0-0' && record.ifRange !== null);
}

test.describe('revalidation of stored files', () => {
  test('a cached file replaced on the origin: the read is served from storage at once, the check behind it purges the file, the next read is the new version', async ({ swPage: page, origin }) => {
    const size = 1 * MiB;
    const tag = uniqueTag();
    const pathname = `/media/gen/revalidated-${tag}.bin`;
    const path = `${pathname}?size=${size}&gate=${tag}`;
    const url = new URL(path, origin.url).href;
    expect((await fetchInPage(page, path, { maxBodyBytes: 0 })).sha256).toBe(generatedSha256(0, size, 1));
    await waitForStoredBytes(page, url, size);

    await origin.setVersion(pathname, 2);
    await origin.setGate(tag, false);
    try {
      await makeCheckDue(page, url);
      const read = await fetchInPage(page, path, { range: 'bytes=0-99' });
      expect(read.status).toBe(206);
      expect(read.sha256, 'the stored version, served while the check waits').toBe(generatedSha256(0, 100, 1));
      // The check reached the origin and waits at the gate: the read did not wait for it.
      await expect.poll(async () => (await checksOf(origin, path)).map((record) => record.finishedAt), { message: 'the pending check' }).toEqual([null]);
      expect((await checksOf(origin, path))[0]!.ifRange, 'If-Range: the stored ETag').toBe('"gen-1048576"');
    } finally {
      await origin.setGate(tag, true);
    }
    await expect.poll(async () => (await fileInfo(page, url)) === undefined, { message: 'the changed cached file purged' }).toBe(true);
    expect((await cacheMetrics(page)).revalidations).toMatchObject({ changed: 1 });
    expect((await fetchInPage(page, path, { maxBodyBytes: 0 })).sha256, 'the next read').toBe(generatedSha256(0, size, 2));
  });

  test('an unchanged file is confirmed once, and not checked again within the interval; while offline nothing is checked or changed', async ({ swPage: page, context, origin }) => {
    const size = 1 * MiB;
    const path = `/media/gen/confirmed-${uniqueTag()}.bin?size=${size}`;
    const url = new URL(path, origin.url).href;
    await fetchInPage(page, path, { maxBodyBytes: 0 });
    await waitForStoredBytes(page, url, size);

    // Offline: the read is served, nothing is checked, nothing changes.
    await makeCheckDue(page, url);
    await context.setOffline(true);
    try {
      expect((await fetchInPage(page, path, { range: 'bytes=0-99' })).sha256).toBe(generatedSha256(0, 100));
      const offline = (await cacheMetrics(page)).revalidations;
      expect(offline.current + offline.changed, 'nothing learned offline').toBe(0);
    } finally {
      await context.setOffline(false);
    }
    expect((await fileInfo(page, url))?.storedBytes, 'kept').toBe(size);
    expect(await checksOf(origin, path), 'no check reached the origin').toEqual([]);

    // Online again: a worker that did not try while offline (a check that got no answer is tried
    // again a minute later), and the file still due: one check, the version is current, the file stays.
    await stopServiceWorkers(page);
    expect((await fetchInPage(page, path, { range: 'bytes=100-199' })).sha256).toBe(generatedSha256(100, 200));
    await expect.poll(async () => (await cacheMetrics(page)).revalidations.current, { message: 'confirmed' }).toBe(1);
    expect((await checksOf(origin, path)).map((record) => record.status), 'the check: a 206 of one byte').toEqual([206]);
    for (const range of ['bytes=200-299', 'bytes=300-399']) await fetchInPage(page, path, { range });
    expect((await cacheMetrics(page)).revalidations.checked, 'not checked again within the interval').toBe(1);
    expect((await fileInfo(page, url))?.storedBytes).toBe(size);
  });

  test('a downloaded file replaced on the origin keeps playing, becomes outdated (event and list), and downloads anew as the new version', async ({ swPage: page, context, origin }) => {
    const size = 2 * MiB;
    const pathname = `/media/gen/outdated-${uniqueTag()}.bin`;
    const path = `${pathname}?size=${size}`;
    const url = new URL(path, origin.url).href;
    await workerResult(page, { type: 'download', url });
    await waitForDownload(page, url, ['complete']);

    await origin.setVersion(pathname, 2);
    await makeCheckDue(page, url);
    await recordCacheEvents(page);
    expect((await fetchInPage(page, path, { range: 'bytes=0-99' })).sha256, 'still the downloaded version').toBe(generatedSha256(0, 100, 1));
    await expect.poll(async () => (await fileInfo(page, url))?.download?.state, { message: 'the download in list()' }).toBe('outdated');
    await expect.poll(async () => (await recordedEvents(page, url)).map((event) => event.type), { message: 'events' }).toContain('file-outdated');
    const listed = await fileInfo(page, url);
    expect([listed?.pinned, listed?.storedBytes], 'kept whole, pinned').toEqual([true, size]);

    await context.setOffline(true);
    expect((await fetchInPage(page, path, { maxBodyBytes: 0 })).sha256, 'plays offline').toBe(generatedSha256(0, size, 1));
    await context.setOffline(false);

    // Downloading it again while the origin answers with a page: refused, and the outdated copy stays.
    await origin.setPortal(pathname, 'text/html; charset=utf-8');
    try {
      const refused = await askWorker(page, { type: 'download', url });
      expect(refused.ok, `download again, refused: ${JSON.stringify(refused)}`).toBe(false);
    } finally {
      await origin.setPortal(pathname, undefined);
    }
    const kept = await fileInfo(page, url);
    expect([kept?.download?.state, kept?.storedBytes], 'the outdated copy is kept whole').toEqual(['outdated', size]);
    expect((await fetchInPage(page, path, { range: 'bytes=0-99' })).sha256).toBe(generatedSha256(0, 100, 1));

    await workerResult(page, { type: 'download', url });
    await waitForDownload(page, url, ['complete']);
    await context.setOffline(true);
    expect((await fetchInPage(page, path, { maxBodyBytes: 0 })).sha256, 'downloaded again: the new version').toBe(generatedSha256(0, size, 2));
  });
});
