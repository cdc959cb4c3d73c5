import { cacheMapCells } from './cacheMapCells.js';
import { h } from './dom.js';

/** More cells than this and a cell stands for several segments (the 80 MB audio lecture has 152). */
const MAX_CELLS = 160;

/** An empty cache map; `testId` is `cache-map` on lecture cards, `player-cache-map` in the player. */
export function createCacheMap(url: string, testId: string): HTMLElement {
  const map = h('div', { class: 'cache-map', 'data-testid': testId, role: 'img' });
  updateCacheMap(map, url, [], 0);
  return map;
}

/**
 * Redraws the map: one cell per segment, filled when stored, like a torrent client's piece map. The
 * counts are also attributes (`data-stored-segments`, `data-segment-count`, `data-pinned`) for tests. Cells are
 * reused, so a redraw per stored segment costs a few attribute writes.
 */
export function updateCacheMap(map: HTMLElement, url: string, storedSegments: readonly number[], segmentCount: number, pinned = false): void {
  const fills = cacheMapCells(storedSegments, segmentCount, MAX_CELLS);
  const storedCount = storedSegments.filter((segment) => segment >= 0 && segment < segmentCount).length;
  map.dataset.url = url;
  map.dataset.storedSegments = String(storedCount);
  map.dataset.segmentCount = String(segmentCount);
  // Downloaded (pinned) segments are drawn in the storage meter's "Downloaded" colour.
  map.dataset.pinned = String(pinned);
  const label = `Cache map: ${storedCount} of ${segmentCount} segments stored${pinned ? ', downloaded' : ''}`;
  map.setAttribute('aria-label', label);
  map.title = label;
  map.style.setProperty('--cells', String(Math.max(1, fills.length)));
  while (map.children.length > fills.length) map.lastElementChild!.remove();
  while (map.children.length < fills.length) map.append(h('span', { class: 'cell' }));
  fills.forEach((fill, index) => {
    const cell = map.children[index] as HTMLElement;
    const state = fill === 1 ? 'full' : fill > 0 ? 'partial' : 'empty';
    if (cell.dataset.fill !== state) cell.dataset.fill = state;
  });
}
