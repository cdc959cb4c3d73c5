import type { StreamPiece } from '../range/createStreamedRangeResponse.js';

/** Where a segmented stream takes the bytes of its ranges from. */
export interface ByteSource {
  /**
   * Up to `maxBytes` bytes at `position`; may return fewer, never zero. They may be a view of a
   * buffer the source lends: valid until the next `read` or `release`, and no longer.
   */
  read(position: number, maxBytes: number): Promise<Uint8Array>;
  /** The stream is finished or its reader went away: let go of upstream resources now. */
  release(): void;
}

/**
 * A response body that delivers `pieces` in order: literal bytes as they are, ranges read from
 * `source` in writes of at most `writeBytes`. It is pull-driven: nothing is read from the source
 * until the reader asks, so a paused `<video>` (whose buffer is full) holds no bytes here and
 * causes no upstream reads. When the reader cancels (seek, abort, tab closed), the source is
 * released at once, which stops the upstream transfer.
 *
 * Each chunk it enqueues may be lent by the source. The stream asks the source for more only when
 * its reader asks for more (no queue of its own), and a response body's consumer in the browser
 * asks only once it has copied the last chunk out (Chromium's ReadableStreamBytesConsumer holds one
 * chunk until the response's data pipe took all of it), so by the next `read` the source may use
 * the buffer again. Even the end is reported on that next pull, not with the last chunk. A JS
 * reader of such a body must copy the chunks it keeps.
 */
export function createSegmentedStream(
  source: ByteSource,
  pieces: StreamPiece[],
  writeBytes: number,
): ReadableStream<Uint8Array> {
  let pieceIndex = 0;
  let position = -1;
  const finish = (): void => source.release();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const piece = pieces[pieceIndex];
          if (piece === undefined) {
            finish();
            controller.close();
            return;
          }
          if (piece instanceof Uint8Array) {
            pieceIndex += 1;
            controller.enqueue(piece);
            return;
          }
          if (position < piece.start) position = piece.start;
          const bytes = await source.read(position, Math.min(writeBytes, piece.end + 1 - position));
          if (bytes.byteLength === 0) throw new Error('source returned no bytes');
          position += bytes.byteLength;
          if (position > piece.end) {
            pieceIndex += 1;
            position = -1;
          }
          controller.enqueue(bytes);
        } catch (error) {
          finish();
          throw error;
        }
      },
      cancel() {
        finish();
      },
    },
    // No queue of our own: the browser's pipe to the player is the only buffer.
    { highWaterMark: 0 },
  );
}
