import { resolve } from 'node:path';
import type { FullConfig } from '@playwright/test';
import { startOrigin } from './origin/server';

/**
 * Starts the test origin in the runner process (it needs TypeScript modules, which `webServer`'s
 * plain node cannot load) and hands its URL to the workers through the environment.
 * `E2E_ORIGIN_PORT` pins the port; by default any free port is used.
 */
export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  const origin = await startOrigin({
    root: resolve(config.rootDir, '..', 'dist'),
    port: Number(process.env.E2E_ORIGIN_PORT ?? 0),
  });
  process.env.E2E_ORIGIN_URL = origin.url;
  console.log(`[origin] serving dist/ and generated media at ${origin.url}`);
  return () => origin.close();
}
