/**
 * WebKitGTK's MiniBrowser through WebKitWebDriver (Debian's webkit2gtk-driver), driven with
 * selenium-webdriver. MiniBrowser has no headless mode: it runs on a private Xvfb display, with
 * HOME and the XDG directories in `profileDir`.
 *
 * MiniBrowser under automation keeps website data in memory only (an ephemeral session: IndexedDB
 * written before a relaunch is gone after it, docs/platform-facts.md §27), so `restart` cannot
 * relaunch the browser and keep what was stored: it closes the page's window and opens a new one
 * in the same browser instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Builder, By, type WebDriver, type WebElement } from 'selenium-webdriver';
import { freePort } from '../freePort';
import { pageScript, type EngineSession, type PageFunction } from './EngineSession';

const MINIBROWSER_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  '/usr/libexec/webkit2gtk-4.1/MiniBrowser',
];

export const webkitDriverPath = process.env.WEBKIT_WEBDRIVER_PATH || '/usr/bin/WebKitWebDriver';

export function miniBrowserPath(): string {
  const found = process.env.MINIBROWSER_PATH || MINIBROWSER_CANDIDATES.find((path) => existsSync(path));
  if (!found) throw new Error(`MiniBrowser not found (looked in ${MINIBROWSER_CANDIDATES.join(', ')}); set MINIBROWSER_PATH`);
  return found;
}

/**
 * The first element matching `css` under `scope` whose accessible name, as WebDriver's Get
 * Computed Label has the engine compute it, is `name` (and, with `usable`, enabled and shown).
 */
async function named(scope: WebDriver | WebElement, css: string, name: string, usable = false): Promise<WebElement | undefined> {
  for (const element of await scope.findElements(By.css(css))) {
    if ((await element.getAccessibleName().catch(() => '')) !== name) continue;
    if (usable && (!(await element.isEnabled()) || !(await element.isDisplayed()))) continue;
    return element;
  }
  return undefined;
}

/** Starts Xvfb on a free display number and returns it (`:N`) once the server is ready. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const child = spawn(process.env.XVFB_PATH || 'Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const display = await new Promise<string>((resolve, reject) => {
    let text = '';
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(`:${text.trim()}`);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${errors.slice(-500)}`)));
  });
  return { display, process: child };
}

async function waitForDriver(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${url}/status`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`WebKitWebDriver did not answer at ${url} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function launchWebKit(profileDir: string): Promise<EngineSession> {
  for (const dir of ['data', 'cache', 'config']) mkdirSync(join(profileDir, dir), { recursive: true });
  const xvfb = await startXvfb();
  const port = await freePort();
  const env = {
    ...process.env,
    DISPLAY: xvfb.display,
    HOME: profileDir,
    XDG_DATA_HOME: join(profileDir, 'data'),
    XDG_CACHE_HOME: join(profileDir, 'cache'),
    XDG_CONFIG_HOME: join(profileDir, 'config'),
    // No sound card on a CI machine: GStreamer's fake sink keeps media playing on the clock.
    WEBKIT_GST_AUDIO_SINK: process.env.WEBKIT_GST_AUDIO_SINK ?? 'fakesink',
  };
  const driverProcess = spawn(webkitDriverPath, [`--port=${port}`, '--host=127.0.0.1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let driverLog = '';
  const keep = (chunk: Buffer) => (driverLog = (driverLog + chunk.toString()).slice(-20_000));
  driverProcess.stdout!.on('data', keep);
  driverProcess.stderr!.on('data', keep);
  const serverUrl = `http://127.0.0.1:${port}`;
  await waitForDriver(serverUrl, 15_000);

  const binary = miniBrowserPath();
  const connect = async (): Promise<WebDriver> => {
    const driver = await new Builder()
      .usingServer(serverUrl)
      .withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary, args: ['--automation', '--autoplay-policy=allow'] },
      })
      .build();
    await driver.manage().setTimeouts({ script: 120_000, pageLoad: 60_000 });
    return driver;
  };
  const driver = await connect();

  return {
    engine: 'webkit',
    async goto(url) {
      await driver.get(url);
    },
    async evaluate<A extends unknown[], R>(fn: PageFunction<A, R>, ...args: A): Promise<R> {
      const script = `const done = arguments[arguments.length - 1];
        Promise.resolve(${pageScript(fn, args)}).then(
          (value) => done({ ok: true, value: value === undefined ? null : value }),
          (error) => done({ ok: false, error: String(error && error.stack || error) }));`;
      const outcome = (await driver.executeAsyncScript(script)) as { ok: boolean; value?: R; error?: string };
      if (!outcome.ok) throw new Error(`in the page: ${outcome.error}`);
      return outcome.value as R;
    },
    async clickButton(name, within) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const scope = within ? await named(driver, 'article, [role="article"]', within) : driver;
        const button = scope && (await named(scope, 'button, [role="button"]', name, true));
        if (button) {
          await button.click();
          return;
        }
        if (Date.now() > deadline) throw new Error(`no enabled button named "${name}"${within ? ` in "${within}"` : ''}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    restartKeepsProcess: true,
    async restart() {
      const old = await driver.getWindowHandle();
      await driver.switchTo().newWindow('window');
      const fresh = await driver.getWindowHandle();
      await driver.switchTo().window(old);
      await driver.close();
      await driver.switchTo().window(fresh);
    },
    async close() {
      await driver.quit().catch(() => undefined);
      driverProcess.kill();
      xvfb.process.kill();
    },
    get log() {
      return driverLog;
    },
  } as EngineSession;
}
