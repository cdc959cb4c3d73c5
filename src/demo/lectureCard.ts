import type { Lecture } from './catalogue.js';
import { createCacheMap } from './cacheMap.js';
import { h } from './dom.js';
import { lectureMeta } from './lectureList.js';
import type { LectureAction, LectureView } from './lectureState.js';

const ACTIONS: readonly LectureAction[] = ['Download', 'Pause', 'Resume', 'Cancel', 'Delete'];
const ICONS: Record<LectureAction, string> = { Download: '↓', Pause: '❚❚', Resume: '▶', Cancel: '■', Delete: '✕' };

export interface LectureCard {
  element: HTMLElement;
  cacheMap: HTMLElement;
  show(view: LectureView): void;
  /** Disables the buttons while a request is in flight. */
  setBusy(busy: boolean): void;
  /** A failed action (say, a download refused for lack of room), until the next action clears it. */
  showError(message: string | undefined): void;
}

/**
 * One lecture's `<article>`: title (a link that selects it), duration and size, its cache map, the
 * download state and buttons. All five buttons exist and are hidden as the state demands, so focus
 * survives updates; their icons are `aria-hidden` so the accessible names are exactly the words.
 */
export function createLectureCard(lecture: Lecture, url: string, onAction: (action: LectureAction) => void): LectureCard {
  const titleId = `lecture-${lecture.id}-title`;
  const fill = h('div', { class: 'progress-fill' });
  const progressbar = h(
    'div',
    { class: 'progress', role: 'progressbar', 'aria-label': 'Download progress', 'aria-valuemin': '0', 'aria-valuemax': '100', hidden: true },
    fill,
  );
  const status = h('p', { class: 'download-status', 'data-testid': 'download-status', 'aria-live': 'polite' });
  const error = h('p', { class: 'download-error notice', 'data-testid': 'download-error', role: 'alert', hidden: true });
  const buttons = new Map(
    ACTIONS.map((action) => {
      const button = h(
        'button',
        { type: 'button', class: `action action-${action.toLowerCase()}`, hidden: true },
        h('span', { class: 'icon', 'aria-hidden': 'true' }, ICONS[action]),
        action,
      );
      button.addEventListener('click', () => onAction(action));
      return [action, button] as const;
    }),
  );
  const cacheMap = createCacheMap(url, 'cache-map');
  const element = h(
    'article',
    {
      class: 'lecture-card',
      'aria-labelledby': titleId,
      'data-lecture-id': lecture.id,
      'data-kind': lecture.type.split('/')[0] ?? '',
      'data-url': url,
    },
    h('h3', { id: titleId }, h('a', { href: `#${lecture.id}` }, lecture.title)),
    h('p', { class: 'lecture-meta' }, lectureMeta(lecture)),
    cacheMap,
    progressbar,
    h('div', { class: 'download-row' }, status, h('div', { class: 'download-actions' }, ...buttons.values())),
    error,
  );

  return {
    element,
    cacheMap,
    show(view) {
      element.dataset.downloadState = view.state;
      status.dataset.state = view.state;
      status.textContent = view.state === 'complete' ? `✓ ${view.status}` : view.status;
      progressbar.hidden = view.percent === undefined;
      if (view.percent !== undefined) {
        progressbar.setAttribute('aria-valuenow', String(view.percent));
        progressbar.dataset.state = view.state;
        fill.style.width = `${view.percent}%`;
      } else progressbar.removeAttribute('aria-valuenow');
      for (const [action, button] of buttons) button.hidden = !view.actions.includes(action);
    },
    setBusy(busy) {
      element.toggleAttribute('aria-busy', busy);
      for (const button of buttons.values()) button.disabled = busy;
    },
    showError(message) {
      error.textContent = message ?? '';
      error.hidden = message === undefined;
    },
  };
}
