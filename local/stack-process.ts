/**
 * A whole local stack (`local/start.ts`) as a child process on ports the OS picks, with its own data
 * directory: for programs that need a stack of their own beside a developer's `npm start` and beside
 * each other — the integration tests, `npm run bench`, `npm run load`. `stop()` ends the stack, which
 * ends its emulators (SIGKILL only if it hangs), and removes the data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from './options';
import type { StackInfo } from './stack-file';

const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;

export interface StackProcessOptions {
  /** Deleted first and after `stop()`; stack.json is written into it. */
  readonly dataDir: string;
  /** Where the stack's own output goes, kept for a look afterwards. */
  readonly logFile: string;
  /** Extra environment for the stack (LOG_LEVEL defaults to `silent`). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface StackProcess {
  readonly stackFile: string;
  readonly info: StackInfo;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** A port the OS reports free right now. */
export function freePort(): Promise<number> {
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
export async function startStackProcess(options: StackProcessOptions, onChild?: (child: ChildProcess) => void): Promise<StackProcess> {
  try {
    return await startOnce(options, onChild);
  } catch {
    return startOnce(options, onChild);
  }
}

async function startOnce(options: StackProcessOptions, onChild?: (child: ChildProcess) => void): Promise<StackProcess> {
  const stackFile = path.join(options.dataDir, 'stack.json');
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const [api, dynamodb, cognito, ses, events, portal, admin, hostedUi, s3] = await Promise.all(Array.from({ length: 9 }, freePort));
  const log = fs.createWriteStream(options.logFile);
  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx', path.join(ROOT, 'local', 'start.ts'),
      '--fresh', '--quiet', '--data-dir', options.dataDir,
      '--port', String(api),
      '--dynamodb-port', String(dynamodb),
      '--cognito-port', String(cognito),
      '--ses-port', String(ses),
      '--events-port', String(events),
      '--s3-port', String(s3),
      '--portal-port', String(portal),
      '--admin-port', String(admin),
      '--hosted-ui-port', String(hostedUi),
    ],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  onChild?.(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
    log.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) await stopChild(child);
    log.end();
    fs.rmSync(options.dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!fs.existsSync(stackFile)) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      const why = child.exitCode !== null || child.signalCode !== null ? `it exited (${child.signalCode ?? child.exitCode})` : `no ${stackFile} after ${START_TIMEOUT_MS / 1000} s`;
      throw new Error(`The local stack did not start: ${why}. Its output:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const info = JSON.parse(fs.readFileSync(stackFile, 'utf8')) as StackInfo;
  return { stackFile, info, child, stop };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    // The stack stops its emulators on SIGTERM; SIGKILL only if it hangs.
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
