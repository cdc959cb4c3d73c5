import type { RangeCache } from '../cache/RangeCache.js';
import { DownloadManager } from '../downloads/DownloadManager.js';
import { listenForBackgroundFetches, workerBackgroundFetches } from './backgroundFetches.js';
import { listenForMessages } from './listenForMessages.js';

/** Options of `enableDownloads`. */
export interface EnableDownloadsOptions {
  /**
   * Let pages hand running downloads to Background Fetch as they go away, so the downloads go on
   * with no page open (where the browser has the API; elsewhere downloads run in the worker only,
   * while it lives). Default true.
   */
  backgroundFetch?: boolean;
}

/** How long a starting worker waits before it restarts interrupted downloads. */
const RESUME_DELAY_MS = 1000;

/**
 * Lets pages download whole files for offline use through `OfflineLibrary`, and restarts the
 * downloads an earlier worker left unfinished (closed tab, crash, browser restart): they resume
 * from the stored segments.
 */
export function enableDownloads(cache: RangeCache, options: EnableDownloadsOptions = {}): DownloadManager {
  let manager: DownloadManager | undefined;
  const announce = listenForMessages(cache, () => manager!);
  const background = options.backgroundFetch === false ? undefined : workerBackgroundFetches();
  manager = new DownloadManager({ cache, announce, ...(background ? { background } : {}) });
  if (background) listenForBackgroundFetches(cache, manager);
  // A moment later: a worker started for the end of a background fetch sees that event first, and
  // stores its responses instead of fetching the same bytes again.
  setTimeout(() => void manager!.resumeInterrupted().catch(() => undefined), RESUME_DELAY_MS);
  return manager;
}
