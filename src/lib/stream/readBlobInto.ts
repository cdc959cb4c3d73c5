/**
 * Reads all of `blob` into the start of `buffer` through a BYOB reader of `blob.stream()`, and
 * returns the buffer that now holds the bytes: each read transfers the buffer it is given, so the
 * one passed in is detached afterwards. Returns undefined, with `buffer` untouched, when the blob's
 * stream is not a byte stream.
 *
 * Why: `blob.arrayBuffer()` makes a fresh ArrayBuffer per call, garbage that V8 collects late (see
 * SegmentBufferPool); this fills a pooled buffer instead. Chromium's and Node's Blob streams are
 * byte streams. `buffer` must be at least `blob.size` long.
 */
export async function readBlobInto(blob: Blob, buffer: ArrayBuffer): Promise<ArrayBuffer | undefined> {
  if (buffer.byteLength < blob.size) throw new RangeError(`readBlobInto: a ${blob.size}-byte Blob does not fit ${buffer.byteLength} bytes`);
  if (blob.size === 0) return buffer;
  const stream = blob.stream();
  let reader: ReadableStreamBYOBReader;
  try {
    reader = stream.getReader({ mode: 'byob' });
  } catch {
    // TypeError: not a byte stream.
    return undefined;
  }
  streamsBeingRead.add(stream);
  let filled = 0;
  try {
    while (filled < blob.size) {
      const result = await reader.read(new Uint8Array(buffer, filled, blob.size - filled));
      if (result.value) buffer = result.value.buffer as ArrayBuffer;
      if (result.done) break;
      filled += result.value.byteLength;
    }
  } finally {
    streamsBeingRead.delete(stream);
    // Every byte was read: the end of the stream is not waited for (a read needs room to say so).
    void reader.cancel().catch(() => undefined);
  }
  if (filled !== blob.size) throw new Error(`readBlobInto: the Blob's stream ended after ${filled} of ${blob.size} bytes`);
  return buffer;
}

/**
 * The Blob streams being read, held from a root until their read ends. Otherwise nothing outside
 * the pending read refers to a stream, and Chromium (156) may collect it mid-read: the read's promise
 * then never settles and its reader stalls for good. Seen with 4 cold readers of a 32 MiB file and a
 * GC forced every 250 ms: 3 of 4 runs stalled a reader on a stored segment, none of 24 with this
 * set (e2e `gc.spec.ts`). WebKit fixed the same hang in its Blob streams (WebKit PR 54097).
 */
const streamsBeingRead = new Set<ReadableStream<Uint8Array>>();
