import { defaultConfig, type DownloadProgress, type OfflineLibrary, type StoredFileInfo } from '../lib/index.js';
import type { Lecture } from './catalogue.js';
import { createCacheMap, updateCacheMap } from './cacheMap.js';
import { describeError } from './describeError.js';
import { h } from './dom.js';
import { createLectureCard, type LectureCard } from './lectureCard.js';
import { lectureView, type LectureAction } from './lectureState.js';
import { createMetricsPanel } from './metricsPanel.js';
import { refreshScheduler } from './refreshScheduler.js';
import { createStorageMeter } from './storageMeter.js';

export interface LibraryViewElements {
  list: HTMLElement;
  notice: HTMLElement;
  storagePanel: HTMLElement;
  metricsPanel: HTMLElement;
}

export interface LibraryView {
  /** The cache map shown in the player, with its caption, following the lecture it plays. */
  playerMap: HTMLElement;
  setPlaying(lecture: Lecture): void;
}

const METRICS_INTERVAL_MS = 1500;

/**
 * Keeps the lecture cards, cache maps, storage meter and metrics in step with the worker. Events
 * mark files dirty; the file list and storage summary are re-read at most every 300 ms / 1 s
 * (refreshScheduler), and the DOM is redrawn at most once per frame.
 */
export function startLibraryView(library: OfflineLibrary, lectures: readonly Lecture[], elements: LibraryViewElements): LibraryView {
  const urlOf = (lecture: Lecture): string => new URL(lecture.url, location.href).href;
  const cards = new Map<string, { lecture: Lecture; card: LectureCard }>();
  const files = new Map<string, StoredFileInfo>();
  // Progress events newer than the last file list; `seq` tells which list a progress predates.
  const progress = new Map<string, { update: DownloadProgress; seq: number }>();
  let eventSeq = 0;
  const playerMap = createCacheMap('', 'player-cache-map');
  const playerMapCaption = h('p', { class: 'map-caption', 'aria-hidden': 'true' });
  const playerMapBlock = h('div', { class: 'player-map' }, playerMap, playerMapCaption);

  const dirty = new Set<string>();
  let frame: number | undefined;
  const markDirty = (url: string): void => {
    dirty.add(url);
    frame ??= requestAnimationFrame(draw);
  };
  function draw(): void {
    frame = undefined;
    for (const url of dirty) {
      const file = files.get(url);
      const entry = cards.get(url);
      const segmentCount = file?.segmentCount ?? Math.ceil((entry?.lecture.sizeBytes ?? 0) / defaultConfig.segmentSizeBytes);
      const stored = file?.storedSegments ?? [];
      const pinned = file?.pinned ?? false;
      if (entry) {
        entry.card.show(lectureView(file, progress.get(url)?.update));
        updateCacheMap(entry.card.cacheMap, url, stored, segmentCount, pinned);
      }
      if (playerMap.dataset.url === url) {
        updateCacheMap(playerMap, url, stored, segmentCount, pinned);
        playerMapCaption.textContent = `${pinned ? 'Downloaded' : 'Stored'}: ${stored.length} of ${segmentCount} segments of ${defaultConfig.segmentSizeBytes / 1024} KiB`;
      }
    }
    dirty.clear();
  }

  const refreshFiles = refreshScheduler(async () => {
    const seqAtRequest = eventSeq;
    try {
      const listed = await library.list();
      elements.notice.hidden = true;
      files.clear();
      for (const file of listed) files.set(file.url, file);
    } catch (error) {
      elements.notice.textContent = `Downloads unavailable. ${describeError(error)}`;
      elements.notice.hidden = false;
      return;
    }
    for (const [url, entry] of progress) if (entry.seq <= seqAtRequest) progress.delete(url);
    for (const url of new Set([...cards.keys(), ...files.keys()])) markDirty(url);
  }, 300);

  const drawStorage = createStorageMeter(elements.storagePanel, async () => {
    // Forget everything (as an app does when its user logs out): every download and every stored byte.
    await library.clear();
    progress.clear();
    eventSeq++;
    refreshFiles();
    refreshStorage();
  });
  const refreshStorage = refreshScheduler(async () => drawStorage(await library.storage()), 1000);
  const drawMetrics = createMetricsPanel(elements.metricsPanel);
  const refreshMetrics = refreshScheduler(async () => drawMetrics(await library.metrics()), METRICS_INTERVAL_MS);

  const setProgress = (update: DownloadProgress): void => {
    progress.set(update.url, { update, seq: ++eventSeq });
    markDirty(update.url);
  };

  async function act(url: string, card: LectureCard, action: LectureAction): Promise<void> {
    card.setBusy(true);
    card.showError(undefined);
    try {
      if (action === 'Download') {
        setProgress(await library.download(url));
        // Asked on the first download (by the library); show the answer once it comes.
        void library.requestPersistence().then(refreshStorage);
      } else if (action === 'Pause') setProgress(await library.pause(url));
      else if (action === 'Resume') setProgress(await library.resume(url));
      else {
        await (action === 'Cancel' ? library.cancel(url) : library.remove(url));
        progress.delete(url);
        eventSeq++;
      }
    } catch (error) {
      card.showError(describeError(error));
    } finally {
      card.setBusy(false);
      refreshFiles();
      refreshStorage();
    }
  }

  elements.list.replaceChildren(
    ...lectures.map((lecture) => {
      const url = urlOf(lecture);
      const card = createLectureCard(lecture, url, (action) => void act(url, card, action));
      cards.set(url, { lecture, card });
      markDirty(url);
      return card.element;
    }),
  );

  library.addEventListener('progress', ({ detail }) => {
    setProgress(detail);
    if (detail.state !== 'downloading') refreshStorage();
  });
  const onFileChange = ({ detail }: CustomEvent<{ url: string }>): void => {
    eventSeq++;
    refreshFiles();
    refreshStorage();
    markDirty(detail.url);
  };
  library.addEventListener('file-changed', onFileChange);
  library.addEventListener('file-removed', onFileChange);
  library.addEventListener('file-outdated', onFileChange);

  refreshFiles();
  refreshStorage();
  refreshMetrics();
  setInterval(() => {
    if (document.visibilityState === 'visible') refreshMetrics();
  }, METRICS_INTERVAL_MS);

  return {
    playerMap: playerMapBlock,
    setPlaying(lecture) {
      playerMap.dataset.url = urlOf(lecture);
      markDirty(urlOf(lecture));
    },
  };
}
