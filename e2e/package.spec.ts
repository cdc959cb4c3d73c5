/**
 * The library as a user gets it: `npm pack` makes the tarball (after `npm run build:lib`, its `prepack`), a
 * separate tiny app (e2e/example-app) installs that tarball, not the source, adds the cache to its
 * own Workbox service worker in three lines, type-checks against the package's declarations, and
 * is built with Vite like any app. Served by the test origin, its video plays, seeks and replays
 * offline, and a plugin callback of the app's sees the segments stored.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { expect, fetchInPage, figure, test } from './fixtures';
import { mediaState, mountMedia, seekTo, waitForCurrentTime } from './media';
import { startOrigin, type OriginStats, type RunningOrigin } from './origin/server';
import { distMedia, repoRoot } from './sources';

let workDir: string;
let app: RunningOrigin;
let tarballBytes = 0;
let packedFiles: string[] = [];
let appSwSource = '';
let videoPath = '';

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' } });
}

test.describe('the packed package in an app of its own', () => {
  test.beforeAll(async () => {
    test.setTimeout(240_000);
    workDir = mkdtempSync(join(tmpdir(), 'media-range-cache-package-'));
    // What `npm pack` runs first (prepack), then the packing itself, whose JSON report is parsed.
    run('npm', ['run', 'build:lib'], repoRoot);
    const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', workDir], repoRoot)) as Array<{ filename: string; size: number; files: Array<{ path: string }> }>;
    tarballBytes = packed[0]!.size;
    packedFiles = packed[0]!.files.map((file) => file.path);
    renameSync(join(workDir, packed[0]!.filename), join(workDir, 'media-range-cache.tgz'));

    const appDir = join(workDir, 'app');
    cpSync(join(repoRoot, 'e2e', 'example-app'), appDir, { recursive: true });
    // From the npm cache when it has the packages (CI installed the same versions first).
    run('npm', ['install', '--prefer-offline', '--no-package-lock'], appDir);
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], appDir);
    run(process.execPath, [tsc, '-p', 'tsconfig.sw.json'], appDir);

    const outDir = join(appDir, 'dist');
    await build({
      root: appDir,
      configFile: false,
      logLevel: 'warn',
      build: {
        outDir,
        emptyOutDir: true,
        rolldownOptions: {
          input: { main: join(appDir, 'index.html'), sw: join(appDir, 'src', 'sw.ts') },
          output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
        },
      },
    });
    appSwSource = readFileSync(join(outDir, 'sw.js'), 'utf8');
    for (const name of readdirSync(join(outDir, 'assets'))) if (name.endsWith('.js')) appSwSource += readFileSync(join(outDir, 'assets', name), 'utf8');
    mkdirSync(join(outDir, 'media'), { recursive: true });
    const [video] = distMedia('.mp4');
    if (!video) throw new Error('no .mp4 in dist/media');
    videoPath = join(outDir, 'media', 'lecture.mp4');
    cpSync(video.path, videoPath);
    app = await startOrigin({ root: outDir });
  });

  test.afterAll(async () => {
    await app?.close();
    if (workDir && existsSync(workDir)) rmSync(workDir, { recursive: true, force: true });
  });

  test('the tarball holds the built library, its types and no source', () => {
    for (const file of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'lib/index.js', 'lib/sw.js', 'lib/types/index.d.ts', 'lib/types/sw/index.d.ts']) {
      expect(packedFiles, `${file} in the tarball`).toContain(file);
    }
    expect(packedFiles.filter((file) => file.startsWith('src/') || file.startsWith('e2e/') || file.endsWith('.test.d.ts')), 'no source or tests').toEqual([]);
    figure(`npm pack: ${(tarballBytes / 1024).toFixed(1)} KiB, ${packedFiles.length} files`);
  });

  test('the app\'s production build has none of the library\'s development logging', () => {
    expect(appSwSource).toContain('media-range-cache/v1');
    expect(appSwSource, 'dev-only log prefix').not.toContain('[media-cache]');
  });

  test('a navigation to a media URL is not answered by the media route (the app has no route of its own for navigations)', async ({ page }) => {
    await page.goto(`${app.url}/`);
    await expect(page.locator('#status')).toHaveText('Media cache active', { timeout: 30_000 });
    const response = await page.goto(`${app.url}/media/gen/vector/nums.txt?navigated=1`);
    expect(await response?.text()).toBe('123456789');
    expect(response?.fromServiceWorker(), 'the network answered the navigation, not the worker').toBe(false);
  });

  test('the app plays, seeks and replays offline through its own worker with the packed cache; its plugin sees segments stored', async ({ page, context }) => {
    await page.goto(`${app.url}/`);
    await expect(page.locator('#status')).toHaveText('Media cache active', { timeout: 30_000 });
    const src = '/media/lecture.mp4';
    await mountMedia(page, 'video', src);
    await waitForCurrentTime(page, 1);
    const { duration } = await mediaState(page);
    await seekTo(page, duration * 0.6);
    await waitForCurrentTime(page, duration * 0.6 + 0.5);
    expect((await mediaState(page)).errorCode).toBeNull();
    await expect.poll(async () => Number(await page.locator('#stored').textContent()), { message: 'segments the plugin saw stored' }).toBeGreaterThan(0);
    const stats = (await (await fetch(`${app.url}/__origin/stats`)).json()) as OriginStats;
    const mediaRequests = stats.paths[src]?.requests ?? 0;
    expect(mediaRequests, 'the worker fetched the video from the origin').toBeGreaterThan(0);

    // Offline: the element plays and seeks again, and range reads of what was played come from
    // the worker's store, byte for byte (an element alone could be fed by the page's media buffers).
    const bytes = readFileSync(videoPath);
    await context.setOffline(true);
    try {
      await mountMedia(page, 'video', src);
      await waitForCurrentTime(page, 0.5);
      await seekTo(page, duration * 0.6);
      await waitForCurrentTime(page, duration * 0.6 + 0.3);
      expect((await mediaState(page)).errorCode, 'offline replay').toBeNull();
      const head = await fetchInPage(page, src, { range: 'bytes=0-99999', maxBodyBytes: 0 });
      expect(head.status, 'offline range read').toBe(206);
      expect(head.sha256, 'offline range read: the file\'s bytes').toBe(createHash('sha256').update(bytes.subarray(0, 100_000)).digest('hex'));
    } finally {
      await context.setOffline(false);
    }
    figure(`example app with the packed package: played, sought to ${(duration * 0.6).toFixed(1)} s, replayed offline; the plugin saw ${await page.locator('#stored').textContent()} segments stored; the origin answered ${mediaRequests} media requests`);
  });
});
