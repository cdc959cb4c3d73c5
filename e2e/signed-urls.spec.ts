/**
 * Signed, expiring URLs (S3's X-Amz-Signature, CloudFront's Signature, a `token`): each new
 * signature is a new URL, but the same file. The demo's worker keys files with
 * `signedUrlCacheKey`, so a lecture downloaded under one signature is played, listed and removed
 * under the next, online and offline; upstream requests go to the URL of the request being
 * answered. The origin's `oneUseSignature` knob refuses a signature used before (a 403), so a
 * request the worker made with a stale URL would fail.
 */
import { expect, fetchInPage, test, uniqueTag } from './fixtures';
import { mediaState, mountMedia, seekTo, waitForCurrentTime } from './media';
import { generatedSha256 } from './origin/content';
import { distMedia, fileSource } from './sources';
import { stripSigningParams } from '../src/lib/keys/signedUrlCacheKey';
import { MiB, fileInfo, listFiles, waitForDownload, waitForStoredBytes, workerResult, type DownloadProgress } from './workerClient';

const SEGMENT = 512 * 1024;

test.describe('signed and expiring URLs', () => {
  test('a download under one signature is read, listed and removed under others; each upstream request uses the URL it answers', async ({ swPage: page, context, origin }) => {
    // Within the first upstream window (2 MiB): the download is one request, its signature's only use.
    const size = 1.5 * MiB;
    const base = `/media/gen/signed-${uniqueTag()}.bin?size=${size}&oneUseSignature=1`;
    const signed = (signature: string): string => `${base}&X-Amz-Date=20261203T120000Z&X-Amz-Expires=900&X-Amz-Signature=${signature}`;
    const key = stripSigningParams(new URL(signed('any'), origin.url).href);
    expect(key, 'the key has no signature').toBe(new URL(base, origin.url).href);

    const started = await workerResult<DownloadProgress>(page, { type: 'download', url: new URL(signed('a1'), origin.url).href });
    expect(started.url, 'the download is keyed by the file, not the signature').toBe(key);
    await waitForDownload(page, key, ['complete']);
    expect((await origin.requestsFor(signed('a1'))).length, 'requests with the download’s signature').toBe(1);
    expect((await fetch(new URL(signed('a1'), origin.url))).status, 'that signature is spent').toBe(403);

    // A new signature: the same stored file, no request upstream.
    const read = await fetchInPage(page, signed('b2'), { range: 'bytes=1000-1999' });
    expect(read.status).toBe(206);
    expect(read.sha256).toBe(generatedSha256(1000, 2000));
    expect((await origin.requestsFor(signed('b2'))).length, 'requests with the reader’s signature').toBe(0);
    const listed = (await listFiles(page)).filter((file) => file.url.startsWith(new URL(base, origin.url).href));
    expect(listed.map((file) => [file.url, file.pinned, file.storedBytes]), 'one file, listed by its key').toEqual([[key, true, size]]);

    await context.setOffline(true);
    const offline = await fetchInPage(page, signed('c3'), { maxBodyBytes: 0 });
    expect(offline.sha256, 'offline, under a third signature').toBe(generatedSha256(0, size));
    await context.setOffline(false);

    await workerResult(page, { type: 'remove', url: new URL(signed('d4'), origin.url).href });
    expect(await fileInfo(page, key), 'removed under a fourth signature').toBeUndefined();
  });

  test('a file partly stored under one signature is completed under another: the missing bytes are fetched with the URL being answered', async ({ swPage: page, origin }) => {
    const size = 4 * MiB;
    const base = `/media/gen/signed-part-${uniqueTag()}.bin?size=${size}&oneUseSignature=1`;
    const signed = (token: string): string => `${base}&token=${token}`;
    const first = await fetchInPage(page, signed('first'), { range: `bytes=0-${SEGMENT - 1}`, maxBodyBytes: 0 });
    expect(first.sha256).toBe(generatedSha256(0, SEGMENT));
    const key = stripSigningParams(new URL(signed('x'), origin.url).href);
    await waitForStoredBytes(page, key, SEGMENT);

    // Far past the first window: not stored. The first signature is spent, so only the second can fetch it.
    const later = await fetchInPage(page, signed('second'), { range: `bytes=${7 * SEGMENT}-${7 * SEGMENT + 99}` });
    expect(later.status).toBe(206);
    expect(later.sha256).toBe(generatedSha256(7 * SEGMENT, 7 * SEGMENT + 100));
    const second = await origin.requestsFor(signed('second'));
    expect(second.map((record) => record.status), 'the second signature fetched the missing part').toEqual([206]);
    expect((await fileInfo(page, key))?.storedSegments, 'stored under the one key').toContain(7);
  });

  test('a lecture downloaded under one token plays offline in a <video> under another', async ({ swPage: page, context, origin }) => {
    const [video] = distMedia('.mp4');
    expect(video, 'a committed .mp4 in dist/media').toBeDefined();
    const tag = uniqueTag();
    const src = (token: string): string => `${video!.url}?lecture=${tag}&token=${token}`;
    const key = stripSigningParams(new URL(src('x'), origin.url).href);
    await workerResult(page, { type: 'download', url: new URL(src('download'), origin.url).href });
    await waitForDownload(page, key, ['complete']);

    await context.setOffline(true);
    await mountMedia(page, 'video', src('playback'));
    await waitForCurrentTime(page, 0.5);
    const { duration } = await mediaState(page);
    await seekTo(page, duration * 0.6);
    await waitForCurrentTime(page, duration * 0.6 + 0.3);
    expect((await mediaState(page)).errorCode, 'played offline under another token').toBeNull();
    const bytes = await fetchInPage(page, src('check'), { range: 'bytes=0-99999', maxBodyBytes: 0 });
    expect(bytes.sha256, 'the lecture’s bytes').toBe(fileSource(video!.path).sha256(0, 100_000));
  });

  test('a paused download resumes under a new signature with it, resumed by its key it keeps the signed URL, and progress(signedUrl) follows it', async ({ swPage: page, origin }) => {
    const size = 4 * MiB;
    const tag = uniqueTag();
    // Paced, so that the pause comes while the download runs.
    const base = `/media/gen/signed-resume-${tag}.bin?size=${size}&trickle=1000000`;
    const signed = (token: string): string => `${base}&token=${token}`;
    const absolute = (path: string): string => new URL(path, origin.url).href;
    const key = stripSigningParams(absolute(signed('x')));

    await workerResult(page, { type: 'download', url: absolute(signed('first')) });
    await waitForDownload(page, key, ['downloading'], { until: (progress) => progress.storedBytes >= SEGMENT });
    const paused = await workerResult<DownloadProgress>(page, { type: 'pause', url: absolute(signed('first')) });
    const firstRequests = (await origin.requestsFor(signed('first'))).length;

    // Resumed under a new signature: the rest is fetched with it.
    await workerResult(page, { type: 'resume', url: absolute(signed('second')) });
    await waitForDownload(page, key, ['downloading', 'complete'], { until: (progress) => progress.storedBytes >= paused.storedBytes + SEGMENT });
    await workerResult(page, { type: 'pause', url: key });
    expect((await origin.requestsFor(signed('first'))).length, 'no request with the old signature after the resume').toBe(firstRequests);
    expect((await origin.requestsFor(signed('second'))).length, 'requests with the new one').toBeGreaterThan(0);

    // Resumed by its key (as an app does from list()): the signed URL stays the one fetched from,
    // and the page follows the download by the URL it knows.
    const followed = page.evaluate(async (url) => {
      const { offlineLibrary } = window as unknown as { offlineLibrary: { progress(url: string): AsyncGenerator<{ state: string }> } };
      const states: string[] = [];
      for await (const progress of offlineLibrary.progress(url)) states.push(progress.state);
      return states;
    }, absolute(signed('second')));
    const resumed = await workerResult<DownloadProgress>(page, { type: 'resume', url: key });
    expect(resumed.sourceUrl, 'resumed by key, fetched from the signed URL').toBe(absolute(signed('second')));
    const complete = await waitForDownload(page, key, ['complete']);
    expect(complete.storedBytes).toBe(size);
    expect((await followed).at(-1), 'progress(signedUrl) saw the download complete').toBe('complete');
    const unsigned = await origin.requestsFor(base);
    expect(unsigned.length, 'no request without a signature').toBe(0);
  });
});
