import tseslint from 'typescript-eslint';

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
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
