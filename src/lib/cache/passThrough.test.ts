import { describe, expect, it } from 'vitest';
import { partialMatchesRequest } from './passThrough.js';

const headers = (init: Record<string, string>) => new Headers(init);

describe('partialMatchesRequest (a passed-through 206 must be the range asked for)', () => {
  it('accepts the single range asked for, however it was written', () => {
    expect(partialMatchesRequest(headers({ 'Content-Range': 'bytes 100-199/1000' }), 'bytes=100-199')).toBe(true);
    expect(partialMatchesRequest(headers({ 'Content-Range': 'bytes 900-999/1000' }), 'bytes=-100')).toBe(true);
    expect(partialMatchesRequest(headers({ 'Content-Range': 'bytes 500-999/1000' }), 'bytes=500-')).toBe(true);
    expect(partialMatchesRequest(headers({ 'Content-Range': 'bytes 500-999/1000' }), 'bytes=500-5000')).toBe(true);
  });

  it('refuses a 206 labelled as other bytes, or without a usable Content-Range', () => {
    expect(partialMatchesRequest(headers({ 'Content-Range': 'bytes 524388-524487/4194304' }), 'bytes=100-199')).toBe(false);
    expect(partialMatchesRequest(headers({ 'Content-Range': 'bytes 100-198/1000' }), 'bytes=100-199')).toBe(false);
    expect(partialMatchesRequest(headers({}), 'bytes=100-199')).toBe(false);
    expect(partialMatchesRequest(headers({ 'Content-Range': 'bytes */1000' }), 'bytes=100-199')).toBe(false);
    expect(partialMatchesRequest(headers({ 'Content-Range': 'items 1-2/3' }), 'bytes=100-199')).toBe(false);
  });

  it('leaves multipart answers and several-range requests to the parts themselves', () => {
    expect(partialMatchesRequest(headers({ 'Content-Type': 'multipart/byteranges; boundary=x' }), 'bytes=0-1,5-6')).toBe(true);
    expect(partialMatchesRequest(headers({ 'Content-Range': 'bytes 0-600/1000' }), 'bytes=0-100,500-600')).toBe(true);
  });
});
