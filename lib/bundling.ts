/**
 * How every Lambda is bundled, shared by the CDK function construct and the benchmark (which must
 * measure exactly what is deployed). No CDK imports.
 */
import * as path from 'node:path';

const REPO_ROOT = path.join(__dirname, '..');

export const LAMBDA_BUNDLING = {
  target: 'node22',
  minify: true,
  /** The SDK's ES module builds, which esbuild can tree-shake (its CommonJS builds carry every command). */
  mainFields: ['module', 'main'],
  alias: {
    /** Credentials come from the environment in Lambda: see lambdas/wiring/lambda-credentials.ts. */
    '@aws-sdk/credential-provider-node': path.join(REPO_ROOT, 'lambdas', 'wiring', 'lambda-credentials.ts'),
    /** No operation the functions call streams events: see lambdas/wiring/no-event-streams.ts. */
    '@smithy/core/event-streams': path.join(REPO_ROOT, 'lambdas', 'wiring', 'no-event-streams.ts'),
    /** Node's web streams only when middy's streamed responses (unused) ask: see lambdas/wiring/web-streams.cjs. */
    'node:stream/web': path.join(REPO_ROOT, 'lambdas', 'wiring', 'web-streams.cjs'),
    /** The table's commands without the SDK's DynamoDB client: see lambdas/wiring/document-commands.ts. */
    '@aws-sdk/lib-dynamodb': path.join(REPO_ROOT, 'lambdas', 'wiring', 'document-commands.ts'),
  },
  /** Source maps without the sources' text: stack traces need the mappings only. */
  sourcesContent: false,
  /**
   * After esbuild: the map keeps the project's own code only (lib/source-maps.ts): mapping
   * node_modules too costs a cold start 20–50 ms. Shell commands, run from the repository root.
   */
  afterBundling: (outputDir: string): string[] => [
    [path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), path.join(REPO_ROOT, 'lib', 'trim-source-map.ts'), path.join(outputDir, 'index.js.map')].map(shellQuote).join(' '),
  ],
} as const;

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
