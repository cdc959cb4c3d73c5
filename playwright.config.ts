import { defineConfig, devices } from '@playwright/test';
import { chromiumArgs, chromiumExecutablePath } from './e2e/chromiumLaunch';
import { ENGINES, type EngineName } from './e2e/engines/EngineSession';

export default defineConfig<{ engine: EngineName }>({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  // One origin and its byte counters are shared by every test, and the machine has two cores.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['./e2e/summaryReporter.ts']],
  outputDir: 'test-results',
  use: {
    ...devices['Desktop Chrome'],
    browserName: 'chromium',
    serviceWorkers: 'allow',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    launchOptions: { executablePath: chromiumExecutablePath, args: chromiumArgs },
  },
  projects: [
    { name: 'chromium', testIgnore: 'engines/**' },
    // The cross-engine suite: the same scenarios (e2e/engines/*.spec.ts) in each engine, driven by
    // its own automation (e2e/engines/EngineSession.ts).
    ...ENGINES.map((engine) => ({ name: `engine:${engine}`, testMatch: 'engines/**/*.spec.ts', use: { engine } })),
  ],
});
