import { backgroundFetchId, backgroundFetchOf, type BackgroundFetchManagerLike } from '../downloads/backgroundFetch.js';
import { MEDIA_CACHE_MESSAGE, type DownloadProgress, type WorkerRequest } from '../messages.js';

/** Whether and when running downloads are handed to Background Fetch as the page goes away. */
export interface BackgroundFetchOptions {
  /** What the browser's download UI calls the download of `url`. Default: the file's name. */
  title?: (url: string) => string;
  /**
   * Icons for the browser's download UI. Used by `handOffNow` only: the browser loads them before it
   * starts the fetch, which a closing page may not live to see.
   */
  icons?: Array<{ src: string; sizes?: string; type?: string }>;
}

/** Where the hand-off meets the browser; the defaults are the page's own (tests pass their own). */
export interface HandoffEnvironment {
  /** Default: `navigator.serviceWorker.ready`. */
  registration: Promise<unknown>;
  /** The worker controlling the page, if any. Default: `navigator.serviceWorker.controller`. */
  controller: () => Pick<ServiceWorker, 'postMessage'> | null | undefined;
  /** Where `pagehide` fires. Default: `window`. */
  window: EventTarget;
}

/**
 * Hands the page's running downloads to Background Fetch, so they go on with no page open, even
 * with the worker stopped; the worker stores what the browser fetched when it ends. While a page
 * is open, downloads run in the worker instead: there they share bytes with playback, report
 * progress as segments land, and pause at once. Where the browser has no Background Fetch this
 * does nothing: downloads go on in the worker while it lives, and resume from the stored segments
 * when it next starts.
 *
 * When: as the page goes away (`beforeunload`, else `pagehide`), automatically; or when the app
 * asks (`handOffNow`, e.g. from a "continue in background" button). Only the second is certain in
 * Chromium: a fetch started by a page that is already closing may be refused or start paused
 * (its permission no longer comes from the tab), and the worker then keeps the download itself.
 *
 * What to ask for comes from the worker's progress events (`remaining`). The worker is told with a
 * `handoff` message and stops its own download at once; it confirms the hand-off only once the
 * background fetch moves bytes and no other page of the app is open (else it aborts the
 * background fetch and goes on itself).
 */
export class BackgroundHandoff {
  readonly #options: BackgroundFetchOptions;
  readonly #environment: HandoffEnvironment;
  readonly #active = new Map<string, DownloadProgress>();
  #manager: BackgroundFetchManagerLike | undefined;

  constructor(library: EventTarget, options: BackgroundFetchOptions = {}, environment: HandoffEnvironment = pageEnvironment()) {
    this.#options = options;
    this.#environment = environment;
    environment.registration.then(
      (registration) => (this.#manager = backgroundFetchOf(registration)),
      () => undefined,
    );
    library.addEventListener('progress', this.#onProgress);
    environment.window.addEventListener('beforeunload', this.#onPageHide);
    environment.window.addEventListener('pagehide', this.#onPageHide);
  }

  /** True once the page's registration is known to have Background Fetch. */
  get available(): boolean {
    return this.#manager !== undefined;
  }

  /**
   * Hands every running download to Background Fetch as the page goes away, without waiting (the
   * page may be gone before any answer); returns their URLs.
   */
  handOff(): string[] {
    const handed: string[] = [];
    for (const progress of this.#take()) {
      const started = this.#start(progress, false);
      if (!started) break;
      started.catch(() => undefined);
      this.#tell(progress.url);
      handed.push(progress.url);
    }
    return handed;
  }

  /**
   * Hands every running download to Background Fetch now, while the page is alive (so the browser
   * lets it start); resolves with the URLs the browser accepted. `prepare` asks the worker to stop
   * each download first and answer its exact remaining ranges. The worker still confirms each hand-off
   * (see the class), and takes the download back when the browser refused it.
   */
  async handOffNow(prepare: (url: string) => Promise<DownloadProgress>): Promise<string[]> {
    const handed: string[] = [];
    for (const stale of this.#take()) {
      let accepted = false;
      try {
        const progress = await prepare(stale.url);
        const started = (progress.remaining ?? []).length > 0 ? this.#start(progress, true) : undefined;
        accepted = (await started) !== undefined;
      } catch {
        accepted = false;
      }
      this.#tell(stale.url);
      if (accepted) handed.push(stale.url);
    }
    return handed;
  }

  /** The downloads to hand off (each once); none without Background Fetch or a controlling worker to tell. */
  #take(): DownloadProgress[] {
    // Without a controller the worker could not be told, and would download the same bytes itself.
    if (!this.#manager || !this.#environment.controller()) return [];
    const active = [...this.#active.values()].filter((progress) => (progress.remaining ?? []).length > 0);
    this.#active.clear();
    return active;
  }

  #start(progress: DownloadProgress, withIcons: boolean): Promise<unknown> | undefined {
    const ranges = progress.remaining ?? [];
    // From the URL the download fetches from (a signed URL's latest signature); keyed by the file's key.
    const source = progress.sourceUrl ?? progress.url;
    const requests = ranges.map((range) => new Request(source, { headers: { Range: `bytes=${range.start}-${range.end}` } }));
    const downloadTotal = ranges.reduce((sum, range) => sum + range.end - range.start + 1, 0);
    const title = this.#options.title?.(progress.url) ?? fileName(progress.url);
    const icons = withIcons && this.#options.icons ? { icons: this.#options.icons } : {};
    return this.#manager?.fetch(backgroundFetchId(progress.url), requests, { title, downloadTotal, ...icons });
  }

  /** Tells the worker, which stops its own download and confirms once the background fetch moves. */
  #tell(url: string): void {
    const request: WorkerRequest = { type: 'handoff', url };
    this.#environment.controller()?.postMessage({ kind: MEDIA_CACHE_MESSAGE, request }, [new MessageChannel().port2]);
  }

  close(library: EventTarget): void {
    library.removeEventListener('progress', this.#onProgress);
    this.#environment.window.removeEventListener('beforeunload', this.#onPageHide);
    this.#environment.window.removeEventListener('pagehide', this.#onPageHide);
  }

  readonly #onProgress = (event: Event): void => {
    const progress = (event as CustomEvent<DownloadProgress>).detail;
    const running = (progress.state === 'queued' || progress.state === 'downloading') && !progress.background;
    if (running) this.#active.set(progress.url, progress);
    else this.#active.delete(progress.url);
  };

  readonly #onPageHide = (): void => {
    this.handOff();
  };
}

function pageEnvironment(): HandoffEnvironment {
  const container = globalThis.navigator?.serviceWorker;
  return {
    registration: container ? container.ready : new Promise<never>(() => undefined),
    controller: () => container?.controller,
    window: globalThis,
  };
}

function fileName(url: string): string {
  const path = new URL(url).pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || url;
}
