// Three suites with their own settings: unit (mocks only), infra (CDK synth), integration
// (starts the local stack once, real emulators). TypeScript and the ESM-only @middy packages go
// through one esbuild transform.
const transform = { '^.+\\.[cm]?[tj]s$': '<rootDir>/test/esbuild-transform.cjs' };
const transformIgnorePatterns = ['/node_modules/(?!(@middy)/)'];
const common = { transform, transformIgnorePatterns, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'] };

module.exports = {
  // A global option: jest ignores it inside a project. Integration tests talk to real emulators.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], setupFiles: ['<rootDir>/test/quiet-logs.cjs'] },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'], setupFiles: ['<rootDir>/test/quiet-logs.cjs'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      // The local stack is started once for the whole integration run (and stopped after it).
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
  ],
};
