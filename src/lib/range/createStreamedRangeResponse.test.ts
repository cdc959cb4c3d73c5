import { describe, expect, it } from 'vitest';
import { createRangeResponse } from './createRangeResponse.js';
import { createStreamedRangeResponse, type StreamPiece } from './createStreamedRangeResponse.js';
import type { RangeResolution, Representation } from './types.js';

const bytes = Uint8Array.from({ length: 100 }, (_, i) => 32 + i);
const representation: Representation = { sizeBytes: 100, contentType: 'video/mp4', etag: '"e1"', lastModified: 'Tue, 01 Dec 2026 00:00:00 GMT' };

/** What a cache's body opener does, in miniature: literal pieces as they are, ranges from the file. */
function openBody(pieces: StreamPiece[]): ReadableStream<Uint8Array> {
  return new Blob(pieces.map((piece) => (piece instanceof Uint8Array ? piece : bytes.subarray(piece.start, piece.end + 1))) as BlobPart[]).stream();
}

/** Headers and body with the random multipart boundary replaced, so two answers can be compared. */
async function normalized(response: Response): Promise<{ status: number; headers: Record<string, string>; body: string; bodyBytes: number }> {
  const boundary = /boundary=(\w+)/.exec(response.headers.get('Content-Type') ?? '')?.[1];
  const unbound = (text: string): string => (boundary ? text.split(boundary).join('BOUNDARY') : text);
  const headers = Object.fromEntries([...response.headers].map(([name, value]) => [name, unbound(value)]).sort());
  const body = await response.arrayBuffer();
  return { status: response.status, headers, body: unbound(new TextDecoder('latin1').decode(body)), bodyBytes: body.byteLength };
}

describe('createStreamedRangeResponse', () => {
  it.each<[string, Exclude<RangeResolution, { kind: 'unsatisfiable' }>]>([
    ['a single range', { kind: 'partial', ranges: [{ start: 10, end: 19 }] }],
    ['the last byte', { kind: 'partial', ranges: [{ start: 99, end: 99 }] }],
    ['the whole representation', { kind: 'full' }],
    ['several ranges (multipart/byteranges)', { kind: 'partial', ranges: [{ start: 0, end: 4 }, { start: 50, end: 59 }, { start: 95, end: 99 }] }],
  ])('answers %s with the status, headers and body of the Blob-bodied answer', async (_name, resolution) => {
    const streamed = createStreamedRangeResponse(resolution, representation, openBody, { 'Content-Length': '1', 'X-Extra': 'kept' });
    const stored = createRangeResponse(resolution, new Blob([bytes]), representation, { 'X-Extra': 'kept' });
    const [a, b] = await Promise.all([normalized(streamed), normalized(stored)]);
    expect(a).toEqual(b);
    expect(Number(a.headers['content-length'])).toBe(a.bodyBytes);
  });

  it('hands the body opener the ranges and framing in order', () => {
    const seen: StreamPiece[][] = [];
    createStreamedRangeResponse({ kind: 'partial', ranges: [{ start: 1, end: 2 }, { start: 90, end: 91 }] }, representation, (pieces) => {
      seen.push(pieces);
      return openBody(pieces);
    });
    const kinds = seen[0]!.map((piece) => (piece instanceof Uint8Array ? 'text' : `${piece.start}-${piece.end}`));
    expect(kinds).toEqual(['text', '1-2', 'text', '90-91', 'text']);
  });
});
