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
import type { RequestRecord } from '../origin/server';
import { distDir, repoRoot } from '../sources';
import { expect, figure, openControlled, poll, test } from './engineTest';
import { fetchBody, playVideo, storedSegmentsOf } from './pageMedia';
import type { OfflineLibrary } from '../../src/lib/client/OfflineLibrary';

/** The demo's page API, as `window.offlineLibrary` (used only inside the page). */
type Library = OfflineLibrary;

const SEGMENT = 512 * 1024;
const MiB = 1024 * 1024;
const catalogue = JSON.parse(readFileSync(resolve(repoRoot, 'public', 'lectures.json'), 'utf8')) as Lecture[];
// VP9 + Opus: Chromium, Firefox and WebKitGTK (GStreamer's good plugins) all play it.
const lecture = catalogue.find((entry) => entry.type === 'video/webm')!;
const lectureBytes = readFileSync(resolve(distDir, lecture.url.slice(1)));
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Every upstream request is the worker's own: a range that starts and ends on segment boundaries
 * (or at the end of the file). A media element's own request passed through would not (WebKit's
 * first one is `bytes=0-1`).
 */
function expectOnlyWorkerRequests(requests: RequestRecord[], size: number): void {
  expect(requests.length).toBeGreaterThan(0);
  for (const request of requests) {
    const [, first, last] = /^bytes=(\d+)-(\d+)$/.exec(request.range ?? '') ?? [];
    expect(first, `a worker window, not ${request.range}`).toBeDefined();
    expect(Number(first) % SEGMENT, `${request.range} starts on a segment`).toBe(0);
    const end = Number(last) + 1;
    expect(end % SEGMENT === 0 || end >= size, `${request.range} ends on a segment or the end`).toBe(true);
  }
}

/** The origin's requests for a file, as a figure reads them. */
function upstreamLog(requests: RequestRecord[]): string {
  return requests.map((r) => `${r.range ?? 'no Range'} → ${r.status} ${r.bytesSent}${r.aborted ? ' (closed by the client)' : ''}`).join(', ');
}

test.describe('the core story in this engine', () => {
  test('a <video> plays and seeks through the worker, which stores what it played; offline, after a reload, a fresh player plays it again', async ({ session, origin, unique }) => {
    test.setTimeout(150_000);
    const src = unique(lecture.url);
    await openControlled(session, origin);
    const online = await session.evaluate(playVideo, src, 0, 2, 110);
    expect(online.currentTime).toBeGreaterThanOrEqual(112);

    // Stored while playing: the start and the end, as complete segments.
    const last = Math.ceil(lecture.sizeBytes / SEGMENT) - 1;
    const stored = await poll('segments stored while playing', async () => {
      const segments = await session.evaluate(storedSegmentsOf, src);
      return segments && segments.includes(0) && segments.includes(last) ? segments : null;
    });
    const originBytes = await origin.bytesFor(src);
    const requests = await origin.requestsFor(src);
    expectOnlyWorkerRequests(requests, lecture.sizeBytes);

    await origin.setUnreachable(true);
    await openControlled(session, origin);
    const offline = await session.evaluate(playVideo, src, 110, 2, null);
    expect(offline.currentTime).toBeGreaterThanOrEqual(112);
    const first = await session.evaluate(fetchBody, src, 'bytes=0-1');
    expect(first).toMatchObject({ status: 206, contentRange: `bytes 0-1/${lecture.sizeBytes}`, length: 2 });
    expect(first.sha256).toBe(sha256(lectureBytes.subarray(0, 2)));
    figure(
      `${session.engine}: <video> played 0-2 s and 110-112 s online, ${stored.length} of ${Math.ceil(lecture.sizeBytes / SEGMENT)} segments stored; ` +
        `origin sent ${(originBytes / MiB).toFixed(2)} MiB in ${requests.length} requests (${(originBytes / lecture.sizeBytes).toFixed(2)}× the file); ` +
        `offline after a reload, a fresh player from 110 s started in ${Math.round(offline.startMs)} ms; upstream: ${upstreamLog(requests)}`,
    );
  });

  test('a long lecture (80 MB WAV) seeks to 25 min: what was fetched for both places is stored, and it replays offline from there', async ({ session, origin, unique }) => {
    test.setTimeout(150_000);
    const wav = catalogue.find((entry) => entry.type === 'audio/wav')!;
    const src = unique(wav.url);
    await openControlled(session, origin);
    await session.evaluate(playVideo, src, 0, 1, 1500);
    const at = Math.floor((wav.sizeBytes * 1500) / wav.durationSeconds / SEGMENT);
    const segments = await poll('the start and the part at 25 min stored', async () => {
      const stored = await session.evaluate(storedSegmentsOf, src);
      return stored && stored.includes(0) && stored.some((index) => Math.abs(index - at) <= 2) ? stored : null;
    });
    // How much more than what played gets fetched is the engine's player's choice (WebKit's
    // reads far ahead); the figure says how much.
    const total = Math.ceil(wav.sizeBytes / SEGMENT);
    const requests = await origin.requestsFor(src);
    expectOnlyWorkerRequests(requests, wav.sizeBytes);
    const originBytes = await origin.bytesFor(src);

    await origin.setUnreachable(true);
    await openControlled(session, origin);
    const offline = await session.evaluate(playVideo, src, 1500, 1, null);
    expect(offline.currentTime).toBeGreaterThanOrEqual(1501);
    figure(
      `${session.engine}: WAV of ${(wav.sizeBytes / MiB).toFixed(1)} MiB played 0-1 s and from 25 min: ${segments.length} of ${total} segments stored, ` +
        `origin sent ${(originBytes / MiB).toFixed(2)} MiB in ${requests.length} requests; offline from 25 min started in ${Math.round(offline.startMs)} ms; ` +
        `upstream: ${upstreamLog(requests)}`,
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
    figure(`${session.engine}: 6 MiB read cold, stitched and whole, then offline: origin sent ${(originBytes / size).toFixed(2)}× the file; upstream: ${upstreamLog(await origin.requestsFor(src))}`);
  });

  test('downloads with progress, pause, resume and cancel through the page API', async ({ session, origin, unique }) => {
    test.setTimeout(120_000);
    const size = 8 * MiB;
    // Paced, so pause and cancel land mid-download whatever the machine's speed.
    const src = unique(`/media/gen/download.bin?size=${size}&trickle=2000000`);
    const other = unique(`/media/gen/cancelled.bin?size=${size}&trickle=1000000`);
    await openControlled(session, origin);
    const paused = await session.evaluate(async (url) => {
      const library = (window as unknown as { offlineLibrary: Library }).offlineLibrary;
      const seen: Array<{ state: string; storedBytes: number }> = [];
      (window as unknown as { __seen: typeof seen }).__seen = seen;
      const absolute = new URL(url, location.href).href;
      library.addEventListener('progress', (event) => {
        const { url: of, state, storedBytes } = (event as CustomEvent<{ url: string; state: string; storedBytes: number }>).detail;
        if (of === absolute) seen.push({ state, storedBytes });
      });
      (window as unknown as { __started: number }).__started = performance.now();
      await library.download(url);
      for (let i = 0; i < 600 && !((await library.list()).find((entry) => entry.url === absolute)?.storedBytes ?? 0); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return library.pause(url);
    }, src);
    expect(paused.state).toBe('paused');
    // Paused: once what was in flight has settled, nothing more is stored or asked for.
    const storedBytes = () => session.evaluate(async (url) => {
      const absolute = new URL(url, location.href).href;
      const library = (window as unknown as { offlineLibrary: Library }).offlineLibrary;
      return (await library.list()).find((entry) => entry.url === absolute)?.storedBytes ?? 0;
    }, src);
    let settled = -1;
    await poll('the paused download settles', async () => {
      const now = await storedBytes();
      const same = now === settled;
      settled = now;
      return same;
    });
    const requestsWhilePaused = (await origin.requestsFor(src)).length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await storedBytes()).toBe(settled);
    expect((await origin.requestsFor(src)).length).toBe(requestsWhilePaused);
    expect(settled).toBeLessThan(size);

    const outcome = await session.evaluate(async (url) => {
      const library = (window as unknown as { offlineLibrary: Library }).offlineLibrary;
      const absolute = new URL(url, location.href).href;
      await library.resume(url);
      for (let i = 0; i < 1200 && (await library.list()).find((entry) => entry.url === absolute)?.download?.state !== 'complete'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const completeMs = performance.now() - (window as unknown as { __started: number }).__started;
      return { completeMs, seen: (window as unknown as { __seen: Array<{ state: string; storedBytes: number }> }).__seen };
    }, src);
    expect(outcome.seen.some((event) => event.state === 'downloading' && event.storedBytes > 0 && event.storedBytes < size)).toBe(true);
    expect(outcome.seen.some((event) => event.state === 'paused')).toBe(true);
    expect(outcome.seen.at(-1)).toMatchObject({ state: 'complete', storedBytes: size });
    // A pause drops the window in flight (2 MiB at most per running fetch); nothing else is fetched twice.
    const originBytes = await origin.bytesFor(src);
    expect(originBytes).toBeLessThanOrEqual(size * 1.5);

    const cancelled = await session.evaluate(async (url) => {
      const library = (window as unknown as { offlineLibrary: Library }).offlineLibrary;
      const absolute = new URL(url, location.href).href;
      const file = async () => (await library.list()).find((entry) => entry.url === absolute);
      await library.download(url);
      for (let i = 0; i < 600 && !((await file())?.storedBytes ?? 0); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      const before = (await file())?.storedBytes ?? 0;
      await library.cancel(url);
      const after = await file();
      return { before, download: after?.download ?? null, storedBytes: after?.storedBytes ?? 0 };
    }, other);
    expect(cancelled.before).toBeGreaterThan(0);
    expect(cancelled).toMatchObject({ download: null, storedBytes: 0 });

    await origin.setUnreachable(true);
    const back = await session.evaluate(fetchBody, src, null);
    expect(back).toMatchObject({ status: 200, length: size, sha256: generatedSha256(0, size) });
    figure(
      `${session.engine}: 8 MiB download at 2 MB/s, paused at ${(settled / MiB).toFixed(2)} MiB and resumed: complete in ${Math.round(outcome.completeMs)} ms, ` +
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
    const bytesBefore = await origin.bytesFor(lecture.url);
    const started = Date.now();
    await session.clickButton('Download', lecture.title);
    await poll('the download complete', async () => (await session.evaluate(cardState, lecture.id)) === 'complete', 60_000);
    const completeMs = Date.now() - started;
    const meter = await poll('the storage meter counts the download', async () => {
      const reading = await session.evaluate(meterReading);
      return reading.pinnedBytes >= lecture.sizeBytes ? reading : null;
    });
    const originBytes = (await origin.bytesFor(lecture.url)) - bytesBefore;

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
        `origin sent ${(originBytes / lecture.sizeBytes).toFixed(2)}× the file after the click (the demo's player may have stored part of it before); meter: "${meter.text}"; ` +
        `after ${session.restartKeepsProcess ? 'a new window (the automation profile is in memory)' : 'a browser restart'} it played offline from 100 s and read back exactly; Delete left nothing stored`,
    );
  });

  test('the page API says what this engine lacks, and the demo shows it', async ({ session, origin }) => {
    await openControlled(session, origin, '/');
    const features = await session.evaluate(async () => {
      const library = (window as unknown as { offlineLibrary: Library }).offlineLibrary;
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
