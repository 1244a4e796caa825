import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The layers of lambdas/ (README, "Layers"), checked on every `npm run lint`: each folder imports
 * only the folders below it. `from` is what a `target` may not import; `except` (relative to
 * `from`) what it may. No file-level import circle anywhere (import-x/no-cycle).
 */
const LAYERS = [
  // The contract floor: imports nothing of ours.
  { target: './lambdas/contract', from: ['./lambdas', './lib', './local'], except: ['./contract'], message: 'lambdas/contract/ imports nothing of ours but the contract.' },
  // Logging and failure classification: the contract only.
  { target: './lambdas/platform', from: ['./lambdas', './lib', './local'], except: ['./contract', './platform'], message: 'lambdas/platform/ imports only the contract.' },
  // The rules: the contract only.
  { target: './lambdas/domain', from: ['./lambdas', './lib', './local'], except: ['./contract', './domain'], message: 'lambdas/domain/ imports only the contract.' },
  // Adapters implement the domain's ports: contract, platform, domain; never the HTTP kit, an entry point or the wiring.
  { target: './lambdas/adapters', from: ['./lambdas', './lib', './local'], except: ['./contract', './platform', './domain', './adapters'], message: 'lambdas/adapters/ import the contract, platform and the domain only.' },
  // The HTTP kit: the contract and platform.
  { target: './lambdas/http-kit', from: ['./lambdas', './lib', './local'], except: ['./contract', './platform', './http-kit'], message: 'lambdas/http-kit/ imports the contract and platform only.' },
  // The wiring builds adapters for the domain: everything below the entry points.
  { target: './lambdas/wiring', from: ['./lambdas', './lib', './local'], except: ['./contract', './platform', './domain', './adapters', './wiring'], message: 'lambdas/wiring/ imports no entry point and no HTTP kit.' },
  // Entry points: the domain through the wiring; never an adapter directly.
  { target: ['./lambdas/http', './lambdas/events', './lambdas/schedule', './lambdas/worker'], from: ['./lambdas', './lib', './local'], except: ['./contract', './platform', './domain', './http-kit', './wiring', './http', './events', './schedule', './worker'], message: 'Entry points import the domain, contract, http-kit and wiring, never an adapter.' },
  // Infrastructure: the contract floor only (the entry points it bundles are named by path).
  { target: './lib', from: ['./lambdas', './local'], except: ['./contract'], message: 'lib/ imports only lambdas/contract/.' },
];

const NO_RUNTIME_SDK = { group: ['@aws-sdk/*', '@middy/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'], message: 'No AWS SDK, CDK or middy in this layer.' };
/** Each Lambda reads exactly the environment its wiring asks for: nothing else reads it. */
const ENV_IN_WIRING_ONLY = { group: ['**/contract/env'], message: 'Only lambdas/wiring/ reads the environment.' };

export default tseslint.config(
  // .stryker-tmp/: the mutation run's sandboxes (instrumented copies); reports/: its reports.
  { ignores: ['node_modules/', 'cdk.out/', '.local/', 'coverage/', 'web/dist/', 'web/shared/generated/', '.stryker-tmp/', 'reports/', '**/*.cjs', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: LAYERS }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  { files: ['lambdas/contract/**/*.ts', 'lambdas/domain/**/*.ts', 'lambdas/platform/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [NO_RUNTIME_SDK, ENV_IN_WIRING_ONLY] }] } },
  { files: ['lambdas/adapters/**/*.ts', 'lambdas/http-kit/**/*.ts', 'lambdas/http/**/*.ts', 'lambdas/events/**/*.ts', 'lambdas/schedule/**/*.ts', 'lambdas/worker/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [ENV_IN_WIRING_ONLY] }] } },
);
