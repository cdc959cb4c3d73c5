/// <reference lib="webworker" />
// The app's own Workbox service worker. The media cache is added in three lines (marked).
import { clientsClaim } from 'workbox-core';
import { registerRoute } from 'workbox-routing';
import { createMediaCacheHandler, enableDownloads, mediaRequestMatcher } from 'media-range-cache/sw'; // 1

declare const self: ServiceWorkerGlobalScope;
self.addEventListener('install', () => void self.skipWaiting());
clientsClaim();

const channel = new BroadcastChannel('example-app');
let storedSegments = 0;
const media = createMediaCacheHandler({
  plugins: [{ segmentDidStore: () => channel.postMessage({ storedSegments: ++storedSegments }) }],
}); // 2
registerRoute(mediaRequestMatcher(), media); // 3
enableDownloads(media.cache);
