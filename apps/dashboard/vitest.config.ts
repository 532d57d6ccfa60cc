import { defineConfig } from 'vitest/config';
import { shared } from './shared.config.ts';

/** Component tests only (Jest runs everything else): jsdom, this folder's *.test.tsx. */
export default defineConfig({
  ...shared,
  test: {
    include: ['src/**/*.test.tsx'],
    environment: 'jsdom',
    setupFiles: ['src/test-support/setup.ts'],
    restoreMocks: true,
  },
});
