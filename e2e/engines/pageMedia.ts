/**
 * Media steps run inside the page of any engine (handed to `session.evaluate`, so each function is
 * self-contained: no imports, no closures).
 */

export interface PlaybackOutcome {
  /** Where playback was when the step ended, seconds. */
  currentTime: number;
  /** Wall-clock ms from setting `src` to the first advance of currentTime. */
  startMs: number;
}

/**
 * Plays `src` in a new muted `<video>` (the page's previous one removed), from `from` seconds, until
 * currentTime passes `from + seconds`; then, when `seekTo` is given, seeks there and plays on for
 * `seconds` more. Rejects with the element's error code and events when it does not get there.
 */
export async function playVideo(src: string, from: number, seconds: number, seekTo: number | null): Promise<PlaybackOutcome> {
  document.querySelector('#engine-video')?.remove();
  const video = document.createElement('video');
  video.id = 'engine-video';
  video.muted = true;
  video.playsInline = true;
  video.preload = 'auto';
  const events: string[] = [];
  for (const type of ['loadedmetadata', 'canplay', 'playing', 'waiting', 'seeking', 'seeked', 'stalled', 'error']) {
    video.addEventListener(type, () => events.push(type));
  }
  document.body.append(video);
  const started = performance.now();
  const until = (what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const begun = performance.now();
      const check = setInterval(() => {
        if (done()) {
          clearInterval(check);
          resolve();
        } else if (video.error || performance.now() - begun > timeoutMs) {
          clearInterval(check);
          const error = video.error ? `${video.error.code} ${video.error.message}` : 'none';
          reject(new Error(`${what}: currentTime ${video.currentTime}, error ${error}, readyState ${video.readyState}, events ${events.slice(-12).join(',')}`));
        }
      }, 50);
    });
  video.src = src;
  if (from > 0) {
    await until('metadata', () => video.readyState >= 1);
    video.currentTime = from;
  }
  await video.play().catch((error: unknown) => events.push(`play() rejected: ${String(error)}`));
  await until('first frames', () => video.currentTime > from + 0.05);
  const startMs = performance.now() - started;
  await until(`play to ${from + seconds} s`, () => video.currentTime >= from + seconds);
  if (seekTo !== null) {
    video.currentTime = seekTo;
    await until(`seek to ${seekTo} s`, () => !video.seeking && video.currentTime >= seekTo && video.currentTime < seekTo + 5);
    await until(`play to ${seekTo + seconds} s`, () => video.currentTime >= seekTo + seconds);
  }
  video.pause();
  return { currentTime: video.currentTime, startMs };
}

/** What a `fetch()` in the page got: status, the headers that matter, length and SHA-256 of the body. */
export interface FetchedBody {
  status: number;
  contentRange: string | null;
  contentType: string | null;
  length: number;
  sha256: string;
}

/** Fetches `url` with `range` (none when null) in the page; rejects as fetch() does. */
export async function fetchBody(url: string, range: string | null): Promise<FetchedBody> {
  const response = await fetch(url, range === null ? {} : { headers: { Range: range } });
  const body = new Uint8Array(await response.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  return {
    status: response.status,
    contentRange: response.headers.get('Content-Range'),
    contentType: response.headers.get('Content-Type'),
    length: body.length,
    sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''),
  };
}

/** The stored segments of `url` as the page API lists them (absolute URL), or null when none is listed. */
export async function storedSegmentsOf(url: string): Promise<number[] | null> {
  const library = (window as unknown as { offlineLibrary?: { list(): Promise<Array<{ url: string; storedSegments: number[] }>> } }).offlineLibrary;
  if (!library) throw new Error('window.offlineLibrary is missing: not the demo page');
  const absolute = new URL(url, location.href).href;
  const file = (await library.list()).find((entry) => entry.url === absolute);
  return file ? file.storedSegments : null;
}
