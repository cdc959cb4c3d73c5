/**
 * The app deployed on stock nginx (e2e/nginx/nginx.conf, started by global-setup): nginx serves
 * the production build and real media files, and answers Range, multiple ranges, ETag and If-Range
 * itself. Through the worker, single ranges equal nginx's own answers byte for byte, multiple
 * ranges are answered exactly, nginx's ETag is what the cache keys versions on (sent back as
 * If-Range), a file changed on disk is never mixed with its stored bytes, and a video plays, seeks
 * and replays offline.
 */
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, fetchInPage, figure, test, uniqueTag } from './fixtures';
import { mediaState, mountMedia, seekTo, waitForCurrentTime } from './media';
import { generatedBytes, generatedSha256 } from './origin/content';
import { NGINX_FILES } from './nginx/startNginx';
import { expectRangeResponse } from './rangeExpectations';
import { generatedSource } from './sources';
import { fileInfo } from './workerClient';

function nginx(): { url: string; root: string; accessLog: string } {
  const url = process.env.E2E_NGINX_URL;
  const root = process.env.E2E_NGINX_ROOT;
  const accessLog = process.env.E2E_NGINX_ACCESS_LOG;
  if (!url || !root || !accessLog) throw new Error('nginx is not running: e2e/global-setup.ts starts it');
  return { url, root, accessLog };
}

/** One request nginx logged (format `rangelog` in nginx.conf). */
interface NginxRequest {
  uri: string;
  status: number;
  bodyBytes: number;
  range: string;
  ifRange: string;
  etag: string;
}

function nginxRequests(uriPrefix: string): NginxRequest[] {
  const lines = readFileSync(nginx().accessLog, 'utf8').split('\n');
  const pattern = /^GET (\S+) (\d+) (\d+) range="([^"]*)" if_range="(.*)" etag="(.*)" direct="(.*)"$/;
  return lines.flatMap((line) => {
    const match = pattern.exec(line);
    // nginx logs a missing header as "-". The tests' own requests from Node are not the worker's.
    const header = (value: string) => (value === '-' ? '' : value);
    if (!match || !match[1]!.startsWith(uriPrefix) || header(match[7]!) !== '') return [];
    return [{ uri: match[1]!, status: Number(match[2]), bodyBytes: Number(match[3]), range: header(match[4]!), ifRange: header(match[5]!), etag: header(match[6]!) }];
  });
}

/** A page of the nginx origin, controlled by the app's worker. */
async function openOnNginx(page: Page): Promise<void> {
  await page.goto(`${nginx().url}/`);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
}

/** nginx's own answer, fetched from Node (no worker involved). */
async function nginxAnswer(path: string, range: string): Promise<{ status: number; contentRange: string | null; etag: string | null; body: Buffer }> {
  const response = await fetch(nginx().url + path, { headers: { Range: range, 'X-Test-Direct': '1' } });
  return { status: response.status, contentRange: response.headers.get('content-range'), etag: response.headers.get('etag'), body: Buffer.from(await response.arrayBuffer()) };
}

const SEGMENT = 512 * 1024;

test.describe('the app on nginx', () => {
  test('single ranges through the worker equal nginx\'s own answers; multiple ranges are exact; all replay offline', async ({ page, context }) => {
    await openOnNginx(page);
    const size = NGINX_FILES['three-segments.bin']!;
    // The file on disk is read through a URL of its own (nginx ignores the query): a cold cache key.
    const path = `/media/gen/three-segments.bin?t=${uniqueTag()}`;
    const source = generatedSource(size);
    const single = ['bytes=0-0', 'bytes=100-199', `bytes=${SEGMENT - 10}-${SEGMENT + 9}`, 'bytes=-500', `bytes=${size - 1000}-`, `bytes=${2 * SEGMENT}-${size + 1_000_000}`];
    const multiple = ['bytes=0-99,1000-1999', `bytes=${SEGMENT - 5}-${SEGMENT + 4},${2 * SEGMENT + 7}-${2 * SEGMENT + 70}`, `bytes=-100,0-9`];
    const pass = async (what: string) => {
      for (const range of single) {
        const ours = await fetchInPage(page, path, { range, maxBodyBytes: 1 << 20 });
        expectRangeResponse(ours, range, source, `${what}: ${range}`);
        const theirs = await nginxAnswer(path, range);
        expect(ours.status, `${what} ${range}: status as nginx`).toBe(theirs.status);
        expect(ours.headers['content-range'], `${what} ${range}: Content-Range as nginx`).toBe(theirs.contentRange);
        expect(ours.headers.etag, `${what} ${range}: nginx's ETag`).toBe(theirs.etag);
        expect(Buffer.from(ours.bodyBase64 ?? '', 'base64').equals(theirs.body), `${what} ${range}: body as nginx`).toBe(true);
      }
      for (const range of multiple) expectRangeResponse(await fetchInPage(page, path, { range }), range, source, `${what}: ${range}`);
    };
    await pass('online');
    // Those ranges touched every segment: once stored (writes trail reads), nginx is not needed.
    await expect.poll(async () => (await fileInfo(page, nginx().url + path))?.storedBytes, { message: 'bytes stored', timeout: 10_000 }).toBe(size);
    await context.setOffline(true);
    try {
      await pass('offline');
    } finally {
      await context.setOffline(false);
    }
    // nginx logs a request as it ends, which may be after the page has its answer: the file was
    // stored whole from nginx's answers, so their lines are all in once they carry its size.
    await expect
      .poll(() => nginxRequests(path).reduce((sum, r) => sum + r.bodyBytes, 0), { message: 'body bytes of the worker\'s requests in nginx\'s log', timeout: 10_000 })
      .toBeGreaterThanOrEqual(size);
    const upstream = nginxRequests(path);
    figure(`three-segment file on nginx: ${single.length} single and ${multiple.length} multiple ranges, online and offline; the worker asked nginx ${upstream.length} times (${upstream.map((r) => `${r.status} ${r.range}`).join(', ')})`);
    expect(upstream.every((r) => r.status === 206), 'the worker asks nginx for aligned ranges only').toBe(true);
  });

  test('nginx\'s ETag keys the stored version and goes back as If-Range; a file changed on disk is never mixed with its stored bytes', async ({ page }) => {
    await openOnNginx(page);
    const name = 'changing.bin';
    const size = NGINX_FILES[name]!;
    const path = `/media/gen/${name}?t=${uniqueTag()}`;
    const file = join(nginx().root, 'media', 'gen', name);
    writeFileSync(file, generatedBytes(0, size, 1));

    // Version 1: the first segment gets stored (the worker finishes the segment in progress).
    const first = await fetchInPage(page, path, { range: 'bytes=0-99' });
    expectRangeResponse(first, 'bytes=0-99', generatedSource(size, 1), 'version 1');
    const v1Etag = first.headers.etag!;
    expect(v1Etag, 'nginx sends a strong ETag').toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);

    // The next read of a missing part asks nginx with If-Range: the ETag it sent before.
    // Far past the first upstream window (2 MiB): not stored yet.
    const second = await fetchInPage(page, path, { range: `bytes=${12 * SEGMENT}-${12 * SEGMENT + 99}` });
    expectRangeResponse(second, `bytes=${12 * SEGMENT}-${12 * SEGMENT + 99}`, generatedSource(size, 1), 'version 1, at 6 MiB');
    // nginx logs a request as it ends: the worker's window goes on after the page has its 100 bytes.
    const conditionalRequests = () => nginxRequests(path).filter((r) => r.ifRange !== '');
    await expect.poll(() => conditionalRequests().length, { message: 'upstream requests with If-Range in nginx\'s log', timeout: 10_000 }).toBeGreaterThan(0);
    const conditional = conditionalRequests();
    expect(conditional.map((r) => `${r.ifRange} ${r.status}`), `If-Range ${v1Etag}, answered 206`).toEqual(conditional.map(() => `${v1Etag} 206`));

    // Version 2 on disk: other bytes at every offset, a later mtime, so another ETag. The next read
    // of a part not stored asks with the old ETag, and nginx answers the new version whole.
    writeFileSync(file, generatedBytes(0, size, 2));
    const later = new Date(Date.now() + 3_600_000);
    utimesSync(file, later, later);
    const third = await fetchInPage(page, path, { range: `bytes=${24 * SEGMENT}-${24 * SEGMENT + 99}` });
    expectRangeResponse(third, `bytes=${24 * SEGMENT}-${24 * SEGMENT + 99}`, generatedSource(size, 2), 'after the change: version 2, at 12 MiB');
    expect(third.headers.etag, 'the new ETag').not.toBe(v1Etag);
    await expect
      .poll(() => nginxRequests(path).filter((r) => r.ifRange === v1Etag && r.status === 200).length, {
        message: 'nginx refused the old ETag (If-Range → 200 with the new version)',
        timeout: 10_000,
      })
      .toBeGreaterThan(0);

    // The version-1 segments were purged: the start now reads as version 2, never version 1.
    const start = await fetchInPage(page, path, { range: 'bytes=0-99' });
    expectRangeResponse(start, 'bytes=0-99', generatedSource(size, 2), 'the start after the change');
    const whole = await fetchInPage(page, path, { maxBodyBytes: 0 });
    expect(whole.status).toBe(200);
    expect(whole.sha256, 'the whole file is version 2').toBe(generatedSha256(0, size, 2));
    figure(`nginx ETag ${v1Etag} → ${third.headers.etag}; If-Range requests: ${nginxRequests(path).filter((r) => r.ifRange).map((r) => `${r.status} ${r.range}`).join(', ')}`);
  });

  test('a video from nginx plays and seeks through the worker, then replays offline', async ({ page, context }) => {
    await openOnNginx(page);
    const src = `/media/lecture-1.mp4?t=${uniqueTag()}`;
    await mountMedia(page, 'video', src);
    await waitForCurrentTime(page, 1);
    const { duration } = await mediaState(page);
    await seekTo(page, duration * 0.6);
    await waitForCurrentTime(page, duration * 0.6 + 0.5);
    const online = await mediaState(page);
    expect(online.errorCode).toBeNull();

    await context.setOffline(true);
    try {
      await page.evaluate(() => document.querySelectorAll('video, audio').forEach((element) => element.remove()));
      await mountMedia(page, 'video', src);
      await waitForCurrentTime(page, 0.5);
      await seekTo(page, duration * 0.6);
      await waitForCurrentTime(page, duration * 0.6 + 0.3);
      const offline = await mediaState(page);
      expect(offline.errorCode, 'offline replay').toBeNull();
    } finally {
      await context.setOffline(false);
    }
    const requests = nginxRequests(src.split('?')[0]!);
    figure(`lecture-1.mp4 from nginx: played, sought to ${(duration * 0.6).toFixed(1)} s and replayed offline; nginx answered ${requests.length} requests for it`);
  });
});
