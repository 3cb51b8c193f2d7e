/** Jest on native ESM with swc (see ../shared/stack-notes.md): decorators + metadata for Nest. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/lib', '<rootDir>/test', '<rootDir>/sample-app'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  // Build outputs hold compiled copies of the sources: never look there.
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/sample-app/dist/', '<rootDir>/.build/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@nestflux/auth$': '<rootDir>/lib/index.ts',
    '^@nestflux/auth/(passport)$': '<rootDir>/lib/$1/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'es6' },
      },
    ],
  },
  // Boot hooks start PGlite, oidc-provider and Nest apps: on a shared 2-core machine that can
  // take longer than 30 s (a timed-out hook then crashes the worker on Nest's late imports).
  // `npm test -- --coverage`: V8's own coverage (swc does not instrument), for the library only.
  coverageProvider: 'v8',
  collectCoverageFrom: ['lib/**/*.ts', '!lib/**/*.spec.ts', '!lib/index.ts'],
  coverageReporters: ['text-summary', 'text', 'lcov'],
  testTimeout: 60000,
  // With CI=true, a missing DATABASE_URL or Chromium fails the run (test/support/ci-requirements.ts).
  globalSetup: '<rootDir>/test/support/ci-requirements.ts',
  maxWorkers: 2,
};
