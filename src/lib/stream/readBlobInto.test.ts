import { describe, expect, it } from 'vitest';
import { readBlobInto } from './readBlobInto.js';

function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

describe('readBlobInto', () => {
  it('fills the start of the buffer with the exact bytes of a Blob made of several parts, and transfers the buffer', async () => {
    const parts = [pattern(70_000, 1), pattern(1, 2), pattern(200_001, 3)];
    const blob = new Blob(parts as BlobPart[]);
    const buffer = new ArrayBuffer(512 * 1024);
    new Uint8Array(buffer).fill(0xee);
    const filled = await readBlobInto(blob, buffer);
    expect(filled).toBeDefined();
    expect(filled!.byteLength).toBe(512 * 1024);
    expect(buffer.byteLength).toBe(0);
    const expected = new Uint8Array(blob.size);
    let at = 0;
    for (const part of parts) {
      expected.set(part, at);
      at += part.byteLength;
    }
    expect(new Uint8Array(filled!, 0, blob.size)).toEqual(expected);
    // Nothing past the Blob's bytes is written.
    expect(new Uint8Array(filled!, blob.size).every((byte) => byte === 0xee)).toBe(true);
  });

  it('reads a slice of a Blob, and a Blob exactly as long as the buffer', async () => {
    const whole = pattern(4096, 7);
    const slice = new Blob([whole as BlobPart]).slice(1000, 3000);
    const filled = await readBlobInto(slice, new ArrayBuffer(2000));
    expect(new Uint8Array(filled!)).toEqual(whole.subarray(1000, 3000));
  });

  it('leaves an empty Blob and refuses a Blob longer than the buffer', async () => {
    const buffer = new ArrayBuffer(8);
    expect(await readBlobInto(new Blob([]), buffer)).toBe(buffer);
    await expect(readBlobInto(new Blob([new Uint8Array(9)]), buffer)).rejects.toThrow(RangeError);
    expect(buffer.byteLength).toBe(8);
  });
});
