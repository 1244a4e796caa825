/**
 * An EventBridge-compatible `PutEvents` endpoint (AWS JSON 1.1, so the SDK's `PutEventsCommand` works
 * against it) that applies the stack's own rules (`lambdas/contract/event-rules.ts`): a matching event invokes the
 * events Lambda handler after the answer, with retries and backoff like the rule target's retry
 * policy; what still fails is kept in a local dead-letter list. `GET /events` (the last 500 events
 * received) and `GET /dlq` let tests and developers see what happened.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { eventRules, SES_CONFIGURATION_SET_TAG, type EventRule } from '../lambdas/contract/event-rules';
import { SES_SOURCE } from '../lambdas/contract/events';
import { lambdaContext } from './api-event';
import { matchesPattern } from './event-pattern';
import { ROOT } from './options';

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface DeadLetter {
  readonly rule: string;
  readonly event: EventBridgeEvent;
  readonly attempts: number;
  readonly error: { readonly name: string; readonly message: string };
  readonly at: string;
}

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: string | number;
}

/** A request body EventBridge could not deserialise into PutEvents' shape: its `SerializationException` (400). */
class Unreadable extends Error {}

/** A readable request that breaks one of PutEvents' constraints: EventBridge's `ValidationException` (400), nothing put. */
class Invalid extends Error {}

/** PutEvents takes 1 to 10 entries a request (its API reference, `Entries`: required, 1–10 items). */
const MAX_ENTRIES = 10;

const STRING_FIELDS = ['Source', 'DetailType', 'Detail', 'EventBusName'] as const;

/** The entries of a PutEvents body, 1 to 10 objects whose fields have PutEvents' types. */
function readableEntries(body: unknown): PutEventsEntry[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Unreadable('The request body must be a JSON object.');
  const { Entries: entries } = body as { Entries?: unknown };
  if (entries === undefined || entries === null) throw new Invalid("1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null");
  if (!Array.isArray(entries)) throw new Unreadable('Entries must be a list.');
  entries.forEach((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Unreadable(`Entries.${i} must be an object.`);
    const fields = entry as Record<string, unknown>;
    for (const name of STRING_FIELDS) if (fields[name] !== undefined && typeof fields[name] !== 'string') throw new Unreadable(`Entries.${i}.${name} must be a string.`);
    if (fields.Resources !== undefined && !(Array.isArray(fields.Resources) && fields.Resources.every((r) => typeof r === 'string'))) throw new Unreadable(`Entries.${i}.Resources must be a list of strings.`);
    if (fields.Time !== undefined && typeof fields.Time !== 'string' && typeof fields.Time !== 'number') throw new Unreadable(`Entries.${i}.Time must be a timestamp.`);
  });
  // Checked once the request reads as PutEvents, as AWS checks constraints after deserialising.
  if (entries.length < 1 || entries.length > MAX_ENTRIES)
    throw new Invalid(`1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${entries.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ENTRIES}`}`);
  return entries as PutEventsEntry[];
}

export interface EventsConfig {
  readonly eventBusName: string;
  readonly region: string;
  readonly functionName: string;
  /** The invitations' configuration set: SES feedback counts only when it names it, as in AWS. */
  readonly mailConfigurationSet: string;
  /** Delays before each retry: three attempts in all by default. */
  readonly retryDelaysMs?: readonly number[];
  /** More local-only routes on this server (the outbox's DLQ and fault switches): `undefined` when not theirs. */
  readonly extraRoutes?: (method: string, url: URL, body: () => Promise<unknown>) => Promise<{ status: number; body: unknown } | undefined>;
}

const KEEP = 500;
const DEFAULT_RETRY_DELAYS_MS = [500, 2000];
const ACCOUNT = '000000000000';

type EventsHandler = (event: EventBridgeEvent, context: unknown) => Promise<unknown>;

/** The events function's handler, imported on first use (after the local stack has set the environment). */
async function eventsHandler(): Promise<EventsHandler> {
  const file = path.join(ROOT, 'lambdas', 'events', 'handler.ts');
  const module = fs.existsSync(file) ? ((await import(file)) as { handler?: EventsHandler }) : undefined;
  if (!module?.handler) throw new Error('lambdas/events/handler.ts exports no handler yet');
  return module.handler;
}

function busOf(name: string | undefined, config: EventsConfig): 'portal' | 'default' | undefined {
  const bare = name?.replace(/^arn:aws:events:[^:]*:[^:]*:event-bus\//, '');
  if (bare === undefined || bare === '' || bare === 'default') return 'default';
  return bare === config.eventBusName ? 'portal' : undefined;
}

function timeOf(time: string | number | undefined): string {
  if (time === undefined) return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const date = new Date(typeof time === 'number' ? time * 1000 : time);
  return Number.isNaN(date.getTime()) ? new Date().toISOString() : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
}

/**
 * The local SES (aws-ses-v2-local) publishes no events: an `aws.ses` event put here stands in for one
 * SES would publish about our mail, and SES tags every such event with the configuration set the mail
 * went through. A stand-in that names no set gets ours (so a hand-made bounce works as it would in
 * AWS); one that names another set keeps it, and the rule ignores it as in AWS.
 */
function sentThroughOurSet(detail: Record<string, unknown>, configurationSet: string): Record<string, unknown> {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  // A stand-in without `mail` (the recipients in `bounce`/`complaint` alone) is still about our mail.
  const mail = detail.mail === undefined ? {} : detail.mail;
  if (!isObject(mail)) return detail;
  const tags = isObject(mail.tags) ? mail.tags : {};
  if (SES_CONFIGURATION_SET_TAG in tags) return detail;
  return { ...detail, mail: { ...mail, tags: { ...tags, [SES_CONFIGURATION_SET_TAG]: [configurationSet] } } };
}

export function createEventsServer(config: EventsConfig): http.Server {
  const received: EventBridgeEvent[] = [];
  const deadLetters: DeadLetter[] = [];
  const delays = config.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const rules = eventRules({ mailConfigurationSet: config.mailConfigurationSet });

  async function deliver(rule: EventRule, event: EventBridgeEvent): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= delays.length + 1; attempt++) {
      try {
        const handler = await eventsHandler();
        await handler(event, lambdaContext(config.functionName));
        return;
      } catch (error) {
        lastError = error;
        const delay = delays[attempt - 1];
        if (delay !== undefined) await new Promise((r) => setTimeout(r, delay));
      }
    }
    const error = lastError instanceof Error ? { name: lastError.name, message: lastError.message } : { name: 'Error', message: String(lastError) };
    deadLetters.push({ rule: rule.id, event, attempts: delays.length + 1, error, at: new Date().toISOString() });
    if (deadLetters.length > KEEP) deadLetters.shift();
    console.error(`events: ${event['detail-type']} ${event.id} failed ${delays.length + 1} times for rule ${rule.id}, kept in the local DLQ: ${error.name}: ${error.message}`);
  }

  function putEvents(body: { Entries?: PutEventsEntry[] }) {
    const entries = readableEntries(body);
    const results = entries.map((entry) => {
      const bus = busOf(entry.EventBusName, config);
      if (!bus) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${entry.EventBusName} does not exist.` };
      if (!entry.Source || !entry.DetailType || entry.Detail === undefined) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required.' };
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' };
      const event: EventBridgeEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: ACCOUNT,
        time: timeOf(entry.Time),
        region: config.region,
        resources: entry.Resources ?? [],
        detail: entry.Source === SES_SOURCE ? sentThroughOurSet(detail as Record<string, unknown>, config.mailConfigurationSet) : detail,
      };
      received.push(event);
      if (received.length > KEEP) received.shift();
      const matched = rules.filter((rule) => rule.bus === bus && matchesPattern(rule.pattern, event as unknown as Record<string, unknown>));
      // After the answer, as EventBridge delivers asynchronously.
      for (const rule of matched) setImmediate(() => void deliver(rule, event));
      return { EventId: event.id };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/events') return reply(res, 200, received);
    if (req.method === 'GET' && url.pathname === '/dlq') return reply(res, 200, deadLetters);
    if (req.method === 'GET' && url.pathname === '/health') return reply(res, 200, { status: 'ok' });
    if (config.extraRoutes && url.pathname !== '/') {
      void config
        .extraRoutes(req.method ?? 'GET', url, () => readJson(req))
        .then((answer) => (answer ? reply(res, answer.status, answer.body) : reply(res, 404, { message: 'Not found' })))
        .catch(() => reply(res, 400, { message: 'Bad request' }));
      return;
    }
    if (req.method !== 'POST' || url.pathname !== '/') return reply(res, 404, { message: 'Not found' });
    const target = String(req.headers['x-amz-target'] ?? '');
    readJson(req)
      .then(async (body) => {
        if (target !== 'AWSEvents.PutEvents') {
          return reply(res, 400, { __type: 'UnknownOperationException', message: `Only PutEvents is emulated, not ${target || 'nothing'}` }, 'application/x-amz-json-1.1');
        }
        reply(res, 200, putEvents(body as { Entries?: PutEventsEntry[] }), 'application/x-amz-json-1.1');
      })
      .catch((error: unknown) => {
        if (error instanceof Invalid) return reply(res, 400, { __type: 'ValidationException', message: error.message }, 'application/x-amz-json-1.1');
        const invalid = error instanceof SyntaxError || error instanceof Unreadable;
        const message = error instanceof Unreadable ? error.message : 'Malformed JSON';
        reply(res, invalid ? 400 : 500, { __type: invalid ? 'SerializationException' : 'InternalException', message: invalid ? message : 'Internal error' }, 'application/x-amz-json-1.1');
      });
  });
}
