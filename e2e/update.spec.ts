/**
 * Worker updates keep what is stored. An older worker's database (schema version 1: files and
 * segments, no downloads) is upgraded in place by the current worker, and what it stored still
 * plays offline. A new worker replacing the running one (a new script URL for the same scope:
 * installed, `skipWaiting`, `clients.claim`) keeps every stored file and download, and a download
 * running across the update completes without fetching stored bytes again.
 */
import { expect, figure, openControlledPage, readInPage, test, uniqueTag } from './fixtures';
import { MEDIA_DB_VERSION } from '../src/lib/store/schema';
import { generatedBytes, generatedSha256 } from './origin/content';
import { generatedEtag } from './origin/server';
import { MiB, expectWhole, fileInfo, listFiles, waitForDownload, workerResult } from './workerClient';

const SEGMENT = 512 * 1024;

test.describe('worker updates', () => {
  test('a version-1 database written by an older worker is upgraded in the browser; its stored file plays offline', async ({ page, context, origin }) => {
    const size = 2 * MiB + 12_345;
    const path = `/media/gen/v1-${uniqueTag()}.bin?size=${size}`;
    const url = `${origin.url}${path}`;
    const segments = Math.ceil(size / SEGMENT);
    // A page of the origin without the app (no worker registered yet) writes what a version-1 worker would have.
    await page.goto('/__origin/stats');
    await page.evaluate(
      async ({ url, size, etag, segmentSizeBytes, segments }) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open('media-range-cache', 1);
          request.onupgradeneeded = () => {
            const files = request.result.createObjectStore('files', { keyPath: 'url' });
            files.createIndex('byLastAccess', 'lastAccessAt');
            request.result.createObjectStore('segments', { keyPath: ['url', 'index'] });
          };
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        const tx = db.transaction(['files', 'segments'], 'readwrite');
        tx.objectStore('files').put({
          url,
          sizeBytes: size,
          validator: { etag },
          contentType: 'application/octet-stream',
          segmentSizeBytes,
          storedSegments: segments.map((segment) => segment.index),
          storedBytes: size,
          createdAt: Date.now(),
          lastAccessAt: Date.now(),
        });
        for (const segment of segments) {
          const bytes = Uint8Array.from(atob(segment.base64), (c) => c.charCodeAt(0));
          tx.objectStore('segments').put({ url, index: segment.index, sizeBytes: bytes.length, blob: new Blob([bytes]) });
        }
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        db.close();
      },
      {
        url,
        size,
        etag: generatedEtag(size),
        segmentSizeBytes: SEGMENT,
        segments: Array.from({ length: segments }, (_, index) => ({
          index,
          base64: generatedBytes(index * SEGMENT, Math.min(size, (index + 1) * SEGMENT)).toString('base64'),
        })),
      },
    );

    await openControlledPage(page);
    const version = await page.evaluate(async () => (await indexedDB.databases()).find((db) => db.name === 'media-range-cache')?.version);
    const file = await fileInfo(page, url);
    expect(version, 'database version after the current worker opened it').toBe(MEDIA_DB_VERSION);
    expectWhole(file, 'file stored by the version-1 worker');
    expect(file!.pinned).toBe(false);
    await context.setOffline(true);
    const offline = await readInPage(page, path, { maxBodyBytes: 0 });
    expect(offline.error, `offline read: ${offline.error}`).toBeNull();
    expect(offline.sha256, 'bytes stored under schema version 1').toBe(generatedSha256(0, size));
    const tail = await readInPage(page, path, { range: `bytes=${size - 5000}-` });
    expect(tail.sha256).toBe(generatedSha256(size - 5000, size));
    expect((await origin.requestsFor(path)).length, 'origin requests: none, everything was stored').toBe(0);
  });

  test('a new worker replacing the running one keeps stored files and downloads; a download running across the update completes', async ({ page, context, origin }) => {
    // A quiet page of the origin, controlled by the worker: the demo app asks the worker for
    // metrics every 1.5 s, and a worker that keeps receiving events is never replaced.
    await openControlledPage(page);
    await page.goto('/__origin/stats');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const donePath = `/media/gen/upd-done-${uniqueTag()}.bin?size=${4 * MiB}`;
    const runningSize = 16 * MiB;
    const runningPath = `/media/gen/upd-run-${uniqueTag()}.bin?size=${runningSize}&trickle=3000000`;
    const doneUrl = `${origin.url}${donePath}`;
    const runningUrl = `${origin.url}${runningPath}`;
    await workerResult(page, { type: 'download', url: doneUrl });
    await waitForDownload(page, doneUrl, ['complete']);
    await workerResult(page, { type: 'download', url: runningUrl });
    const before = await waitForDownload(page, runningUrl, ['downloading'], { until: (p) => p.storedBytes >= 3 * MiB, timeoutMs: 30_000 });
    const filesBefore = (await listFiles(page)).map((file) => file.url).sort();

    // The same scope, a new script URL: the browser installs a new worker, which takes over at once.
    const update = await page.evaluate(async (scriptUrl) => {
      const before = navigator.serviceWorker.controller?.scriptURL;
      const changed = new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
      await navigator.serviceWorker.register(scriptUrl, { scope: '/' });
      await changed;
      return { before, after: navigator.serviceWorker.controller?.scriptURL };
    }, `/sw.js?update=${uniqueTag()}`);
    expect(update.after, `controller after the update: ${JSON.stringify(update)}`).not.toBe(update.before);

    expect((await listFiles(page)).map((file) => file.url).sort(), 'stored files after the update').toEqual(filesBefore);
    const done = await fileInfo(page, doneUrl);
    expect(done?.download?.state).toBe('complete');
    expect(done?.pinned).toBe(true);
    const running = await waitForDownload(page, runningUrl, ['complete'], { timeoutMs: 60_000 });
    expect(running.storedBytes).toBe(runningSize);
    expectWhole(await fileInfo(page, runningUrl), 'download that ran across the update');
    const sent = await origin.bytesFor(runningPath);
    expect(sent, 'origin bytes for the download across the update').toBeLessThanOrEqual(1.25 * runningSize);
    figure(`worker replaced at ${(before.storedBytes / MiB).toFixed(2)} MiB of a 16 MiB download: it completed under the new worker; origin sent ${(sent / runningSize).toFixed(3)}× the file`);

    await context.setOffline(true);
    for (const [path, size] of [[donePath, 4 * MiB], [runningPath, runningSize]] as const) {
      const offline = await readInPage(page, path, { maxBodyBytes: 0 });
      expect(offline.sha256, `${path} offline after the update`).toBe(generatedSha256(0, size));
    }
  });
});
