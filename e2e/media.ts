import type { Page } from '@playwright/test';

/** What happened to the element under test (events recorded in the page). */
export interface MediaState {
  currentTime: number;
  duration: number;
  paused: boolean;
  readyState: number;
  errorCode: number | null;
  events: string[];
  seekedCount: number;
}

/**
 * Puts a `<video>` or `<audio>` with `src` in the page (replacing any earlier one), muted and
 * playing, and records its events. Without `crossorigin`, as the demo does.
 */
export async function mountMedia(page: Page, kind: 'video' | 'audio', src: string): Promise<void> {
  await page.evaluate(
    async ({ kind, src }) => {
      document.getElementById('media-under-test')?.remove();
      const element = document.createElement(kind);
      element.id = 'media-under-test';
      element.muted = true;
      element.preload = 'auto';
      const events: string[] = [];
      (window as unknown as { __mediaEvents: string[] }).__mediaEvents = events;
      for (const name of ['error', 'seeked', 'stalled', 'waiting', 'playing', 'pause', 'ended', 'emptied']) {
        element.addEventListener(name, () => events.push(name));
      }
      document.body.append(element);
      element.src = src;
      await element.play();
    },
    { kind, src },
  );
}

export async function mediaState(page: Page): Promise<MediaState> {
  return page.evaluate(() => {
    const element = document.getElementById('media-under-test') as HTMLMediaElement;
    const events = (window as unknown as { __mediaEvents: string[] }).__mediaEvents;
    return {
      currentTime: element.currentTime,
      duration: element.duration,
      paused: element.paused,
      readyState: element.readyState,
      errorCode: element.error ? element.error.code : null,
      events: [...events],
      seekedCount: events.filter((event) => event === 'seeked').length,
    };
  });
}

/** Waits until the element's currentTime reaches `seconds` (failing early on a media error). */
export async function waitForCurrentTime(page: Page, seconds: number, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(
    (target) => {
      const element = document.getElementById('media-under-test') as HTMLMediaElement;
      if (element.error) throw new Error(`media error ${element.error.code}: ${element.error.message}`);
      return element.currentTime >= target;
    },
    seconds,
    { timeout: timeoutMs, polling: 100 },
  );
}

/** Seeks to `seconds` and waits for the `seeked` event. */
export async function seekTo(page: Page, seconds: number, timeoutMs = 20_000): Promise<void> {
  await page.evaluate(
    ({ seconds, timeoutMs }) =>
      new Promise<void>((resolve, reject) => {
        const element = document.getElementById('media-under-test') as HTMLMediaElement;
        const timer = setTimeout(() => reject(new Error(`no seeked event within ${timeoutMs} ms (seeking to ${seconds})`)), timeoutMs);
        element.addEventListener('seeked', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
        element.addEventListener('error', () => {
          clearTimeout(timer);
          reject(new Error(`media error ${element.error?.code} while seeking`));
        }, { once: true });
        element.currentTime = seconds;
      }),
    { seconds, timeoutMs },
  );
}

export async function setPaused(page: Page, paused: boolean): Promise<void> {
  await page.evaluate(async (paused) => {
    const element = document.getElementById('media-under-test') as HTMLMediaElement;
    if (paused) element.pause();
    else await element.play();
  }, paused);
}
