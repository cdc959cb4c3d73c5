import { describe, expect, it } from 'vitest';
import { StoredBlobHandles } from './StoredBlobHandles.js';

const blob = (size: number) => new Blob([new Uint8Array(size)]);
const version = (url: string, createdAt = 1) => ({ url, createdAt });
const V = version('https://a.test/v');
const U = version('u');

describe('StoredBlobHandles', () => {
  it('hands out the first Blob of a segment again for later reads', () => {
    const handles = new StoredBlobHandles();
    const first = blob(8);
    expect(handles.handleFor(V, 0, first)).toBe(first);
    expect(handles.handleFor(V, 0, blob(8))).toBe(first);
    expect(handles.handleFor(V, 1, blob(8))).not.toBe(first);
  });

  it('takes the new Blob when the kept one has another size (a record written anew)', () => {
    const handles = new StoredBlobHandles();
    handles.handleFor(V, 0, blob(8));
    const other = blob(4);
    expect(handles.handleFor(V, 0, other)).toBe(other);
  });

  it('never hands a handle of one stored version out for another, even of the same size', () => {
    const handles = new StoredBlobHandles();
    const old = blob(8);
    handles.handleFor(version('https://a.test/v', 1), 0, old);
    const replaced = blob(8);
    expect(handles.handleFor(version('https://a.test/v', 2), 0, replaced)).toBe(replaced);
    expect(handles.handleFor(version('https://a.test/v', 2), 0, blob(8))).toBe(replaced);
  });

  it('forgets every version of a file', () => {
    const handles = new StoredBlobHandles();
    handles.handleFor(version('https://a.test/v', 1), 0, blob(8));
    handles.handleFor(version('https://a.test/v', 2), 0, blob(8));
    handles.forgetFile('https://a.test/v');
    expect(handles.size).toBe(0);
  });

  it('forgets a segment, and a file without touching a file whose URL starts the same', () => {
    const handles = new StoredBlobHandles();
    const kept = blob(8);
    handles.handleFor(V, 0, blob(8));
    handles.handleFor(V, 1, blob(8));
    handles.handleFor(version('https://a.test/v2'), 0, kept);
    handles.forgetSegment(V, 1);
    expect(handles.size).toBe(2);
    handles.forgetFile('https://a.test/v');
    expect(handles.size).toBe(1);
    expect(handles.handleFor(version('https://a.test/v2'), 0, blob(8))).toBe(kept);
  });

  it('keeps at most its bound, dropping the least recently used', () => {
    const handles = new StoredBlobHandles(2);
    const a = blob(1);
    const b = blob(1);
    handles.handleFor(U, 0, a);
    handles.handleFor(U, 1, b);
    handles.handleFor(U, 0, blob(1)); // a is now the most recently used
    handles.handleFor(U, 2, blob(1)); // drops b
    expect(handles.size).toBe(2);
    expect(handles.handleFor(U, 0, blob(1))).toBe(a);
    expect(handles.handleFor(U, 1, blob(1))).not.toBe(b);
  });
});
