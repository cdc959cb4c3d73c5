import { defineConfig } from 'vitest/config';

// Kept apart from vite.config.ts: unit tests need none of the build's plugins or defines.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
