import { describe, expect, it } from 'vitest';
import { readUpstreamHead, type UpstreamRequest } from './upstreamHead.js';

const URL_ASKED = 'https://media.example/lectures/a.mp4';

function response(status: number, headers: Record<string, string>): Response {
  return new Response(status === 416 ? null : 'x', { status, headers });
}

/** A response as fetch() hands it back after following redirects to `finalUrl`. */
function arrivedFrom(finalUrl: string, redirected: boolean, status: number, headers: Record<string, string>): Response {
  const answer = response(status, headers);
  Object.defineProperty(answer, 'url', { value: finalUrl });
  Object.defineProperty(answer, 'redirected', { value: redirected });
  return answer;
}

const at = (start: number, storedContentType?: string): UpstreamRequest => ({ url: URL_ASKED, start, storedContentType });

describe('readUpstreamHead', () => {
  it('reads a 206 that starts where asked, with the origin headers an answer keeps', () => {
    const head = readUpstreamHead(
      response(206, {
        'Content-Range': 'bytes 524288-1048575/4000000',
        ETag: '"abc"',
        'Content-Type': 'video/mp4',
        'Content-Disposition': 'inline; filename="a.mp4"',
        'X-Content-Type-Options': 'nosniff',
        'Set-Cookie': 'never=kept',
        Server: 'not kept',
      }),
      at(524288),
    );
    expect(head).toEqual({
      kind: 'body',
      sizeBytes: 4000000,
      startOffset: 524288,
      endOffset: 1048576,
      validator: { etag: '"abc"' },
      contentType: 'video/mp4',
      headers: { 'Content-Disposition': 'inline; filename="a.mp4"', 'X-Content-Type-Options': 'nosniff' },
      storable: true,
    });
  });

  it.each([
    ['a 206 that starts elsewhere', 206, { 'Content-Range': 'bytes 0-99/1000', ETag: '"a"' }, 'upstream-range-mismatch'],
    ['a 206 without Content-Range', 206, { ETag: '"a"' }, 'content-range-malformed'],
    ['a 206 with an unknown length', 206, { 'Content-Range': 'bytes 100-199/*' }, 'content-range-malformed'],
    ['a 206 with a malformed Content-Range', 206, { 'Content-Range': 'bytes 100-99/1000' }, 'content-range-malformed'],
    ['a 200 without Content-Length', 200, {}, 'length-unknown'],
    ['a 200 whose length is no safe integer', 200, { 'Content-Length': '9007199254740993' }, 'length-unknown'],
    ['a 404', 404, {}, 'status 404'],
    ['a 500', 500, {}, 'status 500'],
    ['a 302 not followed', 302, { Location: '/login' }, 'status 302'],
    ['an HTML page (200)', 200, { 'Content-Length': '1', 'Content-Type': 'text/html; charset=utf-8', ETag: '"p"' }, 'not-media'],
    ['an HTML page (206)', 206, { 'Content-Range': 'bytes 100-100/101', 'Content-Type': 'Text/HTML', ETag: '"p"' }, 'not-media'],
    ['an XHTML page', 200, { 'Content-Length': '1', 'Content-Type': 'application/xhtml+xml' }, 'not-media'],
  ])('refuses %s', (_name, status, headers, reason) => {
    expect(readUpstreamHead(response(status, headers), at(100))).toEqual({ kind: 'unusable', reason });
  });

  it.each([
    ['redirected', arrivedFrom('https://login.example/sign-in', true, 200, { 'Content-Length': '1', ETag: '"a"' })],
    ['from another URL', arrivedFrom('https://cdn.example/a.mp4', false, 206, { 'Content-Range': 'bytes 0-0/1', ETag: '"a"' })],
  ])('refuses an answer that came %s: it is not what was asked for', (_name, answer) => {
    expect(readUpstreamHead(answer, at(0))).toEqual({ kind: 'unusable', reason: 'redirected' });
  });

  it('uses an answer from the URL asked, fragment or not (a response URL has none)', () => {
    const answer = () => arrivedFrom(URL_ASKED, false, 206, { 'Content-Range': 'bytes 0-0/1', ETag: '"a"' });
    expect(readUpstreamHead(answer(), at(0))).toMatchObject({ kind: 'body', storable: true });
    expect(readUpstreamHead(answer(), { url: `${URL_ASKED}#t=10`, start: 0 })).toMatchObject({ kind: 'body', storable: true });
  });

  it.each([
    ['video/mp4', 'text/plain', true],
    ['video/mp4', 'application/json', true],
    ['video/mp4', 'application/problem+json', true],
    ['application/octet-stream', 'application/xml', true],
    ['video/mp4', 'image/png', false],
    ['audio/wav', 'video/webm', false],
    ['application/octet-stream', 'video/mp4', false],
    ['binary/octet-stream', 'video/mp4', false],
    ['text/plain', 'application/json', false],
    ['video/mp4', 'video/webm', false],
    ['video/mp4', 'Video/MP4; codecs="avc1"', false],
    ['text/plain; charset=utf-8', 'text/plain', false],
  ])('stored %s, answered %s: contradicts = %s', (stored, answered, contradicts) => {
    const head = readUpstreamHead(response(206, { 'Content-Range': 'bytes 0-0/1', ETag: '"a"', 'Content-Type': answered }), at(0, stored));
    expect(head.kind === 'unusable' && head.reason === 'type-contradicts-stored').toBe(contradicts);
  });

  it('uses a 200 as the whole resource from byte 0', () => {
    const head = readUpstreamHead(response(200, { 'Content-Length': '1', 'Last-Modified': 'Tue, 01 Dec 2026 00:00:00 GMT' }), at(524288));
    expect(head).toMatchObject({ kind: 'body', startOffset: 0, endOffset: 1, sizeBytes: 1, storable: true });
  });

  it('reads the size from a 416', () => {
    expect(readUpstreamHead(response(416, { 'Content-Range': 'bytes */1234' }), at(5000))).toEqual({ kind: 'unsatisfiable', sizeBytes: 1234 });
  });

  it.each([
    ['Cache-Control: no-store', { 'Cache-Control': 'private, no-store', ETag: '"a"' }],
    ['a weak ETag alone', { ETag: 'W/"a"' }],
    ['no validator', {}],
    ['an encoded body', { ETag: '"a"', 'Content-Encoding': 'gzip' }],
    ['Vary: Cookie', { ETag: '"a"', Vary: 'Cookie' }],
    ['Vary: *', { ETag: '"a"', Vary: '*' }],
    ['Vary: Origin, Authorization', { ETag: '"a"', Vary: 'Origin, Authorization' }],
  ])('streams but does not store a response with %s', (_name, headers) => {
    const head = readUpstreamHead(response(206, { 'Content-Range': 'bytes 0-0/1', ...headers }), at(0));
    expect(head).toMatchObject({ kind: 'body', storable: false });
  });

  it.each([['Range'], ['Accept-Encoding'], ['Origin'], ['origin, accept-encoding, Range'], ['Cache-Control: private']])(
    'stores a response with Vary (or a header) %s',
    (value) => {
      const headers: Record<string, string> = value.startsWith('Cache-Control') ? { 'Cache-Control': 'private' } : { Vary: value };
      const head = readUpstreamHead(response(206, { 'Content-Range': 'bytes 0-0/1', ETag: '"a"', ...headers }), at(0));
      expect(head).toMatchObject({ kind: 'body', storable: true });
    },
  );

  it('pairs a weak ETag with Last-Modified by using the date alone', () => {
    const head = readUpstreamHead(response(206, { 'Content-Range': 'bytes 0-0/1', ETag: 'W/"a"', 'Last-Modified': 'Tue, 01 Dec 2026 00:00:00 GMT' }), at(0));
    expect(head).toMatchObject({ storable: true, validator: { lastModified: 'Tue, 01 Dec 2026 00:00:00 GMT' } });
  });
});
