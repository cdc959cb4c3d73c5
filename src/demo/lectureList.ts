import type { Lecture } from './catalogue.js';
import { h } from './dom.js';
import { formatBytes, formatDuration } from './format.js';

const containerNames: Record<string, string> = { mp4: 'MP4', webm: 'WebM', wav: 'WAV', mpeg: 'MP3', ogg: 'Ogg' };

/** "MP4 video", "WAV audio": the container and kind, read from the MIME type. */
function kindLabel(type: string): string {
  const [kind = '', subtype = ''] = type.split(';')[0]?.trim().split('/') ?? [];
  const container = subtype.replace(/^x-/, '');
  return `${containerNames[container] ?? container.toUpperCase()} ${kind}`;
}

export function lectureMeta(lecture: Lecture): string {
  return `${formatDuration(lecture.durationSeconds)} · ${formatBytes(lecture.sizeBytes)} · ${kindLabel(lecture.type)}`;
}

/** One `<article>` card per lecture; each links to `#<id>`, which the page turns into a selection. */
export function renderLectureList(list: HTMLElement, lectures: readonly Lecture[]): void {
  list.replaceChildren(
    ...lectures.map((lecture) =>
      h(
        'article',
        { class: 'lecture-card', 'data-lecture-id': lecture.id, 'data-kind': lecture.type.split('/')[0] ?? '' },
        h('h3', {}, h('a', { href: `#${lecture.id}` }, lecture.title)),
        h('p', { class: 'lecture-meta' }, lectureMeta(lecture)),
      ),
    ),
  );
}

/** Marks the selected card for styling and assistive technology. */
export function markSelected(list: HTMLElement, id: string): void {
  for (const card of list.querySelectorAll<HTMLElement>('.lecture-card')) {
    const selected = card.dataset.lectureId === id;
    card.classList.toggle('is-selected', selected);
    card.querySelector('a')?.toggleAttribute('aria-current', selected);
  }
}
