import { describe, expect, it } from 'vitest';
import { ScratchReader } from '../stream/ScratchReader.js';
import { SegmentBufferPool } from './SegmentBufferPool.js';

describe('SegmentBufferPool', () => {
  it('gives a buffer back only when its last holder lets go', () => {
    const pool = new SegmentBufferPool(16, 4);
    const buffer = pool.take();
    const letGoReader = buffer.hold();
    buffer.letGo();
    expect(pool.freeCount).toBe(0);
    letGoReader();
    letGoReader();
    expect(pool.freeCount).toBe(1);
    expect(pool.take().bytes.buffer).toBe(buffer.bytes.buffer);
    expect(pool.allocatedCount).toBe(1);
  });

  it('keeps at most maxFreeBuffers, drops detached buffers, and trims', () => {
    const pool = new SegmentBufferPool(16, 1);
    const [a, b] = [pool.take(), pool.take()];
    a.letGo();
    b.letGo();
    expect(pool.freeCount).toBe(1);
    pool.trim();
    expect(pool.freeCount).toBe(0);
    const detached = new ArrayBuffer(16);
    structuredClone(detached, { transfer: [detached] });
    pool.give(detached);
    pool.give(new ArrayBuffer(8));
    expect(pool.freeCount).toBe(0);
  });

  it('refuses to let go more often than held', () => {
    const buffer = new SegmentBufferPool(16, 1).take();
    buffer.letGo();
    expect(() => buffer.letGo()).toThrow();
  });
});

describe('ScratchReader', () => {
  const bytesOf = (n: number, from = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (from + i) % 251);

  it('reads a byte stream through one reused buffer', async () => {
    const pool = new SegmentBufferPool(8, 2);
    const data = bytesOf(20);
    let offset = 0;
    const stream = new ReadableStream({
      type: 'bytes',
      pull(controller) {
        const request = controller.byobRequest!;
        const view = request.view!;
        const n = Math.min(view.byteLength, data.byteLength - offset, 5);
        if (n === 0) {
          controller.close();
          request.respond(0);
          return;
        }
        new Uint8Array(view.buffer, view.byteOffset, n).set(data.subarray(offset, offset + n));
        offset += n;
        request.respond(n);
      },
    });
    const reader = new ScratchReader(stream, pool);
    expect(reader.reusesBuffer).toBe(true);
    const got: number[] = [];
    for (let chunk = await reader.read(); chunk; chunk = await reader.read()) got.push(...chunk);
    expect(Uint8Array.from(got)).toEqual(data);
    reader.releaseScratch();
    expect(pool.allocatedCount).toBe(1);
    expect(pool.freeCount).toBe(1);
  });

  it('reads any other stream chunk by chunk', async () => {
    const chunks = [bytesOf(3), bytesOf(4, 3)];
    const reader = new ScratchReader(new ReadableStream({ pull: (c) => void (chunks.length ? c.enqueue(chunks.shift()!) : c.close()) }), new SegmentBufferPool(8, 2));
    expect(reader.reusesBuffer).toBe(false);
    expect(await reader.read()).toEqual(bytesOf(3));
    expect(await reader.read()).toEqual(bytesOf(4, 3));
    expect(await reader.read()).toBeUndefined();
  });
});
