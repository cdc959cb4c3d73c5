import { defineConfig } from 'vitest/config';

// Kept apart from vite.config.ts: unit tests need none of the build's plugins or defines.
export default defineConfig({
  // Dev-only checks and logging run under test, as in `vite dev`.
  define: { __DEV__: 'true', __APP_SHELL__: '[]', __APP_SHELL_VERSION__: '"test"' },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
  },
});
