import { describe, expect, it } from 'vitest';
import { backgroundFetchId, type BackgroundFetchManagerLike } from '../downloads/backgroundFetch.js';
import { parseWorkerRequest, type DownloadProgress, type WorkerRequest } from '../messages.js';
import { BackgroundHandoff, type HandoffEnvironment } from './BackgroundHandoff.js';

const URL_1 = 'https://lectures.test/media/one.mp4';
const URL_2 = 'https://lectures.test/media/two.webm';

interface Started {
  id: string;
  ranges: Array<string | null>;
  options: { title?: string; downloadTotal?: number } | undefined;
}

function setup(options: { controller?: boolean; backgroundFetch?: boolean; refuse?: boolean } = {}) {
  const started: Started[] = [];
  const told: WorkerRequest[] = [];
  const manager: Partial<BackgroundFetchManagerLike> = {
    fetch: async (id, requests, fetchOptions) => {
      if (options.refuse) throw new TypeError('This origin does not have permission to start a fetch.');
      started.push({ id, ranges: requests.map((request) => request.headers.get('Range')), options: fetchOptions });
      return {} as never;
    },
  };
  const window = new EventTarget();
  const environment: HandoffEnvironment = {
    registration: Promise.resolve(options.backgroundFetch === false ? {} : { backgroundFetch: manager }),
    controller: () =>
      options.controller === false
        ? null
        : {
            postMessage: (message: unknown) => {
              told.push(parseWorkerRequest(message)!);
            },
          },
    window,
  };
  const library = new EventTarget();
  const handoff = new BackgroundHandoff(library, { title: (url) => `Lecture ${url.slice(-7)}` }, environment);
  const progress = (update: Partial<DownloadProgress> & { url: string }): void => {
    const detail: DownloadProgress = { state: 'downloading', storedBytes: 0, totalBytes: 100, fraction: 0, ...update };
    library.dispatchEvent(new CustomEvent('progress', { detail }));
  };
  return { handoff, started, told, window, progress, ready: () => environment.registration.then(() => undefined) };
}

describe('BackgroundHandoff', () => {
  it('hands each running download to Background Fetch as the page goes away: its remaining ranges, then a handoff message', async () => {
    const { handoff, started, told, window, progress, ready } = setup();
    await ready();
    expect(handoff.available).toBe(true);
    progress({ url: URL_1, remaining: [{ start: 0, end: 9 }, { start: 20, end: 99 }] });
    progress({ url: URL_2, state: 'paused', remaining: [{ start: 0, end: 9 }] });
    window.dispatchEvent(new Event('pagehide'));
    await Promise.resolve();
    expect(started).toEqual([{ id: backgroundFetchId(URL_1), ranges: ['bytes=0-9', 'bytes=20-99'], options: { title: 'Lecture one.mp4', downloadTotal: 90 } }]);
    expect(told).toEqual([{ type: 'handoff', url: URL_1 }]);
    // beforeunload came first on a real close: nothing is handed off twice.
    window.dispatchEvent(new Event('pagehide'));
    expect(told).toHaveLength(1);
  });

  it('keeps only the latest state: a download that paused, completed or already runs in the background is not handed off', async () => {
    const { started, window, progress, ready } = setup();
    await ready();
    progress({ url: URL_1, remaining: [{ start: 0, end: 9 }] });
    progress({ url: URL_1, state: 'complete', remaining: undefined });
    progress({ url: URL_2, remaining: [{ start: 0, end: 9 }] });
    progress({ url: URL_2, background: true, remaining: [{ start: 0, end: 9 }] });
    window.dispatchEvent(new Event('beforeunload'));
    expect(started).toEqual([]);
  });

  it('does nothing without Background Fetch or without a controlling worker to tell', async () => {
    for (const variant of [{ backgroundFetch: false }, { controller: false }]) {
      const { handoff, started, told, progress, ready } = setup(variant);
      await ready();
      progress({ url: URL_1, remaining: [{ start: 0, end: 9 }] });
      expect(handoff.handOff()).toEqual([]);
      expect(await handoff.handOffNow(async () => { throw new Error('not asked'); })).toEqual([]);
      expect(started).toEqual([]);
      expect(told).toEqual([]);
    }
  });

  it('handOffNow() asks the worker for the exact remaining ranges first, and reports only what the browser accepted', async () => {
    const fresh = (url: string, remaining: DownloadProgress['remaining']) => async (asked: string): Promise<DownloadProgress> => {
      expect(asked).toBe(url);
      return { url, state: 'downloading', storedBytes: 40, totalBytes: 100, fraction: 0.4, remaining };
    };
    const accepted = setup();
    await accepted.ready();
    accepted.progress({ url: URL_1, remaining: [{ start: 0, end: 99 }] });
    expect(await accepted.handoff.handOffNow(fresh(URL_1, [{ start: 40, end: 99 }]))).toEqual([URL_1]);
    expect(accepted.started.map((start) => start.ranges)).toEqual([['bytes=40-99']]);
    expect(accepted.told).toEqual([{ type: 'handoff', url: URL_1 }]);

    // Refused by the browser: the worker is still told, and takes its download back.
    const refused = setup({ refuse: true });
    await refused.ready();
    refused.progress({ url: URL_1, remaining: [{ start: 0, end: 9 }] });
    expect(await refused.handoff.handOffNow(fresh(URL_1, [{ start: 0, end: 9 }]))).toEqual([]);
    expect(refused.told).toEqual([{ type: 'handoff', url: URL_1 }]);

    // Nothing left to fetch once the worker's last segments landed: no background fetch.
    const finished = setup();
    await finished.ready();
    finished.progress({ url: URL_2, remaining: [{ start: 0, end: 9 }] });
    expect(await finished.handoff.handOffNow(fresh(URL_2, []))).toEqual([]);
    expect(finished.started).toEqual([]);
  });
});
