import {
  MEDIA_CACHE_CHANNEL,
  parseCacheEvent,
  type CacheMetrics,
  type DownloadProgress,
  type StorageSummary,
  type StoredFileInfo,
  type WorkerFeatures,
  type WorkerRequest,
  type WorkerResults,
} from '../messages.js';
import { activeWorker } from './activeWorker.js';
import { BackgroundHandoff, type BackgroundFetchOptions, type HandoffEnvironment } from './BackgroundHandoff.js';
import { requestPersistence, type PersistenceResult } from './requestPersistence.js';
import { requestWorker, type WorkerEndpoint } from './requestWorker.js';

/** How an `OfflineLibrary` reaches the worker; every field has a default for a page the worker controls. */
export interface OfflineLibraryOptions {
  /** How long a request waits for the worker and its reply before rejecting with `worker-unavailable`. Default 10 s. */
  timeoutMs?: number;
  /** The worker to ask. Default: the page's controller, else the registration's active worker. */
  worker?: () => Promise<WorkerEndpoint>;
  /** Where the worker's events arrive. Default: a BroadcastChannel named `MEDIA_CACHE_CHANNEL`. */
  channel?: BroadcastChannel;
  /** Default: `navigator.storage`. */
  storage?: StorageManager;
  /** Base for relative URLs. Default: `location.href`. */
  baseUrl?: string;
  /**
   * Hand running downloads to Background Fetch when the page goes away, so they go on with no page
   * open (Chromium); `false` keeps them in the worker only. Default: on, in a page with service workers.
   */
  backgroundFetch?: false | (BackgroundFetchOptions & { environment?: HandoffEnvironment });
}

/** Options of `OfflineLibrary.download`. */
export interface DownloadOptions {
  /** Hex SHA-256 of the whole file: the worker verifies it before reporting the download complete. */
  sha256?: string;
}

/** The worker's storage summary, plus what only the page can ask for. */
export interface LibraryStorage extends StorageSummary {
  /** `navigator.storage.persisted()`: false where unavailable. */
  persisted: boolean;
  /** The answer to the persistence request made on the first download, undefined before it. */
  persistence: PersistenceResult | undefined;
}

/** The worker's features, plus whether the page can ask for persistent storage. */
export interface LibraryFeatures extends WorkerFeatures {
  /** `navigator.storage.persist()` in the page: without it, downloads may be cleared under storage pressure. */
  persistence: boolean;
}

/** The events an `OfflineLibrary` dispatches, with their `detail`. */
export interface OfflineLibraryEventMap {
  progress: CustomEvent<DownloadProgress>;
  'file-changed': CustomEvent<{ url: string }>;
  'file-removed': CustomEvent<{ url: string }>;
  /** A downloaded file whose origin has a newer version: it still plays; `download(url)` fetches the new one. */
  'file-outdated': CustomEvent<{ url: string }>;
}

type Listener<E> = ((event: E) => void) | { handleEvent(event: E): void };

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The page side of offline downloads. Downloads run in the service worker (they go on while the page
 * navigates or closes); this object sends it requests, and re-dispatches the events it broadcasts
 * (`progress`, `file-changed`, `file-removed`, `file-outdated`) as CustomEvents. Worker errors reject with a
 * `MediaCacheError` carrying the worker's code; no reply within `timeoutMs` is `worker-unavailable`.
 *
 * Owns its BroadcastChannel: call `close()` when done with it.
 */
export class OfflineLibrary extends EventTarget {
  readonly #timeoutMs: number;
  readonly #worker: () => Promise<WorkerEndpoint>;
  readonly #channel: BroadcastChannel;
  readonly #storage: StorageManager | undefined;
  readonly #baseUrl: string | undefined;
  readonly #handoff: BackgroundHandoff | undefined;
  #persistenceRequest: Promise<PersistenceResult> | undefined;
  #persistence: PersistenceResult | undefined;

  constructor(options: OfflineLibraryOptions = {}) {
    super();
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#worker = options.worker ?? activeWorker;
    this.#storage = options.storage ?? globalThis.navigator?.storage;
    this.#baseUrl = options.baseUrl ?? globalThis.location?.href;
    this.#channel = options.channel ?? new BroadcastChannel(MEDIA_CACHE_CHANNEL);
    this.#channel.addEventListener('message', this.#onChannelMessage);
    const background = options.backgroundFetch;
    if (background !== false && (background?.environment || globalThis.navigator?.serviceWorker)) {
      this.#handoff = new BackgroundHandoff(this, background, background?.environment);
    }
  }

  /** Whether downloads are handed to Background Fetch when the page goes away (known once the worker's registration is ready). */
  get backgroundFetchAvailable(): boolean {
    return this.#handoff?.available ?? false;
  }

  /** The answer to the persistence request, once the first download asked. */
  get persistence(): PersistenceResult | undefined {
    return this.#persistence;
  }

  /**
   * Starts or resumes downloading `url` for offline use; the file is pinned (never evicted). The first
   * call also asks for persistent storage, without waiting for the answer: see `requestPersistence()`.
   * Rejects with `insufficient-quota` when the storage estimate says the file cannot fit.
   */
  download(url: string, options: DownloadOptions = {}): Promise<DownloadProgress> {
    void this.requestPersistence();
    const request: WorkerRequest = { type: 'download', url: this.#absolute(url) };
    if (options.sha256 !== undefined) request.sha256 = options.sha256;
    return this.#request(request);
  }

  pause(url: string): Promise<DownloadProgress> {
    return this.#request({ type: 'pause', url: this.#absolute(url) });
  }

  resume(url: string): Promise<DownloadProgress> {
    return this.#request({ type: 'resume', url: this.#absolute(url) });
  }

  /** Stops the download and unpins the file, deleting what it stored. */
  async cancel(url: string): Promise<void> {
    await this.#request({ type: 'cancel', url: this.#absolute(url) });
  }

  /** Deletes everything stored for `url`, downloaded or only streamed. */
  async remove(url: string): Promise<void> {
    await this.#request({ type: 'remove', url: this.#absolute(url) });
  }

  /**
   * Deletes every stored file and every download, downloaded or only streamed, and stops the
   * downloads running (in the worker and in Background Fetch): for a user who logs out. The
   * storage estimate's usage drops once the browser has deleted the files.
   */
  async clear(): Promise<void> {
    await this.#request({ type: 'clear' });
  }

  /** Every file with stored data or a download. */
  list(): Promise<StoredFileInfo[]> {
    return this.#request({ type: 'list' });
  }

  async storage(): Promise<LibraryStorage> {
    const [summary, persisted] = await Promise.all([this.#request({ type: 'storage' }), this.#persisted()]);
    return { ...summary, persisted, persistence: this.#persistence };
  }

  /** Another name for `storage()`, as the Storage API names it. */
  estimate(): Promise<LibraryStorage> {
    return this.storage();
  }

  metrics(): Promise<CacheMetrics> {
    return this.#request({ type: 'metrics' });
  }

  /**
   * What this browser offers of the APIs the cache uses, each false where it is missing: the
   * worker's (see `WorkerFeatures`) and the page's own `persistence` (`navigator.storage.persist`).
   * A missing API never fails a read or a download; this says what works differently.
   */
  async features(): Promise<LibraryFeatures> {
    const worker = await this.#request({ type: 'features' });
    return { ...worker, persistence: typeof this.#storage?.persist === 'function' };
  }

  /** Asks for persistent storage once per library; later calls return the same answer. */
  requestPersistence(): Promise<PersistenceResult> {
    this.#persistenceRequest ??= requestPersistence(this.#storage).then((result) => (this.#persistence = result));
    return this.#persistenceRequest;
  }

  /**
   * The progress of `url`'s download: its current state first (when there is a download), then every
   * update, until `complete` or `error` (included) or the caller breaks. Updates in the same state that
   * arrive faster than the caller reads are merged: only the latest is kept.
   */
  async *progress(url: string): AsyncGenerator<DownloadProgress, void, undefined> {
    const target = this.#absolute(url);
    const queue: DownloadProgress[] = [];
    let wake: (() => void) | undefined;
    // A signed URL's download is keyed otherwise: it is found by the URL it fetches from too.
    const matches = (progress: DownloadProgress): boolean => progress.url === target || progress.sourceUrl === target;
    const onProgress = ({ detail }: CustomEvent<DownloadProgress>): void => {
      if (!matches(detail)) return;
      if (queue.at(-1)?.state === detail.state) queue[queue.length - 1] = detail;
      else queue.push(detail);
      wake?.();
    };
    this.addEventListener('progress', onProgress);
    try {
      const current = (await this.list()).map((file) => file.download).find((download) => download !== undefined && matches(download));
      if (current !== undefined && queue.length === 0) queue.push(current);
      for (;;) {
        while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const update = queue.shift()!;
        yield update;
        if (update.state === 'complete' || update.state === 'error') return;
      }
    } finally {
      this.removeEventListener('progress', onProgress);
    }
  }

  /**
   * Hands the running downloads to Background Fetch now, so they go on after the page closes even
   * if the worker is stopped (Chromium); resolves with their URLs, none where Background Fetch is
   * unavailable. The library also does this as the page goes away, but a closing page cannot
   * always start one (see `BackgroundHandoff`): apps that want certainty offer a button.
   */
  continueInBackground(): Promise<string[]> {
    return this.#handoff?.handOffNow((url) => this.#request({ type: 'prepare-handoff', url })) ?? Promise.resolve([]);
  }

  /** Stops listening to the worker's events (and hands nothing to Background Fetch any more). Requests still work. */
  close(): void {
    this.#handoff?.close(this);
    this.#channel.removeEventListener('message', this.#onChannelMessage);
    this.#channel.close();
  }

  override addEventListener<K extends keyof OfflineLibraryEventMap>(
    type: K,
    listener: Listener<OfflineLibraryEventMap[K]> | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof OfflineLibraryEventMap>(
    type: K,
    listener: Listener<OfflineLibraryEventMap[K]> | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }

  readonly #onChannelMessage = (message: MessageEvent): void => {
    const event = parseCacheEvent(message.data);
    if (event === undefined) return;
    if (event.type === 'progress') this.dispatchEvent(new CustomEvent('progress', { detail: event.progress }));
    else this.dispatchEvent(new CustomEvent(event.type, { detail: { url: event.url } }));
  };

  #request<R extends WorkerRequest>(request: R): Promise<WorkerResults[R['type']]> {
    return requestWorker(request, { worker: this.#worker, timeoutMs: this.#timeoutMs });
  }

  async #persisted(): Promise<boolean> {
    try {
      return typeof this.#storage?.persisted === 'function' ? await this.#storage.persisted() : false;
    } catch {
      return false;
    }
  }

  /** The worker keys files by absolute URL; the protocol refuses relative ones. */
  #absolute(url: string): string {
    try {
      return new URL(url, this.#baseUrl).href;
    } catch (error) {
      throw new TypeError(`OfflineLibrary: ${JSON.stringify(url)} is not a URL (relative URLs need a page or a baseUrl).`, { cause: error });
    }
  }
}
