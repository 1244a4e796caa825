/**
 * The bench's own local stack (fresh data under `.local/bench/<name>-<pid>`, ports the OS picks), and
 * the integration tests' client of it (`test/integration/support/stack.ts`: api, signIn, emails…),
 * pointed at this stack. Ctrl-C or an error still stops the stack and its emulators.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ROOT } from '../local/options';
import { startStackProcess, type StackProcess } from '../local/stack-process';
import type { StackInfo } from '../local/stack-file';
import { startMailProxy, type MailProxy } from '../test/integration/support/fault-stack';

const STACK_FILE_ENV = 'PORTAL_STACK_FILE';

/**
 * The bench stack's `MAIL_RATE_PER_SECOND`, set explicitly (it is also the product's default) so that
 * the apply group checks the pace against the rate the worker was really given.
 */
export const BENCH_MAIL_RATE_PER_SECOND = 10;

export interface BenchStack {
  readonly info: StackInfo;
  /** A DynamoDB document client on the stack's DynamoDB Local, configured like the product's. */
  readonly db: DynamoDBDocumentClient;
  /**
   * The outbox worker sends through this forwarding proxy in front of the SES emulator (the stack's
   * `LOCAL_SES_ENDPOINT`, as in the fault suite, never told to fail): it records when each SendEmail
   * got SES's answer, to the millisecond — the emulator's own `at` is in whole seconds.
   */
  readonly mail: MailProxy;
  /** The worker's configured sending rate (BENCH_MAIL_RATE_PER_SECOND). */
  readonly mailRatePerSecond: number;
  stop(): Promise<void>;
}

export async function startBenchStack(name: string): Promise<BenchStack> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // DynamoDB Local writes through SQLite files: on tmpfs, seeding is not bound by the disk's syncs.
  const dataDir = path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), `portal-bench-${name}-${process.pid}`);
  const logFile = path.join(ROOT, '.local', 'bench', `${name}-${process.pid}.log`);
  // Ctrl-C while the stack starts or runs: stop it (and its emulators) before leaving.
  let child: StackProcess['child'] | undefined;
  let running: StackProcess | undefined = undefined;
  const interrupted = () => {
    const stopping = running ? running.stop() : Promise.resolve(void child?.kill('SIGTERM'));
    void stopping.finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const mail = await startMailProxy();
  const env = { LOCAL_SES_ENDPOINT: mail.url, MAIL_RATE_PER_SECOND: String(BENCH_MAIL_RATE_PER_SECOND) };
  running = await startStackProcess({ dataDir, logFile, env }, (c) => (child = c)).catch(async (error: unknown) => {
    await mail.close();
    throw error;
  });
  mail.target(running.info.sesEndpoint);
  // The test client reads the stack file lazily, on first use: point it at this stack first.
  process.env[STACK_FILE_ENV] = running.stackFile;
  const { info } = running;
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: info.region, endpoint: info.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 3 }),
    { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } },
  );
  const stack = running;
  return {
    info,
    db,
    mail,
    mailRatePerSecond: BENCH_MAIL_RATE_PER_SECOND,
    async stop() {
      db.destroy();
      await stack.stop();
      await mail.close();
    },
  };
}
