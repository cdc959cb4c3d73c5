import { describe, expect, it } from 'vitest';
import { passesThrough } from './createMediaCacheHandler.js';
import { isMediaRequest } from './isMediaRequest.js';

const ORIGIN = 'https://app.test';

function matches(url: string, init: RequestInit = {}, destination: RequestDestination = '', options = {}, mode?: RequestMode): boolean {
  const request = new Request(url, init);
  // Node's Request has no destination; a media element's request has 'video' or 'audio'.
  Object.defineProperty(request, 'destination', { value: destination });
  // Nor can it be a navigation (the constructor refuses mode 'navigate').
  if (mode) Object.defineProperty(request, 'mode', { value: mode });
  return isMediaRequest(request, new URL(url), ORIGIN, options);
}

describe('isMediaRequest (what the cache may touch)', () => {
  it('takes same-origin GETs under the media prefix', () => {
    expect(matches(`${ORIGIN}/media/a.mp4`)).toBe(true);
    expect(matches(`${ORIGIN}/media/deep/b.webm?x=1`)).toBe(true);
  });

  it('leaves everything else alone: other paths, other origins, and every method but GET', () => {
    expect(matches(`${ORIGIN}/api/media/a.mp4`)).toBe(false);
    expect(matches(`${ORIGIN}/mediax/a.mp4`)).toBe(false);
    expect(matches(`${ORIGIN}/index.html`)).toBe(false);
    expect(matches(`https://cdn.test/media/a.mp4`)).toBe(false);
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']) {
      expect(matches(`${ORIGIN}/media/a.mp4`, { method }), method).toBe(false);
      expect(matches(`${ORIGIN}/media/a.mp4`, { method }, 'video'), `${method} from a media element`).toBe(false);
    }
  });

  it('never takes a navigation, not even to a media URL', () => {
    expect(matches(`${ORIGIN}/media/a.mp4`, {}, 'document', {}, 'navigate')).toBe(false);
    expect(matches(`${ORIGIN}/media/a.mp4`, {}, 'video', {}, 'navigate')).toBe(false);
    expect(matches(`${ORIGIN}/media/a.mp4`, {}, '', {}, 'same-origin')).toBe(true);
  });

  it('takes media elements’ requests from any origin unless told not to, and honours configured prefixes', () => {
    expect(matches(`https://cdn.test/v/a.mp4`, {}, 'video')).toBe(true);
    expect(matches(`https://cdn.test/v/a.mp3`, {}, 'audio')).toBe(true);
    expect(matches(`https://cdn.test/v/a.mp4`, {}, 'video', { mediaDestinations: false })).toBe(false);
    expect(matches(`https://cdn.test/v/a.png`, {}, 'image')).toBe(false);
    expect(matches(`${ORIGIN}/lectures/a.mp4`, {}, '', { pathPrefixes: ['/lectures/'] })).toBe(true);
    expect(matches(`${ORIGIN}/media/a.mp4`, {}, '', { pathPrefixes: ['/lectures/'] })).toBe(false);
  });
});

describe('passesThrough (cross-origin requests never answered from or written to the store)', () => {
  it('passes opaque (no-cors) and credentialed cross-origin requests through; CORS without credentials and same-origin ones are cached', () => {
    const request = (url: string, init: RequestInit) => new Request(url, init);
    expect(passesThrough(request('https://cdn.test/a.mp4', { mode: 'no-cors' }), ORIGIN)).toBe(true);
    expect(passesThrough(request('https://cdn.test/a.mp4', { mode: 'cors', credentials: 'include' }), ORIGIN)).toBe(true);
    expect(passesThrough(request('https://cdn.test/a.mp4', { mode: 'cors', credentials: 'same-origin' }), ORIGIN)).toBe(false);
    expect(passesThrough(request('https://cdn.test/a.mp4', { mode: 'cors', credentials: 'omit' }), ORIGIN)).toBe(false);
    expect(passesThrough(request(`${ORIGIN}/media/a.mp4`, { mode: 'no-cors', credentials: 'include' }), ORIGIN)).toBe(false);
  });

  it('passes a request with its own Authorization through, same-origin or not: the answer is that user’s', () => {
    const authorized = { headers: { Authorization: 'Bearer abc' } };
    expect(passesThrough(new Request(`${ORIGIN}/media/a.mp4`, authorized), ORIGIN)).toBe(true);
    expect(passesThrough(new Request('https://cdn.test/a.mp4', { ...authorized, mode: 'cors' }), ORIGIN)).toBe(true);
    expect(passesThrough(new Request(`${ORIGIN}/media/a.mp4`, { headers: { Range: 'bytes=0-1' } }), ORIGIN)).toBe(false);
  });

  it('passes a navigation through', () => {
    const navigation = new Request(`${ORIGIN}/media/a.mp4`);
    Object.defineProperty(navigation, 'mode', { value: 'navigate' });
    expect(passesThrough(navigation, ORIGIN)).toBe(true);
  });
});
