import type { StreamPiece } from '../range/createStreamedRangeResponse.js';

/** Where a segmented stream takes the bytes of its ranges from. */
export interface ByteSource {
  /** Up to `maxBytes` bytes at `position`; may return fewer, never zero. */
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
 */
export function createSegmentedStream(
  source: ByteSource,
  pieces: StreamPiece[],
  writeBytes: number,
  onFirstPull?: () => void,
): ReadableStream<Uint8Array> {
  let pieceIndex = 0;
  let position = -1;
  const finish = (): void => {
    source.release();
    onFirstPull?.();
  };
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
          onFirstPull?.();
          if (bytes.byteLength === 0) throw new Error('source returned no bytes');
          position += bytes.byteLength;
          if (position > piece.end) {
            pieceIndex += 1;
            position = -1;
          }
          controller.enqueue(bytes);
          if (pieceIndex >= pieces.length) {
            finish();
            controller.close();
          }
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
