/**
 * Debian's Firefox ESR, headless, driven by puppeteer-core over WebDriver BiDi (no geckodriver).
 * The profile lives in `profileDir`, so a restart keeps what the site stored.
 */
import { mkdirSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { pageScript, type EngineSession, type PageFunction } from './EngineSession';

export const firefoxExecutablePath = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

/** Preferences a test run needs: media plays without a gesture, nothing phones home. */
const FIREFOX_PREFS: Record<string, unknown> = {
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  'dom.serviceWorkers.enabled': true,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'app.update.enabled': false,
};

/** Puppeteer's ARIA selector: the engine's own accessibility tree, over BiDi's locateNodes. */
function ariaSelector(role: string, name: string): string {
  return `::-p-aria([name=${JSON.stringify(name)}][role="${role}"])`;
}

export async function launchFirefox(profileDir: string): Promise<EngineSession> {
  mkdirSync(profileDir, { recursive: true });
  const launch = async (): Promise<{ browser: Browser; page: Page }> => {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: firefoxExecutablePath,
      headless: true,
      userDataDir: profileDir,
      extraPrefsFirefox: FIREFOX_PREFS,
      protocolTimeout: 120_000,
    });
    const [first] = await browser.pages();
    const page = first ?? (await browser.newPage());
    page.setDefaultTimeout(60_000);
    return { browser, page };
  };
  let { browser, page } = await launch();

  return {
    engine: 'firefox',
    async goto(url) {
      await page.goto(url, { waitUntil: 'load' });
    },
    async evaluate<A extends unknown[], R>(fn: PageFunction<A, R>, ...args: A): Promise<R> {
      return (await page.evaluate(pageScript(fn, args))) as R;
    },
    async clickButton(name, within) {
      const scope = within ? await page.waitForSelector(ariaSelector('article', within)) : page;
      if (!scope) throw new Error(`no article named "${within}"`);
      const button = await scope.waitForSelector(ariaSelector('button', name));
      if (!button) throw new Error(`no button named "${name}"`);
      await button.click();
    },
    async restart() {
      await browser.close();
      ({ browser, page } = await launch());
    },
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}
