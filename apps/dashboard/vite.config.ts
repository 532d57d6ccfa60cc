import { defineConfig } from 'vite';
import { distDir, shared } from './shared.config.ts';

/** The page served by the API at /dashboard/ (strict CSP: the emitted index.html links its script and style files). */
export default defineConfig({
  ...shared,
  base: '/dashboard/',
  build: {
    outDir: `${distDir}dashboard`,
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
