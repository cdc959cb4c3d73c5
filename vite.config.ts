import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { build, defineConfig, type Plugin } from 'vite';
import { longMediaPlugin } from './scripts/longMediaPlugin.js';

const outDir = 'dist';

/** Every file of the built site except media: the app shell the service worker precaches. */
function listAppShell(dir: string): string[] {
  const files: string[] = [];
  const walk = (current: string): void => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push('/' + relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return files
    .filter((url) => !url.startsWith('/media/') && url !== '/sw.js' && !url.endsWith('.map'))
    .map((url) => (url === '/index.html' ? '/' : url))
    .sort();
}

/**
 * Builds `src/sw.ts` as one classic script at `dist/sw.js` once the page is built, so the worker
 * can precache the page's hashed assets. A classic (IIFE) worker has no import graph to keep in
 * sync with the page's chunks and runs in every browser that has service workers.
 */
function serviceWorker(): Plugin {
  return {
    name: 'media-cache:service-worker',
    apply: 'build',
    async closeBundle() {
      const appShell = listAppShell(outDir);
      const version = createHash('sha256').update(appShell.join('\n')).digest('hex').slice(0, 12);
      await build({
        configFile: false,
        logLevel: 'warn',
        define: {
          // workbox reads process.env.NODE_ENV to strip its dev-only logging and assertions.
          'process.env.NODE_ENV': '"production"',
          __DEV__: 'false',
          __APP_SHELL__: JSON.stringify(appShell),
          __APP_SHELL_VERSION__: JSON.stringify(version),
        },
        build: {
          outDir,
          emptyOutDir: false,
          copyPublicDir: false,
          sourcemap: true,
          lib: {
            entry: 'src/sw.ts',
            formats: ['iife'],
            name: 'mediaCacheServiceWorker',
            fileName: () => 'sw.js',
          },
        },
      });
    },
  };
}

export default defineConfig({
  define: {
    __DEV__: 'import.meta.env.DEV',
    __APP_SHELL__: '[]',
    __APP_SHELL_VERSION__: '"dev"',
  },
  build: { outDir, sourcemap: true },
  server: {
    // The dev server serves the worker from /src/sw.ts; this lets it control the whole site.
    headers: { 'Service-Worker-Allowed': '/' },
  },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  plugins: [serviceWorker(), longMediaPlugin()],
});
