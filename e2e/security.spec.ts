/**
 * What the worker refuses to touch or trust: malformed messages on the page ↔ worker channel are
 * answered `bad-request` (or ignored without a reply port) and change nothing; non-GET requests and
 * requests outside the configured scope go to the network untouched and are never stored.
 * (Opaque and `no-store` answers: storage.spec.ts; credentialed and CORS cross-origin media:
 * cross-origin.spec.ts.)
 */
import { expect, recordResponses, test, uniqueTag } from './fixtures';
import { MiB, listFiles } from './workerClient';

test.describe('what the worker refuses', () => {
  test('malformed messages get bad-request and change nothing; a message without a reply port is ignored', async ({ swPage: page, origin }) => {
    const before = await listFiles(page);
    const good = `${origin.url}/media/gen/msg-${uniqueTag()}.bin?size=${MiB}`;
    const malformed: unknown[] = [
      'download everything',
      null,
      { kind: 'someone-else/v1', request: { type: 'download', url: good } },
      { kind: 'media-range-cache/v1' },
      { kind: 'media-range-cache/v1', request: { type: 'format-disk' } },
      { kind: 'media-range-cache/v1', request: { type: 'download' } },
      { kind: 'media-range-cache/v1', request: { type: 'download', url: '/media/relative.bin' } },
      { kind: 'media-range-cache/v1', request: { type: 'download', url: 'javascript:alert(1)' } },
      { kind: 'media-range-cache/v1', request: { type: 'download', url: 'file:///etc/passwd' } },
      { kind: 'media-range-cache/v1', request: { type: 'download', url: `${good}&${'x'.repeat(9000)}` } },
      { kind: 'media-range-cache/v1', request: { type: 'download', url: good, sha256: 'not-a-hash' } },
      { kind: 'media-range-cache/v1', request: { type: 'remove', url: 42 } },
    ];
    const replies = await page.evaluate(async (messages) => {
      const worker = (await navigator.serviceWorker.ready).active!;
      // No reply port: ignored (and must not break the worker).
      worker.postMessage({ kind: 'media-range-cache/v1', request: { type: 'list' } });
      return Promise.all(
        messages.map(
          (message) =>
            new Promise<unknown>((resolve) => {
              const channel = new MessageChannel();
              const timer = setTimeout(() => resolve('no reply'), 5000);
              channel.port1.onmessage = (event) => {
                clearTimeout(timer);
                resolve(event.data);
              };
              worker.postMessage(message, [channel.port2]);
            }),
        ),
      );
    }, malformed);
    for (const [index, reply] of replies.entries()) {
      expect(reply, `reply to ${JSON.stringify(malformed[index]).slice(0, 80)}`).toMatchObject({ kind: 'media-range-cache/v1', ok: false, error: { code: 'bad-request' } });
    }
    // Nothing was downloaded or removed, and the worker still answers well-formed requests.
    await page.waitForTimeout(500);
    expect((await origin.requestsFor(new URL(good).pathname + new URL(good).search)).length, 'origin requests for the malformed download').toBe(0);
    // (The demo page may cache its selected lecture meanwhile: only downloads and the asked-for URL count.)
    const after = await listFiles(page);
    expect(after.filter((file) => file.url.startsWith(good.split('?')[0]!)), 'stored entries for the malformed download').toEqual([]);
    const downloads = (files: typeof after) => files.filter((file) => file.download !== undefined).map((file) => file.url).sort();
    expect(downloads(after), 'downloads').toEqual(downloads(before));
  });

  test('non-GET requests under /media/ and GETs outside the configured scope go to the network untouched and are never stored', async ({ swPage: page, origin }) => {
    const responses = recordResponses(page);
    const postPath = `/media/gen/post-${uniqueTag()}.bin?size=${MiB}`;
    const outsidePath = `/__origin/stats?outside=${uniqueTag()}`;
    const statuses = await page.evaluate(
      async ({ postPath, outsidePath }) => {
        const post = await fetch(postPath, { method: 'POST', body: 'payload' });
        const put = await fetch(postPath, { method: 'PUT', body: 'payload' });
        const outside = await fetch(outsidePath);
        await outside.arrayBuffer();
        return { post: post.status, put: put.status, outside: outside.status };
      },
      { postPath, outsidePath },
    );
    // The origin answers writes with 405: the worker did not swallow or rewrite them.
    expect(statuses).toEqual({ post: 405, put: 405, outside: 200 });
    const methods = (await origin.requestsFor(postPath)).map((record) => record.method);
    expect(methods.sort()).toEqual(['POST', 'PUT']);
    for (const path of [postPath, outsidePath]) {
      const seen = responses.filter((response) => response.url.endsWith(path));
      expect(seen.length, `responses for ${path}`).toBeGreaterThan(0);
      expect(seen.every((response) => !response.fromServiceWorker), `${path} answered by the network, not the worker`).toBe(true);
    }
    const stored = (await listFiles(page)).map((file) => file.url);
    expect(stored.filter((url) => url.includes(postPath) || url.includes(outsidePath))).toEqual([]);
  });
});
