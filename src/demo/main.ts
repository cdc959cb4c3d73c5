import { registerMediaCache } from '../lib/index.js';
import { loadCatalogue, type Lecture } from './catalogue.js';
import { bindConnectionBadge } from './connectionBadge.js';
import { byId } from './dom.js';
import { markSelected, renderLectureList } from './lectureList.js';
import { showLecture } from './player.js';
import './styles.css';

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
const controlled = registerMediaCache().then(
  () => setWorkerStatus('Media cache active', 'ready'),
  (error: unknown) => {
    setWorkerStatus('Media cache unavailable', 'error', error instanceof Error ? error.message : String(error));
    console.error(error);
  },
);

function selectFromHash(lectures: readonly Lecture[]): void {
  const id = decodeURIComponent(location.hash.slice(1));
  const lecture = lectures.find((candidate) => candidate.id === id) ?? lectures[0];
  if (!lecture) return;
  showLecture(playerArea, lecture);
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
  renderLectureList(list, lectures);
  await controlled;
  selectFromHash(lectures);
  window.addEventListener('hashchange', () => selectFromHash(lectures));
}

void start();
