/**
 * Tells a stalled origin from a paused reader. The clock runs only while the cache is waiting for
 * upstream bytes it wants; time spent waiting for a reader that stopped pulling (a paused
 * `<video>` whose buffer is full) never counts. Each write unit of `unitBytes` must arrive within
 * `timeoutFor(unitBytes)` ms of such waiting, or the transfer is declared stalled.
 */
export class StallDetector {
  private waitedMs = 0;
  private unitReceived = 0;

  constructor(
    readonly unitBytes: number,
    private readonly timeoutFor: (bytes: number) => number,
    /** Told of each upstream read: its bytes and how long it was awaited (to measure the rate). */
    private readonly onRead?: (bytes: number, waitedMs: number) => void,
  ) {}

  /** Milliseconds of upstream waiting left before the current unit counts as stalled. */
  remainingMs(): number {
    return Math.max(0, this.timeoutFor(this.unitBytes) - this.waitedMs);
  }

  get timeoutMs(): number {
    return this.timeoutFor(this.unitBytes);
  }

  /** Records one upstream read: how long it was awaited and how many bytes it brought. */
  record(waitedMs: number, bytes: number): void {
    this.onRead?.(bytes, waitedMs);
    this.waitedMs += waitedMs;
    this.unitReceived += bytes;
    if (this.unitReceived >= this.unitBytes) {
      // A unit completed in time: the next one gets a fresh budget.
      this.unitReceived %= this.unitBytes;
      this.waitedMs = 0;
    }
  }
}
