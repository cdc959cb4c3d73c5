/**
 * Segment-sized buffers that the cold path fills from the network and lends to readers as views,
 * used again once nobody holds them.
 *
 * Why reuse: every fresh ArrayBuffer is garbage that V8 collects late. Its bytes count as external
 * memory, and a full GC is due only about every 64 MiB of it, so a worker that takes one buffer
 * per network chunk (or per read of a stored Blob) holds tens of MiB of dead bytes at any moment,
 * more the longer the file. A few buffers in turn keep the worker's heap to what is in flight.
 */
export class SegmentBufferPool {
  private readonly free: ArrayBuffer[] = [];
  /** Buffers this pool has allocated since it was made (a figure for tests and metrics). */
  allocatedCount = 0;

  constructor(
    readonly segmentSizeBytes: number,
    /** Most unused buffers kept for the next fetch; the rest go to the garbage collector. */
    private readonly maxFreeBuffers: number,
  ) {}

  /** A buffer of `segmentSizeBytes`, held once by the caller. */
  take(): SegmentBuffer {
    return new SegmentBuffer(new Uint8Array(this.takeArrayBuffer()), this);
  }

  /** A bare buffer for a BYOB reader (it transfers it: give back the one the last read returned). */
  takeArrayBuffer(): ArrayBuffer {
    const buffer = this.free.pop();
    if (buffer) return buffer;
    this.allocatedCount += 1;
    return new ArrayBuffer(this.segmentSizeBytes);
  }

  /** Returns a buffer nobody holds any more. A detached (transferred) buffer has length 0 and is dropped. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.segmentSizeBytes && this.free.length < this.maxFreeBuffers) this.free.push(buffer);
  }

  /** Lets the garbage collector have the unused buffers (no fetch is running). */
  trim(): void {
    this.free.length = 0;
  }

  get freeCount(): number {
    return this.free.length;
  }
}

/**
 * One pooled buffer and the number of its holders: the fetch that fills it, and each reader that
 * was lent a view of it. It returns to the pool when the last holder lets go; until then nothing
 * writes over bytes a holder can see.
 */
export class SegmentBuffer {
  private holders = 1;

  constructor(
    readonly bytes: Uint8Array,
    private readonly pool: SegmentBufferPool,
  ) {}

  /** One more holder; the function returned lets go of this hold (calling it again does nothing). */
  hold(): () => void {
    this.holders += 1;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.letGo();
    };
  }

  /** The first holder (whoever took it from the pool) lets go. */
  letGo(): void {
    if (this.holders <= 0) throw new Error('SegmentBuffer: let go more often than held');
    this.holders -= 1;
    if (this.holders === 0) this.pool.give(this.bytes.buffer as ArrayBuffer);
  }
}
