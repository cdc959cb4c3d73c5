import { describe, expect, it } from 'vitest';
import { readUpstreamHead } from './upstreamHead.js';

function response(status: number, headers: Record<string, string>): Response {
  return new Response(status === 416 ? null : 'x', { status, headers });
}

describe('readUpstreamHead', () => {
  it('reads a 206 that starts where asked', () => {
    const head = readUpstreamHead(
      response(206, { 'Content-Range': 'bytes 524288-1048575/4000000', ETag: '"abc"', 'Content-Type': 'video/mp4' }),
      524288,
    );
    expect(head).toEqual({
      kind: 'body',
      sizeBytes: 4000000,
      startOffset: 524288,
      endOffset: 1048576,
      validator: { etag: '"abc"' },
      contentType: 'video/mp4',
      storable: true,
    });
  });

  it.each([
    ['a 206 that starts elsewhere', 206, { 'Content-Range': 'bytes 0-99/1000', ETag: '"a"' }, 'upstream-range-mismatch'],
    ['a 206 without Content-Range', 206, { ETag: '"a"' }, 'content-range-malformed'],
    ['a 206 with an unknown length', 206, { 'Content-Range': 'bytes 100-199/*' }, 'content-range-malformed'],
    ['a 206 with a malformed Content-Range', 206, { 'Content-Range': 'bytes 100-99/1000' }, 'content-range-malformed'],
    ['a 200 without Content-Length', 200, {}, 'length-unknown'],
    ['a 404', 404, {}, 'status 404'],
    ['a 500', 500, {}, 'status 500'],
  ])('refuses %s', (_name, status, headers, reason) => {
    expect(readUpstreamHead(response(status, headers), 100)).toEqual({ kind: 'unusable', reason });
  });

  it('uses a 200 as the whole resource from byte 0', () => {
    const head = readUpstreamHead(response(200, { 'Content-Length': '1', 'Last-Modified': 'Tue, 01 Dec 2026 00:00:00 GMT' }), 524288);
    expect(head).toMatchObject({ kind: 'body', startOffset: 0, endOffset: 1, sizeBytes: 1, storable: true });
  });

  it('reads the size from a 416', () => {
    expect(readUpstreamHead(response(416, { 'Content-Range': 'bytes */1234' }), 5000)).toEqual({ kind: 'unsatisfiable', sizeBytes: 1234 });
  });

  it.each([
    ['Cache-Control: no-store', { 'Cache-Control': 'private, no-store', ETag: '"a"' }],
    ['a weak ETag alone', { ETag: 'W/"a"' }],
    ['no validator', {}],
    ['an encoded body', { ETag: '"a"', 'Content-Encoding': 'gzip' }],
  ])('streams but does not store a response with %s', (_name, headers) => {
    const head = readUpstreamHead(response(206, { 'Content-Range': 'bytes 0-0/1', ...headers }), 0);
    expect(head).toMatchObject({ kind: 'body', storable: false });
  });

  it('pairs a weak ETag with Last-Modified by using the date alone', () => {
    const head = readUpstreamHead(response(206, { 'Content-Range': 'bytes 0-0/1', ETag: 'W/"a"', 'Last-Modified': 'Tue, 01 Dec 2026 00:00:00 GMT' }), 0);
    expect(head).toMatchObject({ storable: true, validator: { lastModified: 'Tue, 01 Dec 2026 00:00:00 GMT' } });
  });
});
