import type { Suite } from '../harness.js';

/** Every benchmark suite, in the order `npm run bench` runs them. */
export const suites: Suite[] = [];
