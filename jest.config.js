/** @type {import('jest').Config} */
module.exports = {
  // node, with a temporary folder per test file, removed when the file ends.
  testEnvironment: '<rootDir>/test/tmp-environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking is `npm run lint`'s job; tests only transpile, which keeps them fast.
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // pg-boss and its dependencies ship ES modules only, which jest's CommonJS runtime cannot
    // load: transpiled to CommonJS like our own code, so in-process tests can run on PostgreSQL.
    '^.+/node_modules/(pg-boss|serialize-error|non-error)/.+\\.js$': ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(pg-boss|serialize-error|non-error)/)'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  globalSetup: '<rootDir>/test/tmp-global-setup.ts',
  globalTeardown: '<rootDir>/test/tmp-global-teardown.ts',
  testTimeout: 30000,
};
