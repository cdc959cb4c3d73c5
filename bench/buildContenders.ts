/**
 * Builds the site each contender is served from, under `bench/.build/<name>/`:
 *   no-sw    the blank benchmark page and the real videos
 *   workbox  + its worker (bench/contenders/workboxSw.ts) at /sw.js
 *   naive    + its worker (bench/contenders/naiveSw.ts) at /sw.js
 *   ours     the production build (`dist/`, built by `npm run bench` first) + the blank page
 * Each is served by its own origin, so their workers, storage and renderer processes are apart.
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

export type SiteName = 'no-sw' | 'workbox' | 'naive' | 'ours';

export const BENCH_PAGE = '/bench.html';

async function buildWorker(entry: string, outDir: string): Promise<void> {
  await build({
    configFile: false,
    logLevel: 'warn',
    // workbox reads process.env.NODE_ENV to strip its dev-only logging and assertions.
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir,
      emptyOutDir: false,
      copyPublicDir: false,
      lib: { entry, formats: ['iife'], name: 'benchServiceWorker', fileName: () => 'sw.js' },
    },
  });
}

/** Builds every site; returns the folder of each. */
export async function buildContenderSites(root: string): Promise<Record<SiteName, string>> {
  const dist = join(root, 'dist');
  if (!existsSync(join(dist, 'sw.js'))) throw new Error('dist/sw.js is missing: run `vite build` first (npm run bench does)');
  const buildDir = join(root, 'bench', '.build');
  rmSync(buildDir, { recursive: true, force: true });
  const sites = {} as Record<SiteName, string>;
  for (const name of ['no-sw', 'workbox', 'naive', 'ours'] as const) {
    const dir = join(buildDir, name);
    mkdirSync(dir, { recursive: true });
    if (name === 'ours') cpSync(dist, dir, { recursive: true });
    else cpSync(join(dist, 'media'), join(dir, 'media'), { recursive: true });
    cpSync(join(root, 'bench', 'contenders', 'page.html'), join(dir, BENCH_PAGE.slice(1)));
    sites[name] = dir;
  }
  await buildWorker(join(root, 'bench', 'contenders', 'workboxSw.ts'), sites.workbox);
  await buildWorker(join(root, 'bench', 'contenders', 'naiveSw.ts'), sites.naive);
  return sites;
}
