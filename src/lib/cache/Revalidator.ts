import { devLog } from '../devLog.js';
import type { RevalidationCounts } from '../messages.js';
import type { DownloadStore } from '../store/DownloadStore.js';
import type { FileRecord } from '../store/schema.js';
import type { SegmentStore } from '../store/SegmentStore.js';
import { ifRangeValue, sameVersion } from '../store/validators.js';
import { isOffline } from './isOffline.js';
import { readUpstreamHead } from './upstreamHead.js';

/** How often a stored file is checked against its origin, at most, by default. */
export const DEFAULT_REVALIDATE_AFTER_MS = 60 * 60 * 1000;

/** A check that takes longer than this is given up: it changes nothing. */
const CHECK_TIMEOUT_MS = 30_000;

/** A check that got no answer at all (the network failed) is tried again after this, at the earliest. */
const UNANSWERED_RETRY_MS = 60_000;

/** What a check of a stored file found. */
export type RevalidationOutcome = 'current' | 'changed' | 'unknown';

export interface RevalidatorOptions {
  store: SegmentStore;
  downloads: DownloadStore;
  /** Least time between two checks of a file; Infinity never checks. */
  intervalMs: number;
  /**
   * Deletes the version of a file only streamed (cache) that changed upstream, made at
   * `createdAt`, stopping its fetches; nothing when another version is stored by then.
   */
  purge: (key: string, createdAt: number) => Promise<void>;
}

/**
 * Checks stored files against their origin, in the background of the reads that find them
 * stored, at most once per `intervalMs` per file whatever the answer (a check that got no answer
 * at all, the network failing, is tried again after a minute): a request for the first byte with `If-Range`
 * (the cheapest conditional request every Range-capable origin answers: a 206 of one byte while
 * the stored version is current, the whole new version otherwise, which is not read). A file only
 * streamed that changed is purged (the next read fetches the new version); a downloaded file is
 * kept, playable, and reported outdated (`onOutdated`) so the app can download it again. An
 * origin that cannot be reached, redirects, refuses or answers without a validator changes
 * nothing: the stored file stays as it is, checked again after the next interval.
 */
export class Revalidator {
  readonly counts: RevalidationCounts = { checked: 0, current: 0, changed: 0, unknown: 0 };
  private readonly checking = new Set<string>();
  /** When each file may be checked again, at the earliest (in memory: a new worker checks anew when due). */
  private readonly nextCheckAt = new Map<string, number>();
  private readonly outdatedListeners = new Set<(key: string) => void>();

  constructor(private readonly options: RevalidatorOptions) {}

  /** Calls `listener` with the key of each downloaded file found changed upstream. */
  onOutdated(listener: (key: string) => void): () => void {
    this.outdatedListeners.add(listener);
    return () => this.outdatedListeners.delete(listener);
  }

  /** Starts a check of `file` from `url` when it is due and the worker is online; never waits for it. */
  revalidateIfDue(url: string, file: FileRecord, now = Date.now()): void {
    if (this.checking.has(file.url) || !this.isDue(file, now)) return;
    if (isOffline()) return;
    this.checking.add(file.url);
    void this.revalidate(url, file)
      .catch((error: unknown) => {
        if (__DEV__) devLog('revalidation failed', { url, error });
        return 'unknown' as const;
      })
      .finally(() => this.checking.delete(file.url));
  }

  isDue(file: FileRecord, now = Date.now()): boolean {
    if (now < (this.nextCheckAt.get(file.url) ?? 0)) return false;
    return now - (file.validatedAt ?? file.createdAt) >= this.options.intervalMs;
  }

  /** Checks `file` against what `url` answers now, and acts on the outcome. */
  async revalidate(url: string, file: FileRecord): Promise<RevalidationOutcome> {
    this.counts.checked += 1;
    const { outcome, answered } = await this.check(url, file);
    this.counts[outcome] += 1;
    const now = Date.now();
    this.nextCheckAt.set(file.url, now + (answered ? this.options.intervalMs : Math.min(this.options.intervalMs, UNANSWERED_RETRY_MS)));
    if (__DEV__) devLog('revalidated', { url, outcome });
    if (outcome === 'current') await this.options.store.markValidated(file.url, file.createdAt, now);
    if (outcome === 'changed') {
      if (await this.options.downloads.isPinned(file.url)) for (const listener of this.outdatedListeners) listener(file.url);
      else await this.options.purge(file.url, file.createdAt);
    }
    return outcome;
  }

  /** What `url` says of the stored version now; `answered`: some response came back. */
  private async check(url: string, file: FileRecord): Promise<{ outcome: RevalidationOutcome; answered: boolean }> {
    const ifRange = ifRangeValue(file.validator);
    if (ifRange === undefined) return { outcome: 'unknown', answered: false };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), CHECK_TIMEOUT_MS);
    try {
      const request = new Request(url, {
        headers: { Range: 'bytes=0-0', 'If-Range': ifRange },
        cache: 'no-store',
        credentials: 'same-origin',
        signal: controller.signal,
      });
      let response: Response;
      try {
        response = await fetch(request);
      } catch {
        return { outcome: 'unknown', answered: false };
      }
      void response.body?.cancel().catch(() => undefined);
      const head = readUpstreamHead(response, { url: request.url, start: 0, storedContentType: file.contentType });
      // Redirected, refused, a page, an error: nothing is known about the file.
      if (head.kind !== 'body' || head.validator === undefined) return { outcome: 'unknown', answered: true };
      return { outcome: sameVersion(file.validator, file.sizeBytes, head.validator, head.sizeBytes) ? 'current' : 'changed', answered: true };
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }
}
