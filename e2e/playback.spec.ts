/** Playback through the service worker: play, seek, offline replay, a long pause. */
import { expect, fetchInPage, figure, recordResponses, test, uniqueTag } from './fixtures';
import { mediaState, mountMedia, seekTo, setPaused, waitForCurrentTime } from './media';
import { distMedia } from './sources';
import { MiB, waitForStoredBytes } from './workerClient';

function sampleVideoUrl(): string {
  const [video] = distMedia('.mp4');
  if (!video) throw new Error('no committed .mp4 in dist/media (npm run build copies public/media)');
  return video.url;
}

test.describe('playback through the service worker', () => {
  test('a <video> plays, seeks forward and back; every media response comes from the SW', async ({ swPage: page }) => {
    const responses = recordResponses(page);
    // A URL of its own: the demo page plays the same lecture, and Chromium's media cache shares
    // the bytes of one URL within a page, which could leave this element nothing to request.
    const src = `${sampleVideoUrl()}?play=${uniqueTag()}`;
    await mountMedia(page, 'video', src);
    await waitForCurrentTime(page, 1);
    const { duration } = await mediaState(page);
    expect(duration).toBeGreaterThan(4);

    await seekTo(page, duration * 0.7);
    const afterForward = (await mediaState(page)).currentTime;
    expect(afterForward).toBeGreaterThanOrEqual(duration * 0.7 - 0.5);
    await waitForCurrentTime(page, afterForward + 0.5);

    await seekTo(page, 0.5);
    expect((await mediaState(page)).currentTime).toBeLessThan(duration * 0.5);
    await waitForCurrentTime(page, 1.2);

    const state = await mediaState(page);
    expect(state.errorCode).toBeNull();
    expect(state.events).not.toContain('error');
    expect(state.seekedCount).toBeGreaterThanOrEqual(2);

    const media = responses.filter((response) => {
      const url = new URL(response.url);
      return url.pathname + url.search === src;
    });
    expect(media.length).toBeGreaterThan(0);
    expect(media.filter((response) => !response.fromServiceWorker).map((r) => `${r.status} ${r.range}`)).toEqual([]);
    for (const response of media) {
      expect([200, 206]).toContain(response.status);
      const headers = await response.response.allHeaders();
      expect(headers['accept-ranges'], `Accept-Ranges on ${response.status} for Range ${response.range}`).toBe('bytes');
    }
  });

  test('offline after watching: the watched parts play and seek again, and the app shell reloads', async ({ swPage: page, context }) => {
    const src = sampleVideoUrl();
    await mountMedia(page, 'video', src);
    await waitForCurrentTime(page, 2);
    const { duration } = await mediaState(page);
    const middle = Math.floor(duration / 2);
    await seekTo(page, middle);
    await waitForCurrentTime(page, middle + 1.5);

    await context.setOffline(true);
    // Same page, no reload: a fresh element must be answered from storage alone.
    await mountMedia(page, 'video', src);
    await waitForCurrentTime(page, 1.5);
    await seekTo(page, middle + 0.2);
    await waitForCurrentTime(page, middle + 1);
    const state = await mediaState(page);
    expect(state.errorCode).toBeNull();
    expect(state.events).not.toContain('error');

    await page.reload();
    await expect(page.locator('#lecture-list')).toBeAttached();
    // The app's script and styles and its catalogue came from the precache: the lecture cards
    // are built by the script from /lectures.json.
    await expect(page.locator('#lecture-list article').first()).toBeVisible();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 10_000 });
  });

  test('a player paused 60 s on a long WAV resumes and keeps playing', async ({ swPage: page }) => {
    test.setTimeout(150_000);
    // 400 s of 44.1 kHz stereo 16-bit ≈ 70.6 MB: larger than the player's buffer, so it stops reading.
    const src = `/media/gen/long.wav?seconds=400&t=${uniqueTag()}`;
    await mountMedia(page, 'audio', src);
    await waitForCurrentTime(page, 3);
    await setPaused(page, true);
    const pausedAt = (await mediaState(page)).currentTime;

    await page.waitForTimeout(60_000);
    const whilePaused = await mediaState(page);
    expect(whilePaused.errorCode).toBeNull();
    expect(whilePaused.paused).toBe(true);

    // setPaused(false), timed in the page: from play() to currentTime moving past the pause point.
    const resumedAfterMs = await page.evaluate(
      (pausedAt) =>
        new Promise<number>((resolve, reject) => {
          const element = document.getElementById('media-under-test') as HTMLMediaElement;
          const started = performance.now();
          const timer = setInterval(() => {
            if (element.error) {
              clearInterval(timer);
              reject(new Error(`media error ${element.error.code} after resuming`));
            } else if (element.currentTime > pausedAt + 0.001) {
              clearInterval(timer);
              resolve(Math.round(performance.now() - started));
            } else if (performance.now() - started > 20_000) {
              clearInterval(timer);
              reject(new Error('currentTime did not advance within 20 s of play()'));
            }
          }, 5);
          element.play().catch(reject);
        }),
      pausedAt,
    );
    figure(`resume after a 60 s pause: currentTime advanced ${resumedAfterMs} ms after play()`);
    await waitForCurrentTime(page, pausedAt + 2, 20_000);
    const state = await mediaState(page);
    expect(state.errorCode).toBeNull();
    expect(state.events).not.toContain('error');
  });

  test('offline, a lecture stored only in part plays from its start: the answer holds what is stored and ends where it ends', async ({ swPage: page, context }) => {
    // 120 s of 44.1 kHz stereo 16-bit ≈ 21 MB, of which only the first MiB or so is read.
    const src = `/media/gen/long.wav?seconds=120&part=${uniqueTag()}`;
    const head = await fetchInPage(page, src, { range: `bytes=0-${MiB - 1}`, maxBodyBytes: 0 });
    expect(head.status).toBe(206);
    const url = new URL(src, page.url()).href;
    const stored = await waitForStoredBytes(page, url, MiB);
    expect(stored.storedBytes, 'only part of it').toBeLessThan(stored.sizeBytes);

    await context.setOffline(true);
    // What a fresh media element asks first: from byte 0 to the end.
    const offline = await page.evaluate(
      async ({ src, prefixBytes }) => {
        const response = await fetch(src, { headers: { Range: 'bytes=0-' } });
        const reader = response.body!.getReader();
        const prefix = new Uint8Array(prefixBytes);
        let received = 0;
        let error: string | null = null;
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            if (received < prefixBytes) prefix.set(value.subarray(0, prefixBytes - received), received);
            received += value.byteLength;
          }
        } catch (caught) {
          error = String(caught);
        }
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', prefix));
        return { status: response.status, contentRange: response.headers.get('Content-Range'), received, error, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
      },
      { src, prefixBytes: MiB },
    );
    expect(offline.status, `offline bytes=0-: ${JSON.stringify(offline)}`).toBe(206);
    expect(offline.contentRange).toBe(`bytes 0-${stored.sizeBytes - 1}/${stored.sizeBytes}`);
    expect(offline.received, 'the stored bytes, at least').toBeGreaterThanOrEqual(MiB);
    expect(offline.sha256, 'the stored bytes, exact').toBe(head.sha256);
    expect(offline.error, 'the body ends in an error where the stored bytes end').not.toBeNull();

    await mountMedia(page, 'audio', src);
    await waitForCurrentTime(page, 1);
    expect((await mediaState(page)).errorCode, 'a fresh player, offline').toBeNull();
    figure(`offline, ${(stored.storedBytes / MiB).toFixed(2)} of ${(stored.sizeBytes / MiB).toFixed(2)} MiB stored: bytes=0- got a 206 and ${(offline.received / MiB).toFixed(2)} MiB before its end; a fresh <audio> played`);
  });
});
