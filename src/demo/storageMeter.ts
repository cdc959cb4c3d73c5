import type { LibraryStorage } from '../lib/index.js';
import { h } from './dom.js';
import { formatBytes } from './format.js';

const persistenceText = {
  granted: 'Persistent storage granted: the browser keeps downloads under storage pressure.',
  'not granted': 'Persistent storage not granted: the browser may clear downloads under storage pressure.',
  unavailable: 'Persistent storage unavailable in this browser.',
} as const;

/**
 * Fills `panel` with the storage meter: what the origin uses of its quota, and the cache's share of
 * it split into downloads (pinned, never evicted) and streamed cache (under its budget), with a
 * button that removes everything (`clearAll`). Returns the function that redraws it; the numbers
 * are also `data-*` attributes for tests.
 */
export function createStorageMeter(panel: HTMLElement, clearAll: () => Promise<void>): (storage: LibraryStorage) => void {
  const usage = h('p', { class: 'meter-headline' });
  const usageFill = h('div', { class: 'meter-fill meter-usage' });
  const usageBar = h('div', { class: 'meter', role: 'meter', 'aria-label': 'Storage used', 'aria-valuemin': '0' }, usageFill);
  const pinnedFill = h('div', { class: 'meter-fill meter-pinned' });
  const cacheFill = h('div', { class: 'meter-fill meter-cache' });
  const splitBar = h('div', { class: 'meter meter-split', 'aria-hidden': 'true' }, pinnedFill, cacheFill);
  const mediaTotal = h('p', { class: 'meter-subhead' });
  const pinned = h('span', {});
  const cache = h('span', {});
  const persistence = h('p', { class: 'persistence', 'data-testid': 'persistence' });
  const clearButton = h('button', { type: 'button', class: 'action action-delete clear-all' }, 'Remove everything');
  clearButton.addEventListener('click', () => {
    clearButton.disabled = true;
    void clearAll().finally(() => (clearButton.disabled = false));
  });
  panel.dataset.testid = 'storage-meter';
  panel.replaceChildren(
    h('h2', { class: 'panel-title' }, 'Storage'),
    usage,
    usageBar,
    mediaTotal,
    splitBar,
    h(
      'ul',
      { class: 'legend' },
      h('li', { class: 'legend-pinned' }, 'Downloaded ', pinned),
      h('li', { class: 'legend-cache', title: 'Files only streamed: evicted least recently used first beyond the budget' }, 'Streamed cache ', cache),
    ),
    persistence,
    clearButton,
  );

  return (storage) => {
    Object.assign(panel.dataset, {
      usageBytes: String(storage.usageBytes),
      quotaBytes: String(storage.quotaBytes),
      pinnedBytes: String(storage.pinnedBytes),
      cacheBytes: String(storage.cacheBytes),
      cacheBudgetBytes: String(storage.cacheBudgetBytes),
      persisted: String(storage.persisted),
      persistence: storage.persistence ?? 'not requested',
    });
    usage.textContent =
      storage.quotaBytes > 0 ? `${formatBytes(storage.usageBytes)} used of ${formatBytes(storage.quotaBytes)}` : 'Storage estimate unavailable';
    usageBar.setAttribute('aria-valuemax', String(storage.quotaBytes));
    usageBar.setAttribute('aria-valuenow', String(storage.usageBytes));
    usageBar.setAttribute('aria-valuetext', usage.textContent);
    // A few MB of a quota of hundreds of GB is invisible at scale; a sliver says "something is used".
    const usageShare = storage.quotaBytes > 0 ? storage.usageBytes / storage.quotaBytes : 0;
    usageFill.style.width = usageShare > 0 ? `max(3px, ${(usageShare * 100).toFixed(3)}%)` : '0';
    // The split bar shows what the media cache holds, downloads against streamed cache; the cache
    // budget (a share of a quota of many GB) would make both invisible as a scale.
    const scale = Math.max(1, storage.pinnedBytes + storage.cacheBytes);
    pinnedFill.style.width = `${(storage.pinnedBytes / scale) * 100}%`;
    cacheFill.style.width = `${(storage.cacheBytes / scale) * 100}%`;
    mediaTotal.textContent = `Media: ${formatBytes(storage.pinnedBytes + storage.cacheBytes)}`;
    pinned.textContent = formatBytes(storage.pinnedBytes);
    cache.textContent = `${formatBytes(storage.cacheBytes)} / ${formatBytes(storage.cacheBudgetBytes)}`;
    persistence.dataset.state = storage.persistence ?? (storage.persisted ? 'granted' : 'not granted');
    persistence.textContent =
      storage.persistence !== undefined
        ? persistenceText[storage.persistence]
        : storage.persisted
          ? persistenceText.granted
          : 'Persistent storage not granted: the browser is asked on the first download.';
  };
}
