/** Where a segmented stream takes its bytes from. */
export interface ByteSource {
  /** Up to `maxBytes` bytes at `position`; may return fewer, never zero. */
  read(position: number, maxBytes: number): Promise<Uint8Array>;
  /** The stream is finished or its reader went away: let go of upstream resources now. */
  release(): void;
}

/**
 * A response body that hands its reader bytes [start, endExclusive) in writes of at most
 * `writeBytes`. It is pull-driven: nothing is read from the source until the reader asks, so a
 * paused `<video>` (whose buffer is full) holds no bytes here and causes no upstream reads. When
 * the reader cancels (seek, abort, tab closed), the source is released at once, which stops the
 * upstream transfer.
 */
export function createSegmentedStream(
  source: ByteSource,
  start: number,
  endExclusive: number,
  writeBytes: number,
  onFirstPull?: () => void,
): ReadableStream<Uint8Array> {
  let position = start;
  let firstPull = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (position >= endExclusive) {
            source.release();
            controller.close();
            return;
          }
          const bytes = await source.read(position, Math.min(writeBytes, endExclusive - position));
          if (firstPull) {
            firstPull = false;
            onFirstPull?.();
          }
          if (bytes.byteLength === 0) throw new Error('source returned no bytes');
          position += bytes.byteLength;
          controller.enqueue(bytes);
          if (position >= endExclusive) {
            source.release();
            controller.close();
          }
        } catch (error) {
          source.release();
          onFirstPull?.();
          throw error;
        }
      },
      cancel() {
        source.release();
        onFirstPull?.();
      },
    },
    // No queue of our own: the browser's pipe to the player is the only buffer.
    { highWaterMark: 0 },
  );
}
