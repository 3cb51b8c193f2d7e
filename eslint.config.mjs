// ESLint (typescript-eslint, type-checked): catches floating promises, misused promises and
// unsafe `any` flowing through the library. `npm run lint`; CI runs it (.ci/run).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'sample-app/dist/**',
      '.build/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
      // A user's app: it compiles against the packed tarball in a scratch folder
      // (test/package/packed-tarball.e2e-spec.ts), not against this checkout's unbuilt sources.
      'test/package/host-app/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Off: async methods that implement a Promise-returning interface (storages, sources,
      // fakes) have nothing to await, and wrapping their results by hand would be noise.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests name handlers by their method reference (metadata targets), never call them unbound.
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
);
