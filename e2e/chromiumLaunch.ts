/** How the e2e suite and the benchmark launch Chromium: Debian's build, with the same flags. */
import { chromium, type BrowserContext } from '@playwright/test';

/** Debian's Chromium: Playwright cannot download its own browser builds here. */
export const chromiumExecutablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const chromiumArgs = [
  '--autoplay-policy=no-user-gesture-required',
  '--disable-quic',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/**
 * Debian's Chromium on a persistent profile in `profileDir`, headless, with the flags above: an
 * off-the-record context keeps IndexedDB in memory (docs/platform-facts.md §19), and measurements
 * of storage need it on disk. tsx compiles with esbuild's keepNames, which wraps named functions in
 * `__name(...)`: the functions handed to page.evaluate need that helper in the page too.
 */
export async function launchProfile(profileDir: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumExecutablePath,
    headless: true,
    serviceWorkers: 'allow',
    args: chromiumArgs,
  });
  await context.addInitScript('globalThis.__name = (target) => target;');
  return context;
}
