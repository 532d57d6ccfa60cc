import { defineConfig } from 'vite';
import { dashboardRoot, distDir, shared } from './shared.config.ts';

/** The ESM library the platform's web app embeds: React stays the host's, Chart.js is bundled, the CSS is a file of its own. */
export default defineConfig({
  ...shared,
  build: {
    outDir: `${distDir}dashboard-lib`,
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    lib: {
      entry: `${dashboardRoot}src/index.ts`,
      formats: ['es'],
      fileName: () => 'revenue-dashboard.js',
      cssFileName: 'revenue-dashboard',
    },
    rolldownOptions: {
      external: [/^react($|\/)/, /^react-dom($|\/)/],
    },
  },
});
