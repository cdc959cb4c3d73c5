/**
 * Coalesces refresh requests: `request()` may be called on every event; `task` runs at most once at
 * a time and at most once per `minIntervalMs`, and once more after a run if requests came meanwhile.
 * Keeps a burst of `file-changed` events (one per stored segment) from becoming a burst of requests.
 */
export function refreshScheduler(task: () => Promise<void>, minIntervalMs: number): () => void {
  let running = false;
  let pending = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastStart = -Infinity;

  const run = async (): Promise<void> => {
    timer = undefined;
    pending = false;
    running = true;
    lastStart = Date.now();
    try {
      await task();
    } catch (error) {
      console.error(error);
    } finally {
      running = false;
      if (pending) schedule();
    }
  };
  const schedule = (): void => {
    if (running || timer !== undefined) return;
    timer = setTimeout(() => void run(), Math.max(0, lastStart + minIntervalMs - Date.now()));
  };
  return () => {
    pending = true;
    schedule();
  };
}
