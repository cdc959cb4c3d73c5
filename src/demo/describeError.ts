import { isMediaCacheError } from '../lib/index.js';

/** A sentence for the user: the worker's own explanation where it sent one. */
export function describeError(error: unknown): string {
  if (!isMediaCacheError(error)) return error instanceof Error ? error.message : String(error);
  const fromWorker = typeof error.details.workerMessage === 'string' ? error.details.workerMessage : undefined;
  switch (error.code) {
    case 'insufficient-quota':
      return `Not enough storage for this lecture. ${fromWorker ?? ''}`.trim();
    case 'worker-unavailable':
      return 'The media cache did not answer: downloads need the service worker. Reload the page and try again.';
    default:
      return fromWorker ?? error.message;
  }
}
