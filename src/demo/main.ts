/**
 * The Lecture Shelf demo. Test hooks (roles first; `data-testid` where roles are not enough):
 *
 * - Each lecture: `article` named by its title (`getByRole('article', { name: title })`), with
 *   `data-lecture-id`, `data-url` (absolute media URL) and `data-download-state`
 *   (none | cached | queued | downloading | paused | complete | outdated | error).
 *   - buttons named exactly Download, Pause, Resume, Cancel, Delete (hidden ones are absent from
 *     the accessibility tree; all are disabled while a request is in flight, `aria-busy` on the article);
 *   - `role="progressbar"` named "Download progress", `aria-valuenow` 0–100 while queued,
 *     downloading, paused or failed, 100 when complete (hidden when there is no download);
 *   - `data-testid="download-status"`: "Available offline" when complete, else the state in words
 *     or the worker's error message; `data-state` as above;
 *   - `data-testid="download-error"` (`role="alert"`): why the last action failed, e.g. a download
 *     refused for lack of room;
 *   - `data-testid="cache-map"`: one `.cell` per segment (grouped above 160 segments) with
 *     `data-fill` full | partial | empty; `data-url`, `data-stored-segments`, `data-segment-count`,
 *     `data-pinned` (true | false).
 * - Player: `#player` (the `<video>`/`<audio>`), `data-testid="player-cache-map"` (same attributes
 *   as a cache map, for the lecture playing), `data-testid="player-notice"` (why playback failed).
 * - `data-testid="storage-meter"`: `data-usage-bytes`, `data-quota-bytes`, `data-pinned-bytes`,
 *   `data-cache-bytes`, `data-cache-budget-bytes`, `data-persisted` (true | false) and
 *   `data-persistence` (not requested | granted | not granted | unavailable);
 *   `data-testid="persistence"` says it in words; a button named "Remove everything" deletes every
 *   download and every stored byte (`OfflineLibrary.clear()`).
 * - `data-testid="metrics-panel"`: `data-bytes-from-cache`, `data-bytes-from-network`,
 *   `data-hit-ratio` (0–1), `data-active-streams`, `data-active-fetches`; refreshed every 1.5 s.
 * - `data-testid="library-notice"`: shown when the worker does not answer.
 * - `#connection-badge` (`data-state` online | offline), `#worker-status` (`data-state` pending | ready | error).
 *
 * For scripts: `window.offlineLibrary` is the page's OfflineLibrary.
 */
import { OfflineLibrary, registerMediaCache } from '../lib/index.js';
import { loadCatalogue, type Lecture } from './catalogue.js';
import { bindConnectionBadge } from './connectionBadge.js';
import { byId } from './dom.js';
import { markSelected } from './lectureList.js';
import { startLibraryView, type LibraryView } from './libraryView.js';
import { showLecture } from './player.js';
import './styles.css';

declare global {
  interface Window {
    offlineLibrary?: OfflineLibrary;
  }
}

const list = byId('lecture-list', HTMLElement);
const playerArea = byId('player-area', HTMLElement);
const workerStatus = byId('worker-status', HTMLElement);

bindConnectionBadge(byId('connection-badge', HTMLElement));

function setWorkerStatus(text: string, state: 'pending' | 'ready' | 'error', detail = ''): void {
  workerStatus.textContent = text;
  workerStatus.title = detail;
  workerStatus.dataset.state = state;
}

// The worker must control the page before the first media request, or that request bypasses the
// cache; the lecture list can load meanwhile.
// In `vite dev` the worker is served as an ES module straight from source; the server sends
// `Service-Worker-Allowed: /` so a script under /src/ may control the whole site.
const controlled = registerMediaCache(import.meta.env.DEV ? { scriptUrl: '/src/sw.ts', type: 'module' } : {}).then(
  () => setWorkerStatus('Media cache active', 'ready'),
  (error: unknown) => {
    setWorkerStatus('Media cache unavailable', 'error', error instanceof Error ? error.message : String(error));
    console.error(error);
  },
);

function selectFromHash(lectures: readonly Lecture[], view: LibraryView): void {
  const id = decodeURIComponent(location.hash.slice(1));
  const lecture = lectures.find((candidate) => candidate.id === id) ?? lectures[0];
  if (!lecture) return;
  view.setPlaying(lecture);
  showLecture(playerArea, lecture, view.playerMap);
  markSelected(list, lecture.id);
}

async function start(): Promise<void> {
  setWorkerStatus('Starting media cache…', 'pending');
  let lectures: Lecture[];
  try {
    lectures = await loadCatalogue();
  } catch (error) {
    list.textContent = error instanceof Error ? error.message : String(error);
    list.classList.add('notice');
    return;
  }
  const titles = new Map(lectures.map((lecture) => [new URL(lecture.url, location.href).href, lecture.title]));
  const library = new OfflineLibrary({
    backgroundFetch: {
      title: (url) => titles.get(url) ?? 'Lecture',
      icons: [{ src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' }],
    },
  });
  window.offlineLibrary = library;
  const view = startLibraryView(library, lectures, {
    list,
    notice: byId('library-notice', HTMLElement),
    storagePanel: byId('storage-meter', HTMLElement),
    metricsPanel: byId('metrics-panel', HTMLElement),
  });
  await controlled;
  selectFromHash(lectures, view);
  window.addEventListener('hashchange', () => selectFromHash(lectures, view));
}

void start();
