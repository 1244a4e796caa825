/**
 * The integration tests' one way to talk to the local stack (started by global-setup). Keep it stable:
 * every area's tests are written against it.
 *
 *   stack()                          → the parsed stack.json: { apiUrl, region, tableName, dynamodbEndpoint,
 *                                      cognitoEndpoint, sesEndpoint, eventsEndpoint, eventBusName, s3Endpoint, attachmentsBucket,
 *                                      staffUserPoolId, staffClientId, customerUserPoolId, customerClientId,
 *                                      admin: { username, password }, portalUrl, adminUrl?, hostedUiUrl }
 *   api(path, { method?, body?, token?, headers?, rawBody?, contentType? })
 *                                    → { status, headers (lower-case names), body (parsed JSON, or undefined), text }
 *                                      `body` is sent as JSON (content-type application/json unless
 *                                      `contentType` says otherwise); `rawBody` is sent as is.
 *   adminToken()                     → access token of the seeded staff admin (in portal-admins), cached
 *   signIn(pool, username, password) → { accessToken, idToken, refreshToken } via InitiateAuth
 *                                      USER_PASSWORD_AUTH ('staff' | 'customer'; customers sign in by email)
 *   createStaffUser(username, password, { admin }) → a staff user, in portal-admins only when `admin`
 *   emails()                         → the SES emulator's mails: [{ messageId, from, replyTo, destination:
 *                                      { to, cc, bcc }, subject, body: { text?, html? }, headers?, at }]
 *   events()                         → the events the local PutEvents endpoint received, oldest first
 *                                      (EventBridge shape: { id, source, 'detail-type', time, detail, … })
 *   deadLetters()                    → what the local rules' targets finally failed on: [{ rule, event, attempts, error, at }]
 *   mailsTo(address, { count?, timeoutMs? }) → the mails to `address` once at least `count` (default 1) arrived:
 *                                      the outbox worker sends them within seconds of the request (default wait 30 s)
 *   settled(wizardId, { timeoutMs? }) → the wizard's lines once none says `delivery: queued` (the outbox is done with them)
 *   outboxDone(contactIds, { timeoutMs? }) → waits until the outbox item each contact's record names last is
 *                                      finished (read from DynamoDB Local): the worker is done with them
 *   outboxDeadLetters()              → what the local stream poller finally gave up on (`<eventsEndpoint>/outbox/dlq`)
 *   eventually(check, { timeoutMs }) → retries `check` until it stops throwing (default 10 s), for async effects
 *   withoutInstance(problem)         → the problem without `instance` (its request), to compare two answers' substance
 *   uniq(prefix)                     → a string unique to this call in this run: `${uniq('alice')}@example.com`
 *   cognito()                        → a CognitoIdentityProviderClient on the local Cognito endpoint
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../../lambdas/contract/keys';
import type { DeadLetter as LocalDeadLetter, EventBridgeEvent } from '../../../local/events-endpoint';
import type { StackInfo } from '../../../local/stack-file';
import { STACK_FILE_ENV, TEST_STACK_FILE } from './local-stack-process';

export type { StackInfo };

export interface ApiOptions {
  method?: string;
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  rawBody?: string | Buffer;
  contentType?: string;
}

export interface ApiResponse<T = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  status: number;
  headers: Record<string, string>;
  body: T;
  text: string;
}

export interface Tokens {
  accessToken: string;
  idToken: string;
  refreshToken?: string;
}

export interface Email {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  headers?: { name: string; value: string }[];
  at: number;
}

/** An event as the local EventBridge endpoint keeps it; `detail` loosely typed for assertions. */
export type ReceivedEvent = Omit<EventBridgeEvent, 'detail'> & { detail: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

export type DeadLetter = Omit<LocalDeadLetter, 'event'> & { event: ReceivedEvent };

let info: StackInfo | undefined;
export function stack(): StackInfo {
  info ??= JSON.parse(fs.readFileSync(process.env[STACK_FILE_ENV] || TEST_STACK_FILE, 'utf8')) as StackInfo;
  return info;
}

let client: CognitoIdentityProviderClient | undefined;
export function cognito(): CognitoIdentityProviderClient {
  client ??= new CognitoIdentityProviderClient({
    region: stack().region,
    endpoint: stack().cognitoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return client;
}

export async function api<T = any>(path: string, options: ApiOptions = {}): Promise<ApiResponse<T>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const headers: Record<string, string> = { ...options.headers };
  let payload: string | Buffer | undefined;
  if (options.rawBody !== undefined) payload = options.rawBody;
  else if (options.body !== undefined) payload = JSON.stringify(options.body);
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = options.contentType ?? (options.rawBody !== undefined ? 'application/octet-stream' : 'application/json');
  }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  // The API's own answer: a redirect (a share link's download) is returned, not followed.
  const response = await fetch(stack().apiUrl + path, { method: options.method ?? 'GET', headers, body: payload, redirect: 'manual' });
  const text = await response.text();
  let body: unknown;
  if (text !== '' && /json/i.test(response.headers.get('content-type') ?? '')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body: body as T, text };
}

export async function signIn(pool: 'staff' | 'customer', username: string, password: string): Promise<Tokens> {
  const clientId = pool === 'staff' ? stack().staffClientId : stack().customerClientId;
  const answer = await cognito().send(
    new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }),
  );
  const result = answer.AuthenticationResult;
  if (!result?.AccessToken || !result.IdToken) throw new Error(`No tokens for ${username}: challenge ${answer.ChallengeName ?? 'none'}`);
  return { accessToken: result.AccessToken, idToken: result.IdToken, ...(result.RefreshToken ? { refreshToken: result.RefreshToken } : {}) };
}

let adminAccess: Promise<string> | undefined;
export function adminToken(): Promise<string> {
  adminAccess ??= signIn('staff', stack().admin.username, stack().admin.password).then((t) => t.accessToken);
  return adminAccess;
}

export async function createStaffUser(username: string, password: string, { admin }: { admin: boolean }): Promise<void> {
  const UserPoolId = stack().staffUserPoolId;
  await cognito().send(new AdminCreateUserCommand({ UserPoolId, Username: username, MessageAction: 'SUPPRESS' }));
  await cognito().send(new AdminSetUserPasswordCommand({ UserPoolId, Username: username, Password: password, Permanent: true }));
  if (admin) await cognito().send(new AdminAddUserToGroupCommand({ UserPoolId, Username: username, GroupName: 'portal-admins' }));
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return (await response.json()) as T;
}

export async function emails(): Promise<Email[]> {
  return (await getJson<{ emails: Email[] }>(`${stack().sesEndpoint}/store`)).emails;
}

export function events(): Promise<ReceivedEvent[]> {
  return getJson<ReceivedEvent[]>(`${stack().eventsEndpoint}/events`);
}

export function deadLetters(): Promise<DeadLetter[]> {
  return getJson<DeadLetter[]>(`${stack().eventsEndpoint}/dlq`);
}

/** How long the tests give the outbox: a whole test file's mail, paced at the stack's rate, on a busy machine. */
const OUTBOX_PATIENCE_MS = 60_000;

export async function mailsTo(address: string, { count = 1, timeoutMs = OUTBOX_PATIENCE_MS } = {}): Promise<Email[]> {
  return eventually(
    async () => {
      const found = (await emails()).filter((m) => m.destination.to.includes(address));
      if (found.length < count) throw new Error(`${found.length} of ${count} mails to ${address} after ${timeoutMs} ms`);
      return found;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

export interface WizardLine {
  contactId: string;
  status: string;
  inPortal: boolean;
  email?: string;
  delivery?: string;
  deliveryError?: { code: string; detail: string; at: string };
}

/** The wizard's lines once the outbox has finished with every one of them (none `queued`). */
export async function settled(wizardId: string, { timeoutMs = OUTBOX_PATIENCE_MS } = {}): Promise<WizardLine[]> {
  return eventually(
    async () => {
      const res = await api(`/contacts/${wizardId}/portal-access`, { token: await adminToken() });
      if (res.status !== 200) throw new Error(`wizard ${wizardId}: ${res.status}`);
      const lines = res.body.lines as WizardLine[];
      const queued = lines.filter((l) => l.delivery === 'queued');
      if (queued.length > 0) throw new Error(`${queued.length} lines of ${wizardId} still queued after ${timeoutMs} ms`);
      return lines;
    },
    { timeoutMs, intervalMs: 150 },
  );
}

let db: DynamoDBDocumentClient | undefined;
const table = () =>
  (db ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: stack().region, endpoint: stack().dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  ));

/**
 * Waits until, for each contact, the outbox item its record names (the follow-up of its last change)
 * is finished. Locally the stream has one shard and the poller runs it in order, so every earlier
 * item of the contact is finished by then too.
 */
export async function outboxDone(contactIds: readonly string[], { timeoutMs = OUTBOX_PATIENCE_MS } = {}): Promise<void> {
  await eventually(
    async () => {
      for (const contactId of contactIds) {
        const contact = (await table().send(new GetCommand({ TableName: stack().tableName, Key: keys.contact(contactId), ConsistentRead: true }))).Item;
        const id = (contact?.outbox as { id?: string } | undefined)?.id;
        if (!id) continue;
        const item = (await table().send(new GetCommand({ TableName: stack().tableName, Key: keys.outbox(id), ConsistentRead: true }))).Item;
        if (!item?.doneAt) throw new Error(`the outbox item ${id} of ${contactId} is not finished after ${timeoutMs} ms`);
      }
    },
    { timeoutMs, intervalMs: 200 },
  );
}

export function outboxDeadLetters(): Promise<unknown[]> {
  return getJson<unknown[]>(`${stack().eventsEndpoint}/outbox/dlq`);
}

/** A problem without its `instance` (the request it answers): to compare two answers' substance. */
export function withoutInstance<T>(problem: T): T {
  if (typeof problem !== 'object' || problem === null) return problem;
  const { instance: _instance, ...rest } = problem as Record<string, unknown>;
  return rest as T;
}

export async function eventually<T>(check: () => Promise<T> | T, { timeoutMs = 10_000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

const run = randomBytes(3).toString('hex');
let counter = 0;
/** Lower-case letters, digits and dashes only, so it fits names, ids and email local parts alike. */
export function uniq(prefix: string): string {
  counter += 1;
  return `${prefix.toLowerCase()}-${run}-${process.pid}-${counter}`;
}
