// Native ESM Jest: NestJS 12 is ESM-only, so TypeScript is compiled to ESM by swc and
// node_modules are loaded as-is (run with --experimental-vm-modules, see package.json).
import { readFileSync } from 'node:fs';

// The layer aliases of package.json "imports" (#revenue, #database, ...), at their "source" condition.
const { imports } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const layerAliases = Object.fromEntries(
  Object.entries(imports).map(([alias, target]) => [`^${alias}$`, `<rootDir>/${target.source.slice(2)}`]),
);

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'es6' },
  },
];

// slonik (CommonJS) require()s p-limit, which is ESM-only: compile those two to CommonJS.
const esmOnlyDeps = ['p-limit', 'yocto-queue'];
const swcToCommonJs = ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': swc,
    [`node_modules/(${esmOnlyDeps.join('|')})/.+\\.js$`]: swcToCommonJs,
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyDeps.join('|')})/)`],
  moduleNameMapper: { ...layerAliases, '^(\\.{1,2}/.*)\\.js$': '$1' },
  roots: ['<rootDir>/src', '<rootDir>/libs', '<rootDir>/projections', '<rootDir>/apps', '<rootDir>/test'],
  testMatch: ['**/*.test.ts', '**/*.spec.ts'],
  // apps/dashboard is the browser app: its component tests (*.test.tsx) are Vitest's (apps/dashboard/vitest.config.ts).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/apps/dashboard/', '<rootDir>/dist/'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // A bound on a hang, not a speed check: on a loaded 2-core machine the suite ran 2.5x slower than usual.
  testTimeout: 120000,
  maxWorkers: 2,
};
