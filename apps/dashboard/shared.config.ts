import { fileURLToPath } from 'node:url';
import type { UserConfig } from 'vite';

/** The dashboard's folder (the Vite root) and the repository's dist folder. */
export const dashboardRoot = fileURLToPath(new URL('.', import.meta.url));
export const distDir = fileURLToPath(new URL('../../dist/', import.meta.url));

/** What the page, library and test builds share: this folder as root, and Vite 8's own (Oxc) JSX transform. */
export const shared: UserConfig = {
  root: dashboardRoot,
  oxc: { jsx: { runtime: 'automatic' } },
};
