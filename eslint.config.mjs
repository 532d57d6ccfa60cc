import tseslint from 'typescript-eslint';

/** What apps/dashboard may use in browsers (no `globals` package is installed; TypeScript checks the rest). */
const BROWSER_GLOBALS =
  'window document navigator location history localStorage fetch crypto console URL URLSearchParams AbortController DOMException Headers Response TextDecoder atob btoa setTimeout clearTimeout';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Not enforced: NestJS reads constructor parameter types at run time (emitDecoratorMetadata),
      // so an `import type` of an injected class would silently break dependency injection.
      'no-console': ['error', { allow: ['warn', 'error'] }],
      // Another layer is reached by its package.json "imports" alias (#revenue, #database, ...);
      // within a layer a relative path climbs at most two folders.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./){3,}',
              message: 'Climbs more than two folders: import another layer by its alias (#revenue, #database, ...).',
            },
          ],
        },
      ],
    },
  },
  {
    // CLI, benchmarks and test harnesses talk to a terminal.
    files: ['apps/cli/**', 'bench/**', 'test/**', '**/*.test.ts', '**/*.spec.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // The dashboard runs in browsers (apps/dashboard/tsconfig.json: DOM, JSX); its build configs run in Node.
    files: ['apps/dashboard/**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { ecmaFeatures: { jsx: true } },
      globals: Object.fromEntries(BROWSER_GLOBALS.split(' ').map((name) => [name, 'readonly'])),
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
