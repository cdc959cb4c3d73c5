import { resolve } from 'node:path';
import type { FullConfig } from '@playwright/test';
import { startNginx } from './nginx/startNginx';
import { startOrigin } from './origin/server';

/**
 * Starts the test origin in the runner process (it needs TypeScript modules, which `webServer`'s
 * plain node cannot load) and hands its URL to the workers through the environment.
 * `E2E_ORIGIN_PORT` pins the port; by default any free port is used. Also starts nginx serving the
 * same build (`E2E_NGINX_URL`, `E2E_NGINX_ROOT`, `E2E_NGINX_ACCESS_LOG`; nginx.spec.ts).
 */
export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  const origin = await startOrigin({
    root: resolve(config.rootDir, '..', 'dist'),
    port: Number(process.env.E2E_ORIGIN_PORT ?? 0),
  });
  process.env.E2E_ORIGIN_URL = origin.url;
  console.log(`[origin] serving dist/ and generated media at ${origin.url}`);
  const nginx = await startNginx(resolve(config.rootDir, '..', 'dist')).catch(async (error: unknown) => {
    await origin.close();
    throw error;
  });
  process.env.E2E_NGINX_URL = nginx.url;
  process.env.E2E_NGINX_ROOT = nginx.root;
  process.env.E2E_NGINX_ACCESS_LOG = nginx.accessLogPath;
  console.log(`[nginx] serving dist/ and generated media files at ${nginx.url}`);
  return async () => {
    await nginx.close();
    await origin.close();
  };
}
