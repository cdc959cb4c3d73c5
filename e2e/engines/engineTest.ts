/**
 * The cross-engine suite's fixtures: `session`, a fresh profile of the project's engine (the
 * `engine` option, one Playwright project per engine in playwright.config.ts), and the shared test
 * `origin`. Each test gets its own profile; `unique(path)` gives each test and engine its own media
 * URL, so the origin's byte counters are per file, per engine.
 */
import { test as base } from '@playwright/test';
import { makeOrigin, type Origin } from '../fixtures';
import type { EngineName, EngineSession } from './EngineSession';
import { launchEngine } from './launchEngine';

export { expect } from '@playwright/test';
export { figure } from '../fixtures';

interface EngineFixtures {
  session: EngineSession;
  origin: Origin;
  /** `path` with a query naming this engine and test, so its bytes are this test's alone. */
  unique: (path: string) => string;
}

export const test = base.extend<EngineFixtures, { engine: EngineName }>({
  engine: ['chromium', { option: true, scope: 'worker' }],
  session: async ({ engine }, use, testInfo) => {
    const session = await launchEngine(engine, testInfo.outputPath('profile'));
    try {
      await use(session);
    } finally {
      await session.close();
    }
  },
  // eslint-disable-next-line no-empty-pattern
  origin: async ({}, use) => {
    const origin = makeOrigin();
    // Reachable at the start whatever an earlier test left (a crashed worker skips teardown).
    await origin.setUnreachable(false);
    await use(origin);
    await origin.setUnreachable(false);
  },
  unique: async ({ engine }, use, testInfo) => {
    const tag = `${engine}-${testInfo.testId}`;
    await use((path) => `${path}${path.includes('?') ? '&' : '?'}t=${tag}`);
  },
});

/** Calls `check` until it returns a truthy value (returned), or throws after `timeoutMs`. */
export async function poll<R>(what: string, check: () => Promise<R>, timeoutMs = 30_000): Promise<NonNullable<R>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await check();
    if (last) return last as NonNullable<R>;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Opens `path` on the origin and waits until the service worker controls the page. */
export async function openControlled(session: EngineSession, origin: Origin, path = '/'): Promise<void> {
  await session.goto(new URL(path, origin.url).href);
  await poll('the worker controls the page', () => session.evaluate(() => navigator.serviceWorker.controller !== null));
}
