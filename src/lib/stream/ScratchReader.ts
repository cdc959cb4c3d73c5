/**
 * Reads a body through one reused scratch buffer where the stream allows it, else chunk by chunk.
 *
 * Chromium's fetch() bodies are byte streams: a BYOB reader copies the arriving bytes into the
 * buffer it is given (transferring it and handing it back), where a default reader allocates a
 * new ArrayBuffer for every chunk, garbage the worker's heap carries until the next full GC. A
 * stream that is not a byte stream (a JS-built body) is read with a default reader.
 *
 * A chunk returned by `read()` is valid only until the next `read()`: copy what you keep.
 */
export class ScratchReader {
  private readonly byob: ReadableStreamBYOBReader | undefined;
  private readonly plain: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private scratch: ArrayBuffer | undefined;

  constructor(
    stream: ReadableStream<Uint8Array>,
    /** Where the scratch buffer comes from and goes back to (its whole length is offered to each read). */
    private readonly buffers: { takeArrayBuffer(): ArrayBuffer; give(buffer: ArrayBuffer): void },
  ) {
    try {
      this.byob = stream.getReader({ mode: 'byob' });
    } catch {
      // TypeError: not a byte stream.
      this.plain = stream.getReader();
    }
  }

  /** Whether reads go through the scratch buffer (a byte stream) rather than fresh chunks. */
  get reusesBuffer(): boolean {
    return this.byob !== undefined;
  }

  /** The next bytes of the body, or undefined at its end. */
  async read(): Promise<Uint8Array | undefined> {
    if (this.plain) {
      const result = await this.plain.read();
      return result.done ? undefined : result.value;
    }
    const scratch = this.scratch ?? this.buffers.takeArrayBuffer();
    // The buffer is transferred to the stream; only the one the result refers to is ours again.
    this.scratch = undefined;
    const result = await this.byob!.read(new Uint8Array(scratch));
    if (result.value) this.scratch = result.value.buffer as ArrayBuffer;
    if (result.done) return undefined;
    return result.value;
  }

  /** Cancels the body and returns the scratch buffer. */
  async cancel(reason?: unknown): Promise<void> {
    this.releaseScratch();
    await (this.byob ?? this.plain)!.cancel(reason);
  }

  /** Gives the scratch buffer back (call once reading is over; a read in flight keeps its own). */
  releaseScratch(): void {
    if (this.scratch) this.buffers.give(this.scratch);
    this.scratch = undefined;
  }
}
