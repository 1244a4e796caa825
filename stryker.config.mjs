// Mutation testing of the domain (docs/testing.md, "Mutation"): `npm run mutation`, never part of
// `npm test`. The unit project only; results are kept in reports/mutation/ (git-ignored) and reused
// (`incremental`), so a run re-tests only the mutants whose code or covering tests changed.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The jest runner, loading only the test files that cover each mutant (test/mutation/covering-files-runner.mjs).
  testRunner: 'jest-covering-files',
  appendPlugins: ['./test/mutation/covering-files-runner.mjs'],
  jest: { projectType: 'custom', configFile: 'test/jest.unit.config.js', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  mutate: [
    'lambdas/domain/**/*.ts',
    // The rule the domain checks and the emulator does not (invitations.ts).
    'lambdas/contract/password-policy.ts',
    // The DynamoDB adapters' key and cursor code.
    'lambdas/contract/keys.ts',
    'lambdas/adapters/dynamodb/cursor.ts',
  ],
  // The machine is shared: two workers (`--concurrency 1` when others are testing too).
  concurrency: 2,
  // A loaded machine makes runs slow, not wrong: a generous margin before a mutant counts as a timeout.
  timeoutMS: 10000,
  // Static mutants (module-level constants, evaluated once at load) have no per-test coverage, so each
  // runs every related test file: on this machine 62 of them took ~60 % of a whole run. Left out
  // (reported as ignored, not counted in the score).
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  // Not copied into the sandbox: build output and local emulator data.
  ignorePatterns: ['cdk.out', '.local', '.cognito', 'coverage', 'web/dist'],
};
