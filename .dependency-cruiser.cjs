/** Import rules of the architecture (README "Architecture"): checked in CI by `npm run lint`. */
const { imports } = require('./package.json');

/** A layer: the domain, one lib, the read models, one app, the tests, the benchmarks. */
const LAYER = '^(src/revenue|libs/[^/]+|projections|apps/[^/]+|test|bench)/';
/** The files package.json "imports" names (#revenue, #database, ...): each layer's index and its few extra entry points. */
const ENTRY_POINTS = Object.values(imports).map((target) => `^${target.source.slice(2).replace(/[.]/g, '[.]')}$`);

module.exports = {
  forbidden: [
    {
      name: 'other-layers-by-alias',
      comment: 'Another layer is imported by its package.json "imports" alias (#revenue, #database, ...), never by a relative path.',
      severity: 'error',
      from: { path: LAYER },
      to: { path: '^(src|libs|projections|apps|test|bench)/', pathNot: '^$1/', dependencyTypesNot: ['aliased-subpath-import'] },
    },
    {
      name: 'other-layers-only-through-their-index',
      comment: 'What another layer offers is what its index (an entry point in package.json "imports") exports.',
      severity: 'error',
      from: { path: LAYER },
      to: { path: '^(src|libs|projections|apps|test|bench)/', pathNot: ['^$1/', ...ENTRY_POINTS] },
    },
    {
      name: 'domain-is-pure',
      comment: 'src/ is the pure domain: it imports nothing from the other layers and no infrastructure package.',
      severity: 'error',
      from: { path: '^src/' },
      to: { pathNot: '^src/', dependencyTypes: ['local', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'api-features-are-independent',
      comment:
        'A feature folder of the API (revenue, audit, maos, erasure, ops, me) holds its controllers, DTOs and module; ' +
        'it imports only itself and the shared apps/api/src/platform, never another feature.',
      severity: 'error',
      from: { path: '^apps/api/src/(?!platform/)([^/]+)/' },
      to: { path: '^apps/api/src/[^/]+/', pathNot: ['^apps/api/src/$1/', '^apps/api/src/platform/'] },
    },
    {
      name: 'api-platform-imports-no-feature',
      comment: 'What several features share (auth, errors, http, command headers and idempotency, read-your-writes) depends on no feature.',
      severity: 'error',
      from: { path: '^apps/api/src/platform/' },
      to: { path: '^apps/api/src/[^/]+/', pathNot: '^apps/api/src/platform/' },
    },
    {
      name: 'dashboard-is-self-contained',
      comment:
        'apps/dashboard is the browser app: it reads the service through its public HTTP API only, so it imports nothing of the other layers (npm packages only).',
      severity: 'error',
      from: { path: '^apps/dashboard/' },
      to: { path: '^(src|libs|projections|apps|test|bench)/', pathNot: '^apps/dashboard/' },
    },
    {
      name: 'nothing-imports-the-dashboard',
      comment: 'The dashboard is built by Vite and served as static files: no server code or test imports its sources.',
      severity: 'error',
      from: { pathNot: '^apps/dashboard/' },
      to: { path: '^apps/dashboard/' },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'projections-import-only-domain-events-and-database',
      comment: 'A projection depends on the domain (its events) and on the database/event-store/projection-runner libs only.',
      severity: 'error',
      from: { path: '^projections/' },
      to: { path: '^(apps|test|bench)/' },
    },
    {
      name: 'production-code-does-not-import-tests',
      severity: 'error',
      from: { path: '^(src|libs|projections|apps)/', pathNot: '\\.(test|spec)\\.tsx?$|/test-support/|/testing\\.ts$' },
      to: { path: '(^test/|\\.(test|spec)\\.tsx?$|/test-support/)' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      // `/// <reference types="node" />` (a dashboard test that reads the build from disk) names @types/node as "node".
      to: { couldNotResolve: true, pathNot: '^node$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|node_modules)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js'],
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'require', 'node', 'default'],
    },
  },
};
