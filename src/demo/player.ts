import type { Lecture } from './catalogue.js';
import { h } from './dom.js';
import { lectureMeta } from './lectureList.js';

/**
 * Replaces the player area's content with a fresh media element for `lecture`. A new element per
 * lecture (rather than a new `src`) lets audio and video lectures alternate and drops the previous
 * element's buffered bytes at once.
 */
export function showLecture(area: HTMLElement, lecture: Lecture, cacheMap?: HTMLElement): HTMLMediaElement {
  const isAudio = lecture.type.startsWith('audio/');
  const media = h(isAudio ? 'audio' : 'video', { controls: true, playsinline: !isAudio, preload: 'metadata', src: lecture.url });
  media.id = 'player';
  const playable = media.canPlayType(lecture.type) !== '';
  const notice = h('p', { class: 'notice', 'data-testid': 'player-notice', role: 'alert', hidden: true });
  // Offline, only stored segments can play: say why the player stopped rather than leave it stuck.
  media.addEventListener('error', () => {
    notice.hidden = false;
    notice.textContent = navigator.onLine
      ? 'This lecture could not be loaded.'
      : 'Offline, and this part of the lecture is not stored: download it to watch it offline.';
  });
  area.replaceChildren(
    h(
      'figure',
      { class: isAudio ? 'player player-audio' : 'player' },
      isAudio && h('div', { class: 'audio-art', 'aria-hidden': 'true' }, '♪'),
      media,
      h(
        'figcaption',
        {},
        h('h2', {}, lecture.title),
        h('p', { class: 'lecture-meta' }, lectureMeta(lecture)),
        cacheMap,
        !playable && h('p', { class: 'notice' }, `This browser cannot play ${lecture.type}.`),
        notice,
      ),
    ),
  );
  return media;
}
