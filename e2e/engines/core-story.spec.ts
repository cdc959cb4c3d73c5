/**
 * The core story, the same in every engine (one Playwright project per engine runs this file):
 * a `<video>` plays and seeks through the worker, which stores what it fetched; offline, after a
 * reload, a fresh player plays it again; ranges are exact, cold, stitched and offline; a download
 * made with the demo's buttons survives a browser restart, plays offline and is deleted.
 *
 * "Offline" is the origin made unreachable (every connection destroyed before an answer): the
 * same network error in every engine, where each engine's own offline switch differs.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Lecture } from '../../src/demo/catalogue';
import { generatedSha256 } from '../origin/content';
import { distDir, repoRoot } from '../sources';
import { expect, figure, openControlled, poll, test } from './engineTest';
import { fetchBody, playVideo, storedSegmentsOf } from './pageMedia';

const SEGMENT = 512 * 1024;
const MiB = 1024 * 1024;
const catalogue = JSON.parse(readFileSync(resolve(repoRoot, 'public', 'lectures.json'), 'utf8')) as Lecture[];
// VP9 + Opus: Chromium, Firefox and WebKitGTK (GStreamer's good plugins) all play it.
const lecture = catalogue.find((entry) => entry.type === 'video/webm')!;
const lectureBytes = readFileSync(resolve(distDir, lecture.url.slice(1)));
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

test.describe('the core story in this engine', () => {
  test('a <video> plays and seeks through the worker, which stores what it played; offline, after a reload, a fresh player plays it again', async ({ session, origin, unique }) => {
    test.setTimeout(150_000);
    const src = unique(lecture.url);
    await openControlled(session, origin);
    const online = await session.evaluate(playVideo, src, 0, 2, 60);
    expect(online.currentTime).toBeGreaterThanOrEqual(62);

    // Stored while playing: the start and the part around 60 s, as complete segments.
    const stored = await poll('segments stored while playing', async () => {
      const segments = await session.evaluate(storedSegmentsOf, src);
      return segments && segments.includes(0) && segments.some((index) => index * SEGMENT > 1_000_000) ? segments : null;
    });
    const originBytes = await origin.bytesFor(src);
    const requests = await origin.requestsFor(src);
    // Every upstream request is the worker's own, aligned on a segment: none of the element's
    // requests (a WebKit <video> starts with bytes=0-1) was passed through.
    for (const request of requests) expect(Number(/^bytes=(\d+)-/.exec(request.range ?? '')?.[1]) % SEGMENT, `${request.range}`).toBe(0);

    await origin.setUnreachable(true);
    await openControlled(session, origin);
    const offline = await session.evaluate(playVideo, src, 60, 2, null);
    expect(offline.currentTime).toBeGreaterThanOrEqual(62);
    const first = await session.evaluate(fetchBody, src, 'bytes=0-1');
    expect(first).toMatchObject({ status: 206, contentRange: `bytes 0-1/${lecture.sizeBytes}`, length: 2 });
    expect(first.sha256).toBe(sha256(lectureBytes.subarray(0, 2)));
    figure(
      `${session.engine}: <video> played 0-2 s and 60-62 s online, ${stored.length} of ${Math.ceil(lecture.sizeBytes / SEGMENT)} segments stored; ` +
        `origin sent ${(originBytes / MiB).toFixed(2)} MiB in ${requests.length} requests (${(originBytes / lecture.sizeBytes).toFixed(2)}× the file); ` +
        `offline after a reload, a fresh player from 60 s started in ${Math.round(offline.startMs)} ms; upstream: ${requests.map((r) => `${r.range ?? 'no Range'} → ${r.status} ${r.bytesSent}${r.aborted ? ' (closed by the client)' : ''}`).join(', ')}`,
    );
  });

  test('ranges are exact: cold, stitched from stored and fetched bytes, and offline', async ({ session, origin, unique }) => {
    const size = 6 * MiB;
    const src = unique(`/media/gen/engine.bin?size=${size}`);
    await openControlled(session, origin);
    // A media element's first probe (WebKit's bytes=0-1) gets a 206, cold.
    const probe = await session.evaluate(fetchBody, src, 'bytes=0-1');
    expect(probe).toMatchObject({ status: 206, contentRange: `bytes 0-1/${size}`, length: 2, sha256: generatedSha256(0, 2) });
    const middle = await session.evaluate(fetchBody, src, `bytes=${3 * MiB}-${4 * MiB - 1}`);
    expect(middle).toMatchObject({ status: 206, length: MiB, sha256: generatedSha256(3 * MiB, 4 * MiB) });
    await poll('the middle stored', async () => (await session.evaluate(storedSegmentsOf, src))?.includes((3 * MiB) / SEGMENT));
    // Starts on stored bytes, needs fetched ones, ends on stored ones.
    const stitched = await session.evaluate(fetchBody, src, `bytes=${MiB + 100}-${5 * MiB - 1}`);
    expect(stitched).toMatchObject({ status: 206, contentRange: `bytes ${MiB + 100}-${5 * MiB - 1}/${size}`, sha256: generatedSha256(MiB + 100, 5 * MiB) });
    const whole = await session.evaluate(fetchBody, src, null);
    expect(whole).toMatchObject({ status: 200, length: size, sha256: generatedSha256(0, size) });
    const originBytes = await origin.bytesFor(src);
    await poll('the whole file stored', async () => (await session.evaluate(storedSegmentsOf, src))?.length === size / SEGMENT);

    await origin.setUnreachable(true);
    const offlineReads: Array<[string, number, number]> = [
      ['bytes=0-1', 0, 2],
      [`bytes=${SEGMENT - 10}-${SEGMENT + 9}`, SEGMENT - 10, SEGMENT + 10],
      [`bytes=${size - 1000}-`, size - 1000, size],
      ['bytes=0-', 0, size],
    ];
    for (const [range, start, end] of offlineReads) {
      const got = await session.evaluate(fetchBody, src, range);
      expect(got, `offline ${range}`).toMatchObject({ status: 206, contentRange: `bytes ${start}-${end - 1}/${size}`, sha256: generatedSha256(start, end) });
    }
    const unsatisfiable = await session.evaluate(fetchBody, src, `bytes=${size}-`);
    expect(unsatisfiable).toMatchObject({ status: 416, contentRange: `bytes */${size}` });
    figure(`${session.engine}: 6 MiB read cold, stitched and whole, then offline: origin sent ${(originBytes / size).toFixed(2)}× the file`);
  });

  test('downloads with progress, pause, resume and cancel through the page API', async ({ session, origin, unique }) => {
    test.setTimeout(120_000);
    const size = 8 * MiB;
    // Paced, so pause and cancel land mid-download whatever the machine's speed.
    const src = unique(`/media/gen/download.bin?size=${size}&trickle=2000000`);
    const other = unique(`/media/gen/cancelled.bin?size=${size}&trickle=1000000`);
    await openControlled(session, origin);
    const outcome = await session.evaluate(
      async (url, cancelled, total) => {
        const library = (window as unknown as { offlineLibrary: import('../../src/lib/client/OfflineLibrary').OfflineLibrary }).offlineLibrary;
        const seen: Array<{ state: string; storedBytes: number }> = [];
        library.addEventListener('progress', (event) => {
          const { state, storedBytes } = (event as CustomEvent<{ url: string; state: string; storedBytes: number }>).detail;
          if ((event as CustomEvent<{ url: string }>).detail.url === new URL(url, location.href).href) seen.push({ state, storedBytes });
        });
        const started = performance.now();
        await library.download(url);
        const until = async (what: string, done: () => Promise<boolean>) => {
          for (let i = 0; i < 600; i += 1) {
            if (await done()) return;
            await new Promise((r) => setTimeout(r, 100));
          }
          throw new Error(`${what}: never`);
        };
        const file = async (u: string) => (await library.list()).find((entry) => entry.url === new URL(u, location.href).href);
        await until('some bytes stored', async () => ((await file(url))?.storedBytes ?? 0) > 0);
        const paused = await library.pause(url);
        await new Promise((r) => setTimeout(r, 1500));
        const whilePaused = (await file(url))?.storedBytes ?? 0;
        await library.resume(url);
        await until('complete', async () => (await file(url))?.download?.state === 'complete');
        const completeMs = performance.now() - started;

        await library.download(cancelled);
        await until('the other download under way', async () => ((await file(cancelled))?.storedBytes ?? 0) > 0);
        await library.cancel(cancelled);
        const afterCancel = await file(cancelled);
        return { pausedState: paused.state, pausedBytes: paused.storedBytes, whilePaused, completeMs, seen, total, afterCancel: afterCancel ?? null };
      },
      src,
      other,
      size,
    );
    expect(outcome.pausedState).toBe('paused');
    expect(outcome.whilePaused).toBeLessThan(size);
    expect(outcome.seen.some((event) => event.state === 'downloading' && event.storedBytes > 0 && event.storedBytes < size)).toBe(true);
    expect(outcome.seen.at(-1)).toMatchObject({ state: 'complete', storedBytes: size });
    expect(outcome.afterCancel?.download ?? null).toBeNull();
    expect(outcome.afterCancel?.storedBytes ?? 0).toBe(0);
    const originBytes = await origin.bytesFor(src);
    // A pause drops the window in flight (2 MiB at most per running fetch); nothing else is fetched twice.
    expect(originBytes).toBeLessThanOrEqual(size * 1.5);

    await origin.setUnreachable(true);
    const back = await session.evaluate(fetchBody, src, null);
    expect(back).toMatchObject({ status: 200, length: size, sha256: generatedSha256(0, size) });
    figure(
      `${session.engine}: 8 MiB download at 2 MB/s, paused and resumed: complete in ${Math.round(outcome.completeMs)} ms, ` +
        `${outcome.seen.length} progress events, origin sent ${(originBytes / size).toFixed(2)}× the file`,
    );
  });

  test("the demo: Download → browser restart → offline play → Delete, by the buttons' accessible names", async ({ session, origin }) => {
    test.setTimeout(150_000);
    const cardState = (id: string) => document.querySelector(`[data-lecture-id="${id}"]`)?.getAttribute('data-download-state') ?? null;
    const meterReading = () => {
      const panel = document.querySelector<HTMLElement>('[data-testid="storage-meter"]');
      return { pinnedBytes: Number(panel?.dataset.pinnedBytes), text: panel?.querySelector('.meter-headline')?.textContent ?? '' };
    };
    await openControlled(session, origin, `/#${lecture.id}`);
    await poll('the demo is ready', () => session.evaluate(() => document.querySelector('#worker-status')?.getAttribute('data-state') === 'ready'));
    const started = Date.now();
    await session.clickButton('Download', lecture.title);
    await poll('the download complete', async () => (await session.evaluate(cardState, lecture.id)) === 'complete', 60_000);
    const completeMs = Date.now() - started;
    const meter = await poll('the storage meter counts the download', async () => {
      const reading = await session.evaluate(meterReading);
      return reading.pinnedBytes >= lecture.sizeBytes ? reading : null;
    });
    const originBytes = await origin.bytesFor(lecture.url);

    await session.restart();
    await origin.setUnreachable(true);
    await openControlled(session, origin, `/#${lecture.id}`);
    await poll('the card shows the download after the restart', async () => (await session.evaluate(cardState, lecture.id)) === 'complete');
    const played = await session.evaluate(playVideo, lecture.url, 100, 2, 30);
    expect(played.currentTime).toBeGreaterThanOrEqual(32);
    const whole = await session.evaluate(fetchBody, lecture.url, null);
    expect(whole).toMatchObject({ status: 200, length: lecture.sizeBytes, sha256: sha256(lectureBytes) });

    await session.clickButton('Delete', lecture.title);
    await poll('the lecture deleted', async () => {
      const state = await session.evaluate(cardState, lecture.id);
      return state !== 'complete' && ((await session.evaluate(storedSegmentsOf, lecture.url)) ?? []).length === 0;
    });
    const deleted = await session.evaluate(fetchBody, lecture.url, 'bytes=0-1').then(
      (body) => `HTTP ${body.status}`,
      (error: unknown) => `fetch failed (${String(error).split('\n')[0]})`,
    );
    expect(deleted).toMatch(/fetch failed/);
    figure(
      `${session.engine}: demo download of ${lecture.id} (${(lecture.sizeBytes / MiB).toFixed(2)} MiB): ${completeMs} ms to complete, ` +
        `origin sent ${(originBytes / lecture.sizeBytes).toFixed(2)}× the file (the player streams it too); meter: "${meter.text}"; ` +
        `after ${session.restartKeepsProcess ? 'a new window (the automation profile is in memory)' : 'a browser restart'} it played offline from 100 s and read back exactly; Delete left nothing stored`,
    );
  });

  test('the page API says what this engine lacks, and the demo shows it', async ({ session, origin }) => {
    await openControlled(session, origin, '/');
    const features = await session.evaluate(async () => {
      const library = (window as unknown as { offlineLibrary: import('../../src/lib/client/OfflineLibrary').OfflineLibrary }).offlineLibrary;
      return library.features();
    });
    // What each engine of this suite's kind offers (Chromium 156, Firefox ESR 153, WebKitGTK 2.50).
    const expected = ENGINE_FEATURES[session.engine];
    expect(features).toMatchObject(expected);
    const headline = await poll('the storage meter drawn', () =>
      session.evaluate(() => document.querySelector('[data-testid="storage-meter"] .meter-headline')?.textContent ?? ''),
    );
    expect(headline).toMatch(expected.storageEstimate ? /used of/ : /Storage estimate unavailable/);
    figure(`${session.engine}: ${Object.entries(features).map(([name, value]) => `${name} ${value}`).join(', ')}`);
  });
});

/** What the worker and page of each engine offer (OfflineLibrary.features), as measured here. */
const ENGINE_FEATURES = {
  chromium: { storageEstimate: true, backgroundFetch: true, deviceMemory: true, webLocks: true, broadcastChannel: true, byobReader: true, segmentValues: 'blob', persistence: true },
  firefox: { storageEstimate: true, backgroundFetch: false, deviceMemory: false, webLocks: true, broadcastChannel: true, byobReader: true, segmentValues: 'blob', persistence: true },
  webkit: { storageEstimate: false, backgroundFetch: false, deviceMemory: false, webLocks: true, broadcastChannel: true, byobReader: false, segmentValues: 'buffer', persistence: false },
} as const;
