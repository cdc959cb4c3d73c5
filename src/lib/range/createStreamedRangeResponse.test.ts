import { describe, expect, it } from 'vitest';
import { createRangeResponse } from './createRangeResponse.js';
import { createStreamedRangeResponse } from './createStreamedRangeResponse.js';
import type { ByteRange, Representation } from './types.js';

const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
const representation: Representation = { sizeBytes: 100, contentType: 'video/mp4', etag: '"e1"', lastModified: 'Tue, 01 Dec 2026 00:00:00 GMT' };

function streamOf(range: ByteRange | undefined): ReadableStream<Uint8Array> {
  const view = range ? bytes.subarray(range.start, range.end + 1) : bytes;
  return new Blob([view]).stream();
}

function headerMap(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].sort());
}

describe('createStreamedRangeResponse', () => {
  it.each<[string, ByteRange | undefined]>([
    ['a single range', { start: 10, end: 19 }],
    ['the last byte', { start: 99, end: 99 }],
    ['the whole representation', undefined],
  ])('answers %s with the headers and bytes of the Blob-bodied answer', async (_name, range) => {
    const streamed = createStreamedRangeResponse(streamOf(range), range, representation, { 'Content-Length': '1', 'X-Extra': 'kept' });
    const resolution = range ? { kind: 'partial' as const, ranges: [range] } : { kind: 'full' as const };
    const stored = createRangeResponse(resolution, new Blob([bytes]), representation, { 'X-Extra': 'kept' });
    expect(streamed.status).toBe(stored.status);
    expect(headerMap(streamed)).toEqual(headerMap(stored));
    expect(new Uint8Array(await streamed.arrayBuffer())).toEqual(new Uint8Array(await stored.arrayBuffer()));
  });
});
