import { registerRoute } from 'workbox-routing';

const APP_SHELL_CACHE_PREFIX = 'app-shell-';

declare const self: ServiceWorkerGlobalScope;

/**
 * Keeps the app's own files (HTML, scripts, styles, icons: never media) in Cache Storage so the
 * app opens offline after the first visit. The list is fixed at build time; each build gets its
 * own cache, and older ones are deleted once the new worker activates. Navigations are answered
 * from the network when it answers, else from the cached `/`.
 */
export function precacheAppShell(urls: readonly string[], version: string): void {
  const cacheName = APP_SHELL_CACHE_PREFIX + version;
  const precached = new Set(urls.map((url) => new URL(url, self.location.origin).href));

  self.addEventListener('install', (event) => {
    event.waitUntil(caches.open(cacheName).then((cache) => cache.addAll([...urls])));
  });
  self.addEventListener('activate', (event) => {
    event.waitUntil(
      caches
        .keys()
        .then((names) =>
          Promise.all(names.filter((name) => name.startsWith(APP_SHELL_CACHE_PREFIX) && name !== cacheName).map((name) => caches.delete(name))),
        ),
    );
  });

  registerRoute(
    ({ request, url }) => request.mode === 'navigate' && url.origin === self.location.origin,
    async ({ request }) => {
      try {
        return await fetch(request);
      } catch (error) {
        const cached = await caches.match('/', { cacheName, ignoreVary: true });
        if (cached) return cached;
        throw error;
      }
    },
  );
  registerRoute(
    ({ url }) => precached.has(url.href),
    // ignoreVary: servers send `Vary: Origin` on scripts (vite preview does), and a page's module
    // script requests carry an Origin header that the precache requests did not.
    async ({ request }) => (await caches.match(request, { cacheName, ignoreVary: true })) ?? fetch(request),
  );
}
