/// <reference lib="webworker" />
// The demo's service worker: the app shell precached, media through the range cache.
import { clientsClaim } from 'workbox-core';
import { enableDownloads, precacheAppShell, registerMediaRoute, signedUrlCacheKey } from './lib/sw/index.js';

declare const self: ServiceWorkerGlobalScope;

// A new worker takes over at once: the cache's stored data is versioned in IndexedDB, not tied to
// the worker's version, so there is nothing to wait for.
self.addEventListener('install', () => void self.skipWaiting());
clientsClaim();

if (__APP_SHELL__.length > 0) precacheAppShell(__APP_SHELL__, __APP_SHELL_VERSION__);
// Lectures may come from signed, expiring URLs (S3, CloudFront, a token): one file under any signature.
enableDownloads(registerMediaRoute({ cacheKey: signedUrlCacheKey }));
