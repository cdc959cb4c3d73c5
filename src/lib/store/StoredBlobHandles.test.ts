import { describe, expect, it } from 'vitest';
import { StoredBlobHandles } from './StoredBlobHandles.js';

const blob = (size: number) => new Blob([new Uint8Array(size)]);

describe('StoredBlobHandles', () => {
  it('hands out the first Blob of a segment again for later reads', () => {
    const handles = new StoredBlobHandles();
    const first = blob(8);
    expect(handles.handleFor('https://a.test/v', 0, first)).toBe(first);
    expect(handles.handleFor('https://a.test/v', 0, blob(8))).toBe(first);
    expect(handles.handleFor('https://a.test/v', 1, blob(8))).not.toBe(first);
  });

  it('takes the new Blob when the kept one has another size (a record written anew)', () => {
    const handles = new StoredBlobHandles();
    handles.handleFor('https://a.test/v', 0, blob(8));
    const other = blob(4);
    expect(handles.handleFor('https://a.test/v', 0, other)).toBe(other);
  });

  it('forgets a segment, and a file without touching a file whose URL starts the same', () => {
    const handles = new StoredBlobHandles();
    const kept = blob(8);
    handles.handleFor('https://a.test/v', 0, blob(8));
    handles.handleFor('https://a.test/v', 1, blob(8));
    handles.handleFor('https://a.test/v2', 0, kept);
    handles.forgetSegment('https://a.test/v', 1);
    expect(handles.size).toBe(2);
    handles.forgetFile('https://a.test/v');
    expect(handles.size).toBe(1);
    expect(handles.handleFor('https://a.test/v2', 0, blob(8))).toBe(kept);
  });

  it('keeps at most its bound, dropping the least recently used', () => {
    const handles = new StoredBlobHandles(2);
    const a = blob(1);
    const b = blob(1);
    handles.handleFor('u', 0, a);
    handles.handleFor('u', 1, b);
    handles.handleFor('u', 0, blob(1)); // a is now the most recently used
    handles.handleFor('u', 2, blob(1)); // drops b
    expect(handles.size).toBe(2);
    expect(handles.handleFor('u', 0, blob(1))).toBe(a);
    expect(handles.handleFor('u', 1, blob(1))).not.toBe(b);
  });
});
