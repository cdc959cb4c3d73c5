/** The `npm start` contract: it builds and serves the demo with vite preview on $PORT; media plays through the SW. */
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, openControlledPage, recordResponses, test } from './fixtures';
import { freePort } from './freePort';
import { mediaState, mountMedia, waitForCurrentTime } from './media';
import { distMedia, repoRoot } from './sources';

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

test('npm start serves the demo on $PORT, a video plays through the service worker, and the app reopens offline', async ({ page }) => {
  test.setTimeout(120_000);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const child = spawn('npm', ['start'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  try {
    await waitForHttp(`${baseUrl}/`, child, 60_000);
    const responses = recordResponses(page);
    await openControlledPage(page, `${baseUrl}/`);
    const [video] = distMedia('.mp4');
    expect(video).toBeDefined();
    const src = `${video!.url}?start-smoke=1`;
    await mountMedia(page, 'video', src);
    await waitForCurrentTime(page, 1.5);
    expect((await mediaState(page)).errorCode).toBeNull();
    const media = responses.filter((response) => response.url.includes(src));
    expect(media.length).toBeGreaterThan(0);
    expect(media.every((response) => response.fromServiceWorker)).toBe(true);

    // The app opens offline from its precache; vite preview sends `Vary: Origin` on scripts,
    // which a precache lookup must ignore or the page loads without its script.
    await page.context().setOffline(true);
    await page.reload();
    await expect(page.locator('#lecture-list article').first()).toBeVisible();
    await page.context().setOffline(false);
  } catch (error) {
    console.log(output.join(''));
    throw error;
  } finally {
    // The whole process group: npm, sh and vite preview.
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  }
});
