/// <reference lib="webworker" />
/**
 * Contender "workbox": what users pick today. CacheFirst over Cache Storage with the
 * RangeRequestsPlugin, as Workbox's docs recommend for cached media. The benchmark caches the
 * whole file first (`caches.open(CACHE_NAME).add(url)` from the page), because Cache Storage
 * cannot hold a 206: the plugin slices the cached 200 for each Range request.
 */
import { clientsClaim } from 'workbox-core';
import { RangeRequestsPlugin } from 'workbox-range-requests';
import { registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';

declare const self: ServiceWorkerGlobalScope;

self.addEventListener('install', () => void self.skipWaiting());
clientsClaim();

registerRoute(
  ({ url }) => url.pathname.startsWith('/media/'),
  new CacheFirst({ cacheName: 'bench-media', plugins: [new RangeRequestsPlugin()] }),
);
