/**
 * Origins as lecture platforms run them, treated as untrusted input: a session that expires
 * (a redirect to an HTML login page), a page served in place of the file, a file without
 * validators that changes between requests, a file replaced on the origin, `Vary` on request
 * headers, a request with its own `Authorization`, security headers, a navigation to a media URL.
 * The worker stores only the media, never mixes two versions in one answer, and keeps the headers
 * that matter on answers built from stored bytes.
 */
import type { Page } from '@playwright/test';
import { expect, fetchInPage, readInPage, test, uniqueTag, type Origin } from './fixtures';
import { generatedSha256 } from './origin/content';
import { SECURITY_HEADERS } from './origin/knobs';
import { MiB, fileInfo, waitForStoredBytes } from './workerClient';

const SEGMENT = 512 * 1024;

/** A fetch in the page that reports what the browser's own fetch would: redirected, the final URL, the type. */
async function fetchFollowing(page: Page, path: string, range?: string): Promise<{ status: number; redirected: boolean; url: string; contentType: string | null; text: string }> {
  return page.evaluate(
    async ({ path, range }) => {
      const response = await fetch(path, { headers: range === undefined ? {} : { Range: range } });
      return { status: response.status, redirected: response.redirected, url: response.url, contentType: response.headers.get('Content-Type'), text: await response.text() };
    },
    { path, range },
  );
}

/** Which version of a generated file `sha256` is the bytes [start, end) of, or 'mixed or wrong'. */
function versionOf(sha256: string | null, start: number, end: number, versions: number[]): string {
  const found = versions.find((version) => generatedSha256(start, end, version) === sha256);
  return found === undefined ? 'mixed or wrong' : `version ${found}`;
}

function absolute(origin: Origin, path: string): string {
  return new URL(path, origin.url).href;
}

test.describe('an untrusted origin', () => {
  test('a session that expired (302 to an HTML login page) is passed through and never stored, nor does it purge what is stored', async ({ swPage: page, context, origin }) => {
    const size = 4 * MiB;
    const path = `/media/gen/session-${uniqueTag()}.bin?size=${size}&requireCookie=session`;
    const url = absolute(origin, path);

    // Logged out: the page sees the login page, as the browser alone would show it.
    const loggedOut = await fetchFollowing(page, path, 'bytes=0-99');
    expect(loggedOut.redirected, 'the login page, redirected').toBe(true);
    expect(loggedOut.contentType).toMatch(/^text\/html/);
    expect(loggedOut.text).toContain('Sign in');
    expect(loggedOut.url).toContain('/login.html');
    expect(await fileInfo(page, url), 'nothing stored under the media URL').toBeUndefined();

    // Logged in again: the media, exact, and stored.
    await context.addCookies([{ name: 'session', value: 'signed-in', url: origin.url }]);
    const media = await readInPage(page, path, { range: `bytes=0-${SEGMENT - 1}`, maxBodyBytes: 0 });
    expect(media.status).toBe(206);
    expect(media.headers['content-type']).toBe('application/octet-stream');
    expect(media.sha256, 'the media bytes').toBe(generatedSha256(0, SEGMENT));
    await waitForStoredBytes(page, url, SEGMENT);

    // The session expires again: what is stored stays stored and is served; what is not passes through.
    await context.clearCookies();
    const storedPart = await readInPage(page, path, { range: 'bytes=100-199', maxBodyBytes: 0 });
    expect(storedPart.sha256, 'a stored range, while logged out').toBe(generatedSha256(100, 200));
    const missingPart = await fetchFollowing(page, path, `bytes=${7 * SEGMENT}-${7 * SEGMENT + 99}`);
    expect(missingPart.redirected, 'a range not stored, while logged out: the login page').toBe(true);
    const across = await fetchFollowing(page, path, 'bytes=0-');
    expect(across.redirected, 'an answer that needs the network learns of the login page before its headers').toBe(true);
    const after = await fileInfo(page, url);
    expect(after?.storedBytes, 'the login page purged nothing').toBeGreaterThanOrEqual(SEGMENT);
    expect(after?.contentType).toBe('application/octet-stream');

    await context.setOffline(true);
    const offline = await readInPage(page, path, { range: `bytes=0-${SEGMENT - 1}`, maxBodyBytes: 0 });
    expect(offline.sha256, 'the stored media, offline').toBe(generatedSha256(0, SEGMENT));
  });

  for (const type of ['text/html; charset=utf-8', 'application/json']) {
    test(`a page served in place of a stored file (200, ${type}, with an ETag) is passed through, never stored, and purges nothing`, async ({ swPage: page, origin }) => {
      // Larger than the first upstream window (2 MiB): some of it is never fetched before the page.
      const size = 8 * MiB;
      const pathname = `/media/gen/portal-${uniqueTag()}.bin`;
      const path = `${pathname}?size=${size}`;
      const url = absolute(origin, path);
      const first = await readInPage(page, path, { range: `bytes=0-${SEGMENT - 1}`, maxBodyBytes: 0 });
      expect(first.sha256).toBe(generatedSha256(0, SEGMENT));
      await waitForStoredBytes(page, url, SEGMENT);

      await origin.setPortal(pathname, type);
      try {
        // The whole file: its first segment is stored, the rest is asked for, and the origin's
        // answer is the page. The page gets that answer, as the browser alone would.
        const page200 = await readInPage(page, path, { maxBodyBytes: 4096 });
        expect(page200.status, 'the page, as the origin sent it').toBe(200);
        expect(page200.headers['content-type']).toBe(type);
        expect(page200.length, 'the page’s own length').toBeLessThan(1000);
        const stored = await readInPage(page, path, { range: 'bytes=0-99', maxBodyBytes: 0 });
        expect(stored.sha256, 'the stored bytes are still the media').toBe(generatedSha256(0, 100));
        const file = await fileInfo(page, url);
        expect(file?.contentType, 'the record is the media’s').toBe('application/octet-stream');
        expect(file?.storedBytes, 'nothing purged').toBeGreaterThanOrEqual(SEGMENT);
        expect(file?.sizeBytes).toBe(size);
      } finally {
        await origin.setPortal(pathname, undefined);
      }
    });
  }

  test('without validators, a file that changes between requests is never stitched: each answer is one version whole, and nothing is stored', async ({ swPage: page, origin }) => {
    const size = 6 * MiB;
    // Every request of this URL gets the next version, and no ETag or Last-Modified tells them apart.
    const path = `/media/gen/unvalidated-${uniqueTag()}.bin?size=${size}&noValidators=1&versionPerRequest=1`;
    for (const range of ['bytes=0-', undefined]) {
      const read = await readInPage(page, path, { ...(range === undefined ? {} : { range }), maxBodyBytes: 0 });
      expect(read.error, `read ${range ?? 'whole'}`).toBeNull();
      expect(read.length).toBe(size);
      const requests = (await origin.requestsFor(path)).length;
      expect(versionOf(read.sha256, 0, size, Array.from({ length: requests }, (_, i) => i + 1)), `read ${range ?? 'whole'}: one version`).toMatch(/^version \d+$/);
    }
    expect(await fileInfo(page, absolute(origin, path)), 'nothing stored without a validator').toBeUndefined();
  });

  test('a file replaced on the origin while part of it is stored: a read that needs the network is the new version, whole', async ({ swPage: page, origin }) => {
    const size = 4 * MiB;
    const pathname = `/media/gen/replaced-${uniqueTag()}.bin`;
    const path = `${pathname}?size=${size}`;
    const url = absolute(origin, path);
    const head = await readInPage(page, path, { range: `bytes=0-${2 * MiB - 1}`, maxBodyBytes: 0 });
    expect(head.sha256).toBe(generatedSha256(0, 2 * MiB, 1));
    await waitForStoredBytes(page, url, 2 * MiB);

    await origin.setVersion(pathname, 2);
    const sentBefore = await origin.bytesFor(path);
    const whole = await readInPage(page, path, { range: 'bytes=0-', maxBodyBytes: 0 });
    expect(whole.error, 'no network error once the file changed').toBeNull();
    expect(whole.status).toBe(206);
    expect(whole.headers['content-range']).toBe(`bytes 0-${size - 1}/${size}`);
    expect(versionOf(whole.sha256, 0, size, [1, 2]), 'the whole answer').toBe('version 2');
    // The If-Range request's answer (the new version from byte 0) feeds the whole answer: the
    // bytes before where it asked are not fetched a second time.
    expect(await origin.bytesFor(path) - sentBefore, 'origin bytes for the new version').toBeLessThanOrEqual(1.25 * size);
    const plain = await readInPage(page, path, { maxBodyBytes: 0 });
    expect(versionOf(plain.sha256, 0, size, [1, 2]), 'a later read').toBe('version 2');
  });

  test('Vary on a request header other than Range, Accept-Encoding or Origin is not stored; those three are', async ({ swPage: page, origin }) => {
    const size = SEGMENT;
    const tag = uniqueTag();
    const cases: Array<[string, boolean]> = [
      ['Cookie', false],
      ['*', false],
      ['Accept-Language', false],
      ['Accept-Encoding', true],
      ['Origin', true],
      ['Range, Accept-Encoding', true],
    ];
    for (const [vary, stored] of cases) {
      const path = `/media/gen/vary-${tag}.bin?size=${size}&vary=${encodeURIComponent(vary)}`;
      const read = await readInPage(page, path, { maxBodyBytes: 0 });
      expect(read.sha256, `Vary: ${vary}: exact bytes`).toBe(generatedSha256(0, size));
      if (stored) await waitForStoredBytes(page, absolute(origin, path), size);
      else expect(await fileInfo(page, absolute(origin, path)), `Vary: ${vary}: not stored`).toBeUndefined();
    }
  });

  test('a request with its own Authorization passes through and is never stored', async ({ swPage: page, origin }) => {
    const size = SEGMENT;
    const path = `/media/gen/authorized-${uniqueTag()}.bin?size=${size}`;
    const read = await readInPage(page, path, { range: 'bytes=0-99', headers: { Authorization: 'Bearer lecture-token' }, maxBodyBytes: 0 });
    expect(read.status).toBe(206);
    expect(read.sha256).toBe(generatedSha256(0, 100));
    const upstream = await origin.requestsFor(path);
    expect(upstream.map((record) => record.range), 'the request went to the origin as the page made it').toEqual(['bytes=0-99']);
    expect(await fileInfo(page, absolute(origin, path)), 'nothing stored').toBeUndefined();
  });

  test('the origin’s security and disposition headers are kept, on the network answer and on the answer from stored bytes', async ({ swPage: page, context, origin }) => {
    const size = 2 * SEGMENT;
    const path = `/media/gen/headers-${uniqueTag()}.bin?size=${size}&securityHeaders=1`;
    const expected = Object.fromEntries(Object.entries(SECURITY_HEADERS).map(([name, value]) => [name.toLowerCase(), value]));
    const cold = await fetchInPage(page, path, { range: 'bytes=0-' });
    expect(cold.status).toBe(206);
    expect(cold.headers, 'the network answer').toMatchObject(expected);
    await waitForStoredBytes(page, absolute(origin, path), size);
    await context.setOffline(true);
    const warm = await fetchInPage(page, path, { range: 'bytes=100-199' });
    expect(warm.status).toBe(206);
    expect(warm.headers, 'the answer from stored bytes').toMatchObject(expected);
    const unsatisfiable = await fetchInPage(page, path, { range: `bytes=${size}-` });
    expect(unsatisfiable.status).toBe(416);
  });

  test('a navigation to a media URL is the browser’s, never the media route’s', async ({ swPage: page, origin }) => {
    // A text file, so that the browser shows it rather than downloading it.
    const path = `/media/gen/vector/nums.txt?navigated=${uniqueTag()}`;
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    expect(await response?.text()).toBe('123456789');
    // The origin saw the navigation itself (the app shell's route passes navigations on), not the
    // media route's aligned range requests.
    const upstream = await origin.requestsFor(path);
    expect(upstream.map((record) => record.range), 'requests the origin saw for the URL').toEqual([null]);
    await page.goto('/');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    expect(await fileInfo(page, absolute(origin, path)), 'nothing stored').toBeUndefined();
  });
});
