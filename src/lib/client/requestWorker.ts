import { MediaCacheError } from '../errors/MediaCacheError.js';
import { parseWorkerReply, workerRequestMessage, type WorkerRequest, type WorkerResults } from '../messages.js';

/** What a request is posted to: the active `ServiceWorker`, or a stand-in in tests. */
export interface WorkerEndpoint {
  postMessage(message: unknown, transfer: Transferable[]): void;
}

export interface RequestWorkerOptions {
  /** The worker to ask. It may never settle (no registration yet): the timeout covers it too. */
  worker: () => Promise<WorkerEndpoint>;
  /** How long to wait for the worker and its reply. */
  timeoutMs: number;
}

/**
 * Sends one request to the worker on a fresh MessageChannel and resolves with its result, typed by
 * the request. The worker answers exactly once; an error reply rejects with a `MediaCacheError`
 * carrying the worker's code. Replies that are not well formed are ignored (as the protocol says),
 * so a worker that never answers properly ends in `worker-unavailable` after `timeoutMs`.
 */
export function requestWorker<R extends WorkerRequest>(
  request: R,
  { worker, timeoutMs }: RequestWorkerOptions,
): Promise<WorkerResults[R['type']]> {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    const finish = (): void => {
      clearTimeout(timer);
      channel.port1.onmessage = null;
      channel.port1.close();
    };
    const timer = setTimeout(() => {
      finish();
      reject(new MediaCacheError('worker-unavailable', { request: request.type, timeoutMs, reason: 'no reply' }));
    }, timeoutMs);
    channel.port1.onmessage = (event: MessageEvent) => {
      const reply = parseWorkerReply(event.data);
      if (reply === undefined) return;
      finish();
      if (reply.ok) resolve(reply.result as WorkerResults[R['type']]);
      else reject(new MediaCacheError(reply.error.code, { request: request.type, workerMessage: reply.error.message }));
    };
    worker().then(
      (endpoint) => endpoint.postMessage(workerRequestMessage(request), [channel.port2]),
      (error: unknown) => {
        finish();
        reject(new MediaCacheError('worker-unavailable', { request: request.type }, { cause: error }));
      },
    );
  });
}
