/** Where the worker script is and what it controls. */
export interface RegisterMediaCacheOptions {
  /** The worker script. @defaultValue `'/sw.js'` */
  scriptUrl?: string;
  /** `'module'` for a worker script that is an ES module (as in `vite dev`). @defaultValue `'classic'` */
  type?: WorkerType;
  /** The worker's scope. @defaultValue `'/'`, so every media element of the site goes through the cache */
  scope?: string;
}

/**
 * How long an already activated worker may take to claim the page before we conclude it never will.
 * Activation ends only after `clients.claim()` settles, so `controllerchange` normally follows within
 * a task or two; a page loaded with a hard reload (Shift+Reload) is never claimed by a worker that is
 * already active, because `activate` does not run again.
 */
const CLAIM_GRACE_MS = 3000;

/**
 * Registers the media cache service worker and resolves once it controls this page, so the first
 * `<video>` or `<audio>` request already goes through it.
 *
 * Rejects with a `NotSupportedError` DOMException where service workers are unavailable (an insecure
 * context, a private mode that disables them), with an `InvalidStateError` when an active worker does
 * not take control (hard reload), and with the browser's own error when registration fails.
 */
export async function registerMediaCache(options: RegisterMediaCacheOptions = {}): Promise<ServiceWorkerRegistration> {
  if (!('serviceWorker' in navigator)) {
    throw new DOMException(
      window.isSecureContext
        ? 'registerMediaCache: this browser does not provide service workers.'
        : 'registerMediaCache: service workers need a secure context (https:// or http://localhost).',
      'NotSupportedError',
    );
  }
  const container = navigator.serviceWorker;
  const registration = await container.register(options.scriptUrl ?? '/sw.js', {
    scope: options.scope ?? '/',
    type: options.type ?? 'classic',
    updateViaCache: 'none',
  });

  if (container.controller) return registration;
  const ready = await container.ready;
  if (container.controller) return registration;
  await waitForControl(container, ready.active);
  return registration;
}

function waitForControl(container: ServiceWorkerContainer, active: ServiceWorker | null): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const startGraceWhenActivated = (): void => {
      if (active?.state !== 'activated' || graceTimer !== undefined) return;
      graceTimer = setTimeout(() => {
        cleanUp();
        reject(
          new DOMException(
            'registerMediaCache: the service worker is active but does not control this page ' +
              '(was it loaded with a hard reload?). Reload the page normally.',
            'InvalidStateError',
          ),
        );
      }, CLAIM_GRACE_MS);
    };
    const onControllerChange = (): void => {
      if (!container.controller) return;
      cleanUp();
      resolve();
    };
    const cleanUp = (): void => {
      clearTimeout(graceTimer);
      container.removeEventListener('controllerchange', onControllerChange);
      active?.removeEventListener('statechange', startGraceWhenActivated);
    };
    container.addEventListener('controllerchange', onControllerChange);
    active?.addEventListener('statechange', startGraceWhenActivated);
    startGraceWhenActivated();
  });
}
