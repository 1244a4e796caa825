/**
 * Starts the local stack once for the whole integration run (own ports and data directory, fresh)
 * and hands its stack.json path to the tests through PORTAL_STACK_FILE. With PORTAL_STACK_FILE
 * already set, the tests run against that (already running) stack instead.
 */
import { STACK_FILE_ENV, startTestStack } from './support/local-stack-process';

export default async function globalSetup(): Promise<void> {
  // Node 20 here, 22 in Lambda: the SDK's advance notice about Node 20 would repeat in every test file.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (process.env[STACK_FILE_ENV]) return;
  process.env[STACK_FILE_ENV] = await startTestStack();
}
