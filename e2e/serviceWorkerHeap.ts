import type { Browser, CDPSession } from '@playwright/test';

/**
 * JS heap of running service workers through CDP, for the e2e tests and the benchmark.
 * Counts `usedSize + backingStorageSize` from `Runtime.getHeapUsage`: ArrayBuffer bytes live in
 * the backing store, not in usedSize. SW targets only answer through the browser session's
 * `Target.sendMessageToTarget` (`Performance.getMetrics` does not exist on them).
 */
export class ServiceWorkerHeap {
  private nextId = 1;

  private constructor(
    private readonly session: CDPSession,
    private readonly sessionId: string,
    /** How many workers are still attached through `session`. */
    private readonly shared: { attached: number },
    /** The worker's script URL. */
    readonly url: string,
  ) {}

  /** Attaches to every running service worker whose script URL starts with `urlPrefix` (all when empty). */
  static async attachAll(browser: Browser, urlPrefix = ''): Promise<ServiceWorkerHeap[]> {
    const session = await browser.newBrowserCDPSession();
    const { targetInfos } = await session.send('Target.getTargets');
    const workers = targetInfos.filter((target) => target.type === 'service_worker' && target.url.startsWith(urlPrefix));
    const attached: ServiceWorkerHeap[] = [];
    const shared = { attached: 0 };
    for (const worker of workers) {
      const { sessionId } = await session.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });
      attached.push(new ServiceWorkerHeap(session, sessionId, shared, worker.url));
      shared.attached++;
    }
    if (attached.length === 0) await session.detach();
    return attached;
  }

  /** The worker's heap in bytes, after a full GC when `collectGarbage` is set. */
  async bytes(options: { collectGarbage?: boolean } = {}): Promise<number> {
    const usage = await this.usage(options);
    return usage.usedSize + usage.backingStorageSize;
  }

  /** The two parts of the heap: JS objects (`usedSize`) and ArrayBuffer contents (`backingStorageSize`). */
  async usage(options: { collectGarbage?: boolean } = {}): Promise<{ usedSize: number; backingStorageSize: number }> {
    // Fire and forget: the next command on the same session runs after it.
    if (options.collectGarbage) await this.post('HeapProfiler.collectGarbage');
    const usage = await this.call<{ usedSize: number; backingStorageSize?: number }>('Runtime.getHeapUsage');
    return { usedSize: usage.usedSize, backingStorageSize: usage.backingStorageSize ?? 0 };
  }

  /** Detaches from the worker (and ends the browser session when it was the last one on it). */
  async detach(): Promise<void> {
    await this.session.send('Target.detachFromTarget', { sessionId: this.sessionId }).catch(() => undefined);
    if (--this.shared.attached === 0) await this.session.detach().catch(() => undefined);
  }

  private async post(method: string): Promise<void> {
    await this.session.send('Target.sendMessageToTarget', {
      sessionId: this.sessionId,
      message: JSON.stringify({ id: 0, method }),
    });
  }

  private async call<T>(method: string, timeoutMs = 10_000): Promise<T> {
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.session.off('Target.receivedMessageFromTarget', onMessage);
        reject(new Error(`${method} timed out`));
      }, timeoutMs);
      const onMessage = (event: { sessionId: string; message: string }): void => {
        if (event.sessionId !== this.sessionId) return;
        const message = JSON.parse(event.message) as { id?: number; result?: T; error?: unknown };
        if (message.id !== id) return;
        clearTimeout(timer);
        this.session.off('Target.receivedMessageFromTarget', onMessage);
        if (message.result) resolve(message.result);
        else reject(new Error(`${method} failed: ${JSON.stringify(message.error)}`));
      };
      this.session.on('Target.receivedMessageFromTarget', onMessage);
    });
    const sent = this.session.send('Target.sendMessageToTarget', {
      sessionId: this.sessionId,
      message: JSON.stringify({ id, method }),
    });
    // Awaited together, so that a reply that times out while the send is still pending (or after
    // it failed) rejects this call rather than going unhandled.
    const [, result] = await Promise.all([sent, reply]);
    return result;
  }
}

/** JS heap of each running service worker, in bytes (one CDP attach per call). */
export async function serviceWorkerHeapBytes(browser: Browser, options: { collectGarbage?: boolean } = {}): Promise<Array<{ url: string; bytes: number }>> {
  const workers = await ServiceWorkerHeap.attachAll(browser);
  try {
    const results: Array<{ url: string; bytes: number }> = [];
    for (const worker of workers) results.push({ url: worker.url, bytes: await worker.bytes(options) });
    return results;
  } finally {
    for (const worker of workers) await worker.detach();
  }
}
