import type { Lecture } from './catalogue.js';
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

/** Marks the selected card for styling and assistive technology. */
export function markSelected(list: HTMLElement, id: string): void {
  for (const card of list.querySelectorAll<HTMLElement>('.lecture-card')) {
    const selected = card.dataset.lectureId === id;
    card.classList.toggle('is-selected', selected);
    card.querySelector('h3 a')?.toggleAttribute('aria-current', selected);
  }
}
