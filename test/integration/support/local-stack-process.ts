/**
 * The integration run's own local stack, as a child process with its own data directory
 * (`.local/test/run-<pid>`, removed afterwards) and its own free ports (chosen by the OS: fixed ones
 * would race with a second test run started at the same time). So it runs beside a developer's
 * `npm start`, and beside another test run, without touching either. Shared by global-setup and
 * global-teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
const TEST_DATA_DIR = path.join(ROOT, '.local', 'test', `run-${process.pid}`);
/** Where the stack of this process's run writes its stack.json (when the env var below is not set). */
export const TEST_STACK_FILE = path.join(TEST_DATA_DIR, 'stack.json');
/** The stack's output, kept for a look after the run. */
export const TEST_STACK_LOG = path.join(ROOT, '.local', 'test', `run-${process.pid}.log`);
/** The env var through which tests find the stack (set it yourself to test against a running stack). */
export const STACK_FILE_ENV = 'PORTAL_STACK_FILE';

const START_TIMEOUT_MS = 90_000;

const holder = globalThis as typeof globalThis & { __portalLocalStack?: ChildProcess };

/** A port the OS reports free right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts the stack; one more try on other ports if the first fails (another process may have taken a port meanwhile). */
export async function startTestStack(): Promise<string> {
  try {
    return await startOnce();
  } catch {
    return startOnce();
  }
}

async function startOnce(): Promise<string> {
  fs.mkdirSync(path.dirname(TEST_STACK_LOG), { recursive: true });
  const [api, dynamodb, cognito, ses, events] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const ports = { api, dynamodb, cognito, ses, events };
  const log = fs.createWriteStream(TEST_STACK_LOG);
  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx', path.join(ROOT, 'local', 'start.ts'),
      '--fresh', '--quiet', '--data-dir', TEST_DATA_DIR,
      '--port', String(ports.api),
      '--dynamodb-port', String(ports.dynamodb),
      '--cognito-port', String(ports.cognito),
      '--ses-port', String(ports.ses),
      '--events-port', String(ports.events),
    ],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  holder.__portalLocalStack = child;
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
    log.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!fs.existsSync(TEST_STACK_FILE)) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stopTestStack();
      const why = child.exitCode !== null || child.signalCode !== null ? `it exited (${child.signalCode ?? child.exitCode})` : `no ${TEST_STACK_FILE} after ${START_TIMEOUT_MS / 1000} s`;
      throw new Error(`The local stack for the integration tests did not start: ${why}. Its output:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return TEST_STACK_FILE;
}

export async function stopTestStack(): Promise<void> {
  const child = holder.__portalLocalStack;
  if (!child) return;
  if (child.exitCode === null && child.signalCode === null) await stop(child);
  fs.rmSync(TEST_DATA_DIR, { recursive: true, force: true });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    // The stack stops its emulators on SIGTERM; SIGKILL only if it hangs.
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
