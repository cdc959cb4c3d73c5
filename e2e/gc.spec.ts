/**
 * Garbage collection never stalls a read. Readers that fall behind the shared fetch read stored
 * segments back through Blob streams; a GC in the middle of such a read must not leave it waiting
 * forever (it did in Chromium 156 until the worker held the streams it reads: see readBlobInto).
 * The worker is collected 4 times a second through CDP while 4 cold readers read the same file.
 */
import { expect, fetchAllInPage, figure, test, uniqueTag } from './fixtures';
import { generatedSha256 } from './origin/content';
import { ServiceWorkerHeap } from './serviceWorkerHeap';

const MiB = 1024 * 1024;
const RUNS = 3;
const READERS = 4;
/** A run takes 2–5 s here; a stalled reader never finishes. */
const RUN_DEADLINE_MS = 30_000;

test.describe('garbage collection', () => {
  test('4 cold readers finish exactly while the worker is garbage-collected 4 times a second', async ({ swPage: page, browser, origin }) => {
    test.setTimeout(RUNS * RUN_DEADLINE_MS + 30_000);
    const size = 32 * MiB;
    const [worker, ...others] = await ServiceWorkerHeap.attachAll(browser, origin.url + '/');
    for (const other of others) await other.detach();
    expect(worker, 'the page has a running service worker').toBeDefined();
    const timings: string[] = [];
    try {
      for (let run = 0; run < RUNS; run += 1) {
        const path = `/media/gen/gc-${uniqueTag()}.bin?size=${size}`;
        let collecting = true;
        let collections = 0;
        const collector = (async () => {
          while (collecting) {
            // A call that fails (the worker busy past the CDP timeout) is not a collection.
            if (await worker!.bytes({ collectGarbage: true }).then(() => true, () => false)) collections += 1;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        })();
        const started = Date.now();
        const reads = fetchAllInPage(page, Array.from({ length: READERS }, () => ({ url: path, range: 'bytes=0-' })), 0);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const deadline = new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), RUN_DEADLINE_MS)));
        const results = await Promise.race([reads, deadline]).finally(() => clearTimeout(timer));
        collecting = false;
        await collector;
        if (results === 'stalled') throw new Error(`run ${run + 1}: a reader was still waiting ${RUN_DEADLINE_MS} ms after the reads began (${collections} collections)`);
        expect(collections, `run ${run + 1}: the worker was garbage-collected while it read`).toBeGreaterThan(0);
        for (const [reader, result] of results.entries()) {
          expect(result.status, `run ${run + 1}, reader ${reader}`).toBe(206);
          expect(result.length, `run ${run + 1}, reader ${reader}`).toBe(size);
          expect(result.sha256, `run ${run + 1}, reader ${reader} bytes`).toBe(generatedSha256(0, size));
        }
        timings.push(`${Date.now() - started} ms (${collections} collections)`);
      }
    } finally {
      await worker?.detach();
    }
    figure(`${RUNS} runs of ${READERS} cold readers of 32 MiB under a forced GC every 250 ms: ${timings.join(', ')}`);
  });
});
