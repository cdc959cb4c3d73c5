/**
 * What the benchmark does inside a page: reads, range reads, seeks and downloads, timed with the
 * page's own clock. Each function runs one `page.evaluate`, so Playwright's round trips stay out
 * of the timings.
 */
import type { Page } from '@playwright/test';
import type { DownloadProgress } from '../src/lib/messages';

export interface ReadTiming {
  status: number;
  bytes: number;
  /** From the fetch() call to the end of the body. */
  totalMs: number;
  /** From the fetch() call to the first body chunk. */
  ttfbMs: number;
}

/** Opens the blank benchmark page and, when `worker` is set, registers it and waits for control. */
export async function openBenchPage(page: Page, url: string, worker: boolean): Promise<void> {
  await page.goto(url);
  if (!worker) return;
  await page.evaluate(async () => {
    await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    await navigator.serviceWorker.ready;
  });
  // The worker claims clients on activation.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
}

export interface TimedRead {
  /** The Range header, or null for a plain GET. */
  range: string | null;
  /** The body length the read must see (a short body throws). */
  expectBytes: number;
}

/**
 * Reads `url` once per entry of `reads`, all at once (`concurrent`) or in turn, discarding the
 * bytes; returns one timing per read. A status other than 200/206 or a wrong length throws.
 */
export async function timedReads(page: Page, url: string, reads: TimedRead[], concurrent: boolean): Promise<ReadTiming[]> {
  return page.evaluate(
    async ({ url, reads, concurrent }) => {
      const readOnce = async ({ range, expectBytes }: { range: string | null; expectBytes: number }) => {
        const started = performance.now();
        const response = await fetch(url, { headers: range ? { Range: range } : {}, cache: 'no-store' });
        if (response.status !== 200 && response.status !== 206) throw new Error(`${url} ${range}: HTTP ${response.status}`);
        const reader = response.body!.getReader();
        let bytes = 0;
        let ttfbMs = -1;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (ttfbMs < 0) ttfbMs = performance.now() - started;
          bytes += value.byteLength;
        }
        if (bytes !== expectBytes) throw new Error(`${url} ${range}: ${bytes} bytes, expected ${expectBytes}`);
        return { status: response.status, bytes, totalMs: performance.now() - started, ttfbMs };
      };
      if (concurrent) return Promise.all(reads.map(readOnce));
      const timings = [];
      for (const read of reads) timings.push(await readOnce(read));
      return timings;
    },
    { url, reads, concurrent },
  );
}

/**
 * Mounts a muted, playing `<video>` on `src`, waits until it can play, then seeks to each time in
 * turn and returns the ms from setting `currentTime` to `seeked`.
 */
export async function seekLatencies(page: Page, src: string, targetsSeconds: number[]): Promise<number[]> {
  return page.evaluate(
    async ({ src, targetsSeconds }) => {
      document.getElementById('bench-video')?.remove();
      const video = document.createElement('video');
      video.id = 'bench-video';
      video.muted = true;
      video.preload = 'auto';
      document.body.append(video);
      const failed = new Promise<never>((_, reject) =>
        video.addEventListener('error', () => reject(new Error(`media error ${video.error?.code}: ${video.error?.message}`))),
      );
      const event = (name: string, timeoutMs: number) =>
        Promise.race([
          failed,
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no ${name} within ${timeoutMs} ms`)), timeoutMs);
            video.addEventListener(name, () => (clearTimeout(timer), resolve()), { once: true });
          }),
        ]);
      const playing = event('playing', 20_000);
      video.src = src;
      await video.play();
      await playing;
      const latencies = [];
      for (const target of targetsSeconds) {
        const seeked = event('seeked', 20_000);
        const started = performance.now();
        video.currentTime = target;
        await seeked;
        latencies.push(performance.now() - started);
      }
      video.pause();
      video.removeAttribute('src');
      video.load();
      video.remove();
      return latencies;
    },
    { src, targetsSeconds },
  );
}

/**
 * Asks our worker to download `url` for offline use and waits for its `complete` event; returns
 * the ms from the request to that event.
 */
export async function downloadInWorker(page: Page, url: string, timeoutMs: number): Promise<number> {
  return page.evaluate(
    async ({ url, timeoutMs }) => {
      const absolute = new URL(url, location.href).href;
      const channel = new BroadcastChannel('media-range-cache');
      const reply = new MessageChannel();
      const started = performance.now();
      const complete = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`download of ${url} not complete within ${timeoutMs} ms`)), timeoutMs);
        const settle = (progress: DownloadProgress | undefined) => {
          if (progress?.url !== absolute) return;
          if (progress.state === 'complete') {
            clearTimeout(timer);
            resolve(performance.now() - started);
          } else if (progress.state === 'error') {
            clearTimeout(timer);
            reject(new Error(`download of ${url} failed: ${JSON.stringify(progress)}`));
          }
        };
        channel.onmessage = (event: MessageEvent) => settle((event.data as { progress?: DownloadProgress }).progress);
        // The reply carries the state at the request: already complete when every segment was stored.
        reply.port1.onmessage = (event: MessageEvent) => {
          const data = event.data as { ok: boolean; result?: DownloadProgress; error?: unknown };
          if (data.ok) settle(data.result);
          else reject(new Error(`download of ${url} refused: ${JSON.stringify(data.error)}`));
        };
      });
      const worker = (await navigator.serviceWorker.ready).active!;
      worker.postMessage({ kind: 'media-range-cache/v1', request: { type: 'download', url: absolute } }, [reply.port2]);
      try {
        return await complete;
      } finally {
        channel.close();
        reply.port1.close();
      }
    },
    { url, timeoutMs },
  );
}

/** Caches the whole file in Cache Storage for the workbox contender; returns the ms it took. */
export async function fillWorkboxCache(page: Page, url: string): Promise<number> {
  return page.evaluate(async (url) => {
    const started = performance.now();
    await (await caches.open('bench-media')).add(new Request(url, { cache: 'no-store' }));
    return performance.now() - started;
  }, url);
}

export async function emptyWorkboxCache(page: Page): Promise<void> {
  await page.evaluate(() => caches.delete('bench-media'));
}
