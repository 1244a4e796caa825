/**
 * The integration run's own local stack, as a child process with its own data directory
 * (`.local/test/run-<pid>`, removed afterwards) and its own free ports (chosen by the OS: fixed ones
 * would race with a second test run started at the same time). So it runs beside a developer's
 * `npm start`, and beside another test run, without touching either. Shared by global-setup and
 * global-teardown; the process handling itself is `local/stack-process.ts`.
 */
import path from 'node:path';
import { startStackProcess, type StackProcess } from '../../../local/stack-process';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
const TEST_DATA_DIR = path.join(ROOT, '.local', 'test', `run-${process.pid}`);
/** Where the stack of this process's run writes its stack.json (when the env var below is not set). */
export const TEST_STACK_FILE = path.join(TEST_DATA_DIR, 'stack.json');
/** The stack's output, kept for a look after the run. */
export const TEST_STACK_LOG = path.join(ROOT, '.local', 'test', `run-${process.pid}.log`);
/** The env var through which tests find the stack (set it yourself to test against a running stack). */
export const STACK_FILE_ENV = 'PORTAL_STACK_FILE';

// Global setup and teardown run in the same process but as separate modules: the handle lives on globalThis.
const holder = globalThis as typeof globalThis & { __portalLocalStack?: StackProcess['child']; __portalStackProcess?: StackProcess };

/** The staff-rights window of the test stack: short, so that a removed staff user is refused within the test's patience. */
export const TEST_STAFF_RECHECK_SECONDS = '2';
/** Download URLs live 5 s instead of 60 s, so that a test can see one expire. */
export const TEST_DOWNLOAD_URL_SECONDS = '5';
/** An ended grant stays listed (`expired: true`) this long before the job removes it (1 h by default): the tests see both. */
export const TEST_EXPIRED_GRANT_KEPT_SECONDS = '6';

export async function startTestStack(): Promise<string> {
  const stack = await startStackProcess(
    {
      dataDir: TEST_DATA_DIR,
      logFile: TEST_STACK_LOG,
      env: { STAFF_RECHECK_SECONDS: process.env.STAFF_RECHECK_SECONDS || TEST_STAFF_RECHECK_SECONDS, ATTACHMENT_DOWNLOAD_URL_SECONDS: TEST_DOWNLOAD_URL_SECONDS, EXPIRED_GRANT_KEPT_SECONDS: TEST_EXPIRED_GRANT_KEPT_SECONDS },
    },
    (child) => (holder.__portalLocalStack = child),
  );
  holder.__portalStackProcess = stack;
  return stack.stackFile;
}

export async function stopTestStack(): Promise<void> {
  await holder.__portalStackProcess?.stop();
}
