/**
 * The worker that serves this page: its controller, else the registration's active worker (a page
 * loaded before the worker claimed it). Never settles while nothing is registered, as
 * `navigator.serviceWorker.ready` does: callers bound it with a timeout.
 */
export async function activeWorker(): Promise<ServiceWorker> {
  if (!('serviceWorker' in navigator)) {
    throw new DOMException('OfflineLibrary: this page has no service workers (insecure context or unsupported).', 'NotSupportedError');
  }
  const container = navigator.serviceWorker;
  if (container.controller) return container.controller;
  const registration = await container.ready;
  if (registration.active) return registration.active;
  throw new DOMException('OfflineLibrary: the service worker registration has no active worker.', 'InvalidStateError');
}
