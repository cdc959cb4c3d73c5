/**
 * Media on another origin. With CORS (`crossorigin="anonymous"` on the element, an origin that
 * answers with Access-Control-Allow-Origin and exposes Content-Range and ETag) the worker caches it
 * like same-origin media, keyed by the full URL, and it replays offline. With credentials
 * (`crossorigin="use-credentials"`) the answer may be personal: it plays through the network and is
 * never stored. (Without CORS the answer is opaque: storage.spec.ts.)
 */
import type { Page } from '@playwright/test';
import { expect, figure, test, uniqueTag } from './fixtures';
import { distMedia } from './sources';
import { listFiles } from './workerClient';

/** The same test origin under another host name: http://localhost:PORT is another origin than http://127.0.0.1:PORT. */
function otherOrigin(originUrl: string): string {
  const url = new URL(originUrl);
  url.hostname = 'localhost';
  return url.origin;
}

/** Plays `src` in a fresh `<video crossorigin=…>`; reports whether currentTime reached `seconds` within `ms`. */
async function play(page: Page, src: string, crossOrigin: 'anonymous' | 'use-credentials', seconds: number, ms: number) {
  return page.evaluate(
    ({ src, crossOrigin, seconds, ms }) =>
      new Promise<{ reached: boolean; currentTime: number; errorCode: number | null }>((resolve) => {
        document.getElementById('cross-origin-under-test')?.remove();
        const element = document.createElement('video');
        element.id = 'cross-origin-under-test';
        element.crossOrigin = crossOrigin;
        element.muted = true;
        element.preload = 'auto';
        document.body.append(element);
        element.src = src;
        element.play().catch(() => undefined);
        const started = performance.now();
        const timer = setInterval(() => {
          const reached = element.currentTime >= seconds;
          if (reached || element.error || performance.now() - started > ms) {
            clearInterval(timer);
            resolve({ reached, currentTime: element.currentTime, errorCode: element.error ? element.error.code : null });
          }
        }, 50);
      }),
    { src, crossOrigin, seconds, ms },
  );
}

async function openFreshTab(page: Page): Promise<Page> {
  const fresh = await page.context().newPage();
  await fresh.goto('/');
  await fresh.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 10_000 });
  return fresh;
}

test.describe('cross-origin media', () => {
  test('with CORS: cached under its full URL, then replayed offline in a new tab', async ({ swPage: page, context, origin }) => {
    const [video] = distMedia('.mp4');
    expect(video, 'a committed .mp4 in dist/media').toBeDefined();
    const src = `${otherOrigin(origin.url)}${video!.url}?cors=1&tag=${uniqueTag()}`;
    const online = await play(page, src, 'anonymous', 3, 20_000);
    expect(online, 'plays online through the worker').toMatchObject({ reached: true, errorCode: null });
    // The segments' writes trail the playback: wait for them under the full URL.
    await expect
      .poll(async () => (await listFiles(page)).find((entry) => entry.url === src)?.storedSegments.length ?? 0, { message: `segments stored under its full URL ${src}` })
      .toBeGreaterThan(0);
    const file = (await listFiles(page)).find((entry) => entry.url === src);
    const requests = await origin.requestsFor(new URL(src).pathname + new URL(src).search);
    const methods = [...new Set(requests.map((record) => record.method))].sort();
    figure(`CORS <video> from another origin: ${file!.storedSegments.length} of ${file!.segmentCount} segments stored under the full URL; origin saw ${requests.length} requests (${methods.join(', ')})`);

    await context.setOffline(true);
    // A new tab: Chromium's media cache shares a URL's bytes within a page; the new page has only the worker.
    const fresh = await openFreshTab(page);
    const offline = await play(fresh, src, 'anonymous', 2, 15_000);
    expect(offline, 'replays offline from storage').toMatchObject({ reached: true, errorCode: null });
    await fresh.close();
  });

  test('with credentials: plays through the network and is never stored', async ({ swPage: page, context, origin }) => {
    const [video] = distMedia('.mp4');
    const src = `${otherOrigin(origin.url)}${video!.url}?cors=1&credentialed=${uniqueTag()}`;
    const online = await play(page, src, 'use-credentials', 2, 20_000);
    expect(online, 'plays online').toMatchObject({ reached: true, errorCode: null });
    expect((await origin.requestsFor(new URL(src).pathname + new URL(src).search)).length, 'origin requests').toBeGreaterThan(0);
    await page.waitForTimeout(1000);
    expect((await listFiles(page)).filter((entry) => entry.url === src), 'stored entries for the credentialed URL').toEqual([]);

    await context.setOffline(true);
    const fresh = await openFreshTab(page);
    const offline = await play(fresh, src, 'use-credentials', 0.5, 5_000);
    expect(offline.reached, `offline, nothing to play: ${JSON.stringify(offline)}`).toBe(false);
    await fresh.close();
  });
});
