import type { RangeCache } from '../cache/RangeCache.js';
import { DownloadManager } from '../downloads/DownloadManager.js';
import { listenForMessages } from './listenForMessages.js';

/**
 * Lets pages download whole files for offline use through `OfflineLibrary`, and restarts the
 * downloads an earlier worker left unfinished (closed tab, crash, browser restart): they resume
 * from the stored segments.
 */
export function enableDownloads(cache: RangeCache): DownloadManager {
  let manager: DownloadManager | undefined;
  const announce = listenForMessages(cache, () => manager!);
  manager = new DownloadManager({ cache, announce });
  void manager.resumeInterrupted().catch(() => undefined);
  return manager;
}
