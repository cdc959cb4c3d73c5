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

export const xvfbPath = process.env.XVFB_PATH || '/usr/bin/Xvfb';

/** A child in a process group of its own, so that stopping it stops what it started (MiniBrowser, its web processes). */
function spawnGroup(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; fd3?: boolean } = {}): ChildProcess {
  const child = spawn(command, args, { env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe', ...(options.fd3 ? (['pipe'] as const) : [])] });
  child.on('error', () => undefined);
  return child;
}

/** SIGTERM to the group (Xvfb then removes its lock files), SIGKILL to what is left 2 s later. */
function stopGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  setTimeout(() => signal('SIGKILL'), 2_000).unref();
}

/** Resolves with the first line `child` writes to `stream`, rejects when it fails, exits or is silent for `timeoutMs`. */
function firstLine(child: ChildProcess, stream: NodeJS.ReadableStream, what: string, timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let text = '';
    let errors = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms ${errors.slice(-500)}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(text.trim());
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${what}: ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${errors.slice(-500)}`));
    });
  });
}

/** Waits until the driver answers `/status`; fails at once when its process ends. */
async function waitForDriver(url: string, driver: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (driver.exitCode !== null || driver.signalCode !== null) throw new Error(`WebKitWebDriver exited (${driver.exitCode ?? driver.signalCode})`);
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
  const binary = miniBrowserPath();
  for (const dir of ['data', 'cache', 'config']) mkdirSync(join(profileDir, dir), { recursive: true });
  const children: ChildProcess[] = [];
  let driverLog = '';
  const stopProcesses = (): void => children.forEach(stopGroup);
  let serverUrl: string;
  try {
    const xvfb = spawnGroup(xvfbPath, ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { fd3: true });
    children.push(xvfb);
    const display = `:${await firstLine(xvfb, xvfb.stdio[3] as NodeJS.ReadableStream, 'Xvfb', 15_000)}`;
    const port = await freePort();
    const env = {
      ...process.env,
      DISPLAY: display,
      HOME: profileDir,
      XDG_DATA_HOME: join(profileDir, 'data'),
      XDG_CACHE_HOME: join(profileDir, 'cache'),
      XDG_CONFIG_HOME: join(profileDir, 'config'),
    };
    const driverProcess = spawnGroup(webkitDriverPath, [`--port=${port}`, '--host=127.0.0.1'], { env });
    children.push(driverProcess);
    const keep = (chunk: Buffer) => (driverLog = (driverLog + chunk.toString()).slice(-20_000));
    driverProcess.stdout!.on('data', keep);
    driverProcess.stderr!.on('data', keep);
    serverUrl = `http://127.0.0.1:${port}`;
    await waitForDriver(serverUrl, driverProcess, 15_000);
  } catch (error) {
    // Nothing of a failed launch is left running.
    stopProcesses();
    throw error;
  }

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
  let driver: WebDriver;
  try {
    driver = await connect();
  } catch (error) {
    // Nothing of a failed launch is left running.
    stopProcesses();
    throw new Error(`WebKit did not start: ${error instanceof Error ? error.message : String(error)}\n${driverLog.slice(-2000)}`);
  }

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
      // A driver that hangs must not keep the browser running.
      await Promise.race([driver.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 10_000))]);
      stopProcesses();
    },
  };
}
