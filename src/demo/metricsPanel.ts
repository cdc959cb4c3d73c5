import type { CacheMetrics } from '../lib/index.js';
import { h } from './dom.js';
import { formatBytes } from './format.js';

/** Fills `panel` with the cache's counters; returns the function that redraws it (also as `data-*`). */
export function createMetricsPanel(panel: HTMLElement): (metrics: CacheMetrics) => void {
  const fromCache = h('dd', {});
  const fromNetwork = h('dd', {});
  const hitRatio = h('dd', {});
  const streams = h('dd', {});
  const ratioFill = h('div', { class: 'meter-fill meter-hit' });
  panel.dataset.testid = 'metrics-panel';
  panel.replaceChildren(
    h('h2', { class: 'panel-title' }, 'Cache metrics'),
    h('div', { class: 'meter', 'aria-hidden': 'true' }, ratioFill),
    h(
      'dl',
      { class: 'metrics' },
      h('div', {}, h('dt', {}, 'From cache'), fromCache),
      h('div', {}, h('dt', {}, 'From network'), fromNetwork),
      h('div', {}, h('dt', {}, 'Hit ratio'), hitRatio),
      h('div', {}, h('dt', {}, 'Streams / fetches'), streams),
    ),
  );
  return (metrics) => {
    Object.assign(panel.dataset, {
      bytesFromCache: String(metrics.bytesFromCache),
      bytesFromNetwork: String(metrics.bytesFromNetwork),
      hitRatio: String(metrics.hitRatio),
      activeStreams: String(metrics.activeStreams),
      activeFetches: String(metrics.activeFetches),
    });
    fromCache.textContent = formatBytes(metrics.bytesFromCache);
    fromNetwork.textContent = formatBytes(metrics.bytesFromNetwork);
    hitRatio.textContent = `${Math.round(metrics.hitRatio * 100)} %`;
    streams.textContent = `${metrics.activeStreams} / ${metrics.activeFetches}`;
    ratioFill.style.width = `${metrics.hitRatio * 100}%`;
  };
}
