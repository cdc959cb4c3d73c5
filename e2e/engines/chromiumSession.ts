/**
 * Debian's Chromium through Playwright, on a persistent profile in `profileDir` (an off-the-record
 * context keeps IndexedDB in memory), so a restart keeps what the site stored.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { launchProfile } from '../chromiumLaunch';
import { pageScript, type EngineSession, type PageFunction } from './EngineSession';

export async function launchChromium(profileDir: string): Promise<EngineSession> {
  const launch = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await launchProfile(profileDir);
    const page = context.pages()[0] ?? (await context.newPage());
    return { context, page };
  };
  let { context, page } = await launch();
  return {
    engine: 'chromium',
    async goto(url) {
      await page.goto(url, { waitUntil: 'load' });
    },
    async evaluate<A extends unknown[], R>(fn: PageFunction<A, R>, ...args: A): Promise<R> {
      return (await page.evaluate(pageScript(fn, args))) as R;
    },
    async clickButton(name, within) {
      const scope = within ? page.getByRole('article', { name: within, exact: true }) : page;
      await scope.getByRole('button', { name, exact: true }).click();
    },
    async restart() {
      await context.close();
      ({ context, page } = await launch());
    },
    async close() {
      await context.close().catch(() => undefined);
    },
  };
}
