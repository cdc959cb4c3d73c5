/**
 * The npm package's JavaScript (`npm run build:lib`, run by `npm pack`): the library as ES
 * modules in `lib/`, one entry for the page (`media-range-cache`) and one for the service worker
 * (`media-range-cache/sw`), with their dependencies left as imports for the app's bundler. The
 * types come from tsc (tsconfig.lib*.json).
 */
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const { dependencies } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
const external = Object.keys(dependencies).map((name) => new RegExp(`^${name.replace(/[/\\-]/g, '\\$&')}(/|$)`));

export default defineConfig({
  // Development-only checks and logging stay behind the same switch Workbox uses, so the app's
  // production build (which defines process.env.NODE_ENV as "production") drops them.
  define: { __DEV__: "(process.env.NODE_ENV !== 'production')" },
  publicDir: false,
  build: {
    outDir: 'lib',
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    sourcemap: true,
    lib: {
      entry: { index: 'src/lib/index.ts', sw: 'src/lib/sw/index.ts' },
      formats: ['es'],
    },
    rolldownOptions: { external },
  },
});
