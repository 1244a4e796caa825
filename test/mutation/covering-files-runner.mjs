/**
 * Stryker's jest runner, run on only the test files that cover a mutant.
 *
 * The jest runner runs each mutant's covering tests (perTest coverage) but loads them with
 * `--findRelatedTests <mutated file>`: every unit test file that imports the file, however
 * indirectly — for a domain module most of the suite, each with its AWS SDK clients — to run the
 * few tests that matter. Here each test's id carries its file, so a mutant run loads only the files
 * of its covering tests and runs the same tests. Static mutants (no per-test coverage) run as before.
 */
import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import { strykerPlugins as jestPlugins } from '@stryker-mutator/jest-runner';

const SEPARATOR = '\u0000';
const jest = jestPlugins.find((plugin) => plugin.name === 'jest');

function coveringFilesJestRunner(injector) {
  const runner = injector.injectFunction(jest.factory);
  let testFiles;

  const processTestResults = runner.processTestResults.bind(runner);
  runner.processTestResults = (suiteResults) =>
    processTestResults(suiteResults).map((test) => ({ ...test, id: `${test.fileName}${SEPARATOR}${test.id}` }));

  // Coverage is collected by test name: each name's coverage goes to every test of that name.
  const dryRun = runner.dryRun.bind(runner);
  runner.dryRun = async (options) => {
    const result = await dryRun(options);
    const perTest = result.mutantCoverage?.perTest;
    if (result.status !== 'complete' || !perTest) return result;
    const byId = {};
    for (const test of result.tests) {
      const name = test.id.slice(test.id.indexOf(SEPARATOR) + SEPARATOR.length);
      if (perTest[name]) byId[test.id] = perTest[name];
    }
    return { ...result, mutantCoverage: { ...result.mutantCoverage, perTest: byId } };
  };

  const run = runner.run.bind(runner);
  runner.run = (settings) => run(testFiles ? { ...settings, testFiles } : settings);

  const mutantRun = runner.mutantRun.bind(runner);
  runner.mutantRun = async (options) => {
    if (!options.testFilter) return mutantRun(options);
    const files = new Set();
    const names = options.testFilter.map((id) => {
      const at = id.indexOf(SEPARATOR);
      files.add(id.slice(0, at));
      return id.slice(at + SEPARATOR.length);
    });
    testFiles = [...files];
    try {
      return await mutantRun({ ...options, testFilter: names });
    } finally {
      testFiles = undefined;
    }
  };
  return runner;
}
coveringFilesJestRunner.inject = tokens(commonTokens.injector);

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'jest-covering-files', coveringFilesJestRunner)];
