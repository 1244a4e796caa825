/**
 * The single table's client in every function: the document client's commands (Get, Query, Put,
 * Update, Delete, TransactWrite, BatchGet) sent as plain AWS JSON 1.0 requests, signed with SigV4
 * (../sigv4-post.ts), over a keep-alive agent. Why not the SDK's client:
 * - its size: `@aws-sdk/client-dynamodb` with `lib-dynamodb`, `@smithy/core` and `@aws-sdk/core` are
 *   ~180 KB of each minified bundle, and V8 compiles all of it on every cold start (issue 12 §4);
 * - its CPU: its middleware stack, schema serde and per-call endpoint/auth resolution cost ~1 ms of
 *   CPU per call (profiled on the portal page, docs/benchmark.md) — about as much as DynamoDB Local
 *   takes to answer — and a Lambda's CPU is what its memory buys.
 *
 * The document client's semantics are kept: the same marshalling of keys, items and values, the same
 * unmarshalling of items and attributes, the errors named as the SDK names them with the answer's
 * fields on them (`CancellationReasons`, a refused condition's `Item`, both as DynamoDB sent them),
 * `$metadata` and `$retryable`; the SDK's standard retries (3 attempts; a throttle, a 5xx or a network
 * error tried again after a jittered backoff); and, as the SDK does, a `ClientRequestToken` on every
 * TransactWriteItems, so that a retried transaction that had in fact been written is not written (or
 * refused) twice. The legacy parameters (`KeyConditions`, `QueryFilter`, `AttributeUpdates`,
 * `Expected`) are refused: no code here uses them.
 *
 * `send` takes the document client's command objects (`new GetCommand(input)`), so the stores are
 * the same code over this client and over the SDK's (the unit tests mock that one). In the Lambda
 * bundles those command classes are lambdas/wiring/document-commands.ts (an esbuild alias for
 * `@aws-sdk/lib-dynamodb`, lib/bundling.ts): input holders, without the SDK behind them.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type DeleteCommandOutput,
  type DynamoDBDocumentClient,
  type GetCommandOutput,
  type PutCommandOutput,
  type QueryCommandOutput,
  type TransactWriteCommandOutput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { PostSigner } from '../sigv4-post';

type Wire = Record<string, unknown>;
type Doc = Record<string, unknown>;
type Metadata = { httpStatusCode: number; attempts: number };

export interface LightClientConfig {
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** Another endpoint (DynamoDB Local); the region's own by default. */
  endpoint?: string;
  maxAttempts?: number;
  /**
   * Per attempt of a read (GetItem, Query, BatchGetItem): one that has not answered by then is
   * abandoned and tried again. Writes wait as the SDK's do (no timeout of their own): a write
   * abandoned while DynamoDB still applies it would come back as a refused condition.
   */
  readTimeoutMs?: number;
  /** The marshalling of keys and values, as a document client's `marshallOptions`. */
  marshallOptions?: Parameters<typeof marshall>[1];
}

/** A DynamoDB error answer, shaped like the SDK's service exceptions (`name`, `$metadata`, `$retryable`, the answer's fields). */
export class DynamoDbError extends Error {
  readonly $metadata: { httpStatusCode: number };
  readonly $retryable?: { throttling: boolean };
  constructor(name: string, message: string, status: number, fields: Wire = {}) {
    super(message);
    Object.assign(this, fields);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
    const throttling = THROTTLING.has(name) || status === 429;
    if (throttling || status >= 500) this.$retryable = { throttling };
  }
}

/** As the SDK's standard retry strategy counts them. */
const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottledException',
  'ThrottledException',
  'TransactionInProgressException',
]);

/** `Code` from `x-amzn-errortype` (`Name:http://...`) or the body's `__type` (`com.amazonaws.dynamodb.v20120810#Name`). */
function errorName(header: string | string[] | undefined, body: Wire): string {
  const raw = (typeof header === 'string' ? header : undefined) ?? (typeof body.__type === 'string' ? body.__type : 'UnknownError');
  return raw.split(':')[0]!.split('#').pop()!;
}

const partitionDomain = (region: string) => (region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com');

const LEGACY = ['KeyConditions', 'QueryFilter', 'AttributeUpdates', 'Expected', 'ConditionalOperator'] as const;

type Operation = 'GetItem' | 'Query' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'TransactWriteItems';
const READS = new Set<Operation>(['GetItem', 'Query', 'BatchGetItem']);

export class LightDynamoDb {
  readonly #url: URL;
  readonly #signer: PostSigner;
  readonly #credentials: AwsCredentialIdentityProvider;
  readonly #agent: http.Agent;
  readonly #attempts: number;
  readonly #readTimeoutMs: number;
  readonly #marshallOptions: Parameters<typeof marshall>[1];

  constructor(config: LightClientConfig) {
    this.#url = new URL(config.endpoint ?? `https://dynamodb.${config.region}.${partitionDomain(config.region)}/`);
    this.#signer = new PostSigner(config.region, 'dynamodb');
    this.#credentials = config.credentials;
    const Agent = this.#url.protocol === 'http:' ? http.Agent : https.Agent;
    this.#agent = new Agent({ keepAlive: true, maxSockets: 50 });
    this.#attempts = config.maxAttempts ?? 3;
    this.#readTimeoutMs = config.readTimeoutMs ?? 5_000;
    // A copy, never wrapping the top level: each key, item and value map is marshalled on its own.
    this.#marshallOptions = { ...config.marshallOptions, convertTopLevelContainer: false };
  }

  /** One of the document client's commands, answered as the document client answers it. */
  send(command: unknown): Promise<unknown> {
    if (command instanceof GetCommand) return this.get(command.input);
    if (command instanceof QueryCommand) return this.query(command.input);
    if (command instanceof PutCommand) return this.put(command.input);
    if (command instanceof UpdateCommand) return this.update(command.input);
    if (command instanceof DeleteCommand) return this.delete(command.input);
    if (command instanceof TransactWriteCommand) return this.transactWrite(command.input);
    if (command instanceof BatchGetCommand) return this.batchGet(command.input);
    return Promise.reject(new Error(`the light DynamoDB client does not send ${(command as object | null)?.constructor?.name ?? String(command)}`));
  }

  async get(input: GetCommand['input']): Promise<GetCommandOutput> {
    const { body, $metadata } = await this.#call('GetItem', this.#marshalled(input));
    return { $metadata, ...this.#items(body, ['Item']), ...pick(body, ['ConsumedCapacity']) };
  }

  async query(input: QueryCommand['input']): Promise<QueryCommandOutput> {
    const { body, $metadata } = await this.#call('Query', this.#marshalled(input));
    return {
      $metadata,
      ...(Array.isArray(body.Items) ? { Items: (body.Items as Wire[]).map(unmarshallItem) } : {}),
      ...this.#items(body, ['LastEvaluatedKey']),
      ...pick(body, ['Count', 'ScannedCount', 'ConsumedCapacity']),
    };
  }

  async put(input: PutCommand['input']): Promise<PutCommandOutput> {
    const { body, $metadata } = await this.#call('PutItem', this.#marshalled(input));
    return { $metadata, ...this.#items(body, ['Attributes']), ...pick(body, ['ConsumedCapacity', 'ItemCollectionMetrics']) };
  }

  async update(input: UpdateCommand['input']): Promise<UpdateCommandOutput> {
    const { body, $metadata } = await this.#call('UpdateItem', this.#marshalled(input));
    return { $metadata, ...this.#items(body, ['Attributes']), ...pick(body, ['ConsumedCapacity', 'ItemCollectionMetrics']) };
  }

  async delete(input: DeleteCommand['input']): Promise<DeleteCommandOutput> {
    const { body, $metadata } = await this.#call('DeleteItem', this.#marshalled(input));
    return { $metadata, ...this.#items(body, ['Attributes']), ...pick(body, ['ConsumedCapacity', 'ItemCollectionMetrics']) };
  }

  async transactWrite(input: TransactWriteCommand['input']): Promise<TransactWriteCommandOutput> {
    const { TransactItems, ClientRequestToken, ...rest } = input;
    const items = (TransactItems ?? []).map((item) => Object.fromEntries(Object.entries(item).map(([kind, write]) => [kind, write === undefined ? write : this.#marshalled(write as Doc)])));
    // The SDK fills this idempotency token in when the caller did not: DynamoDB then answers a
    // retried request that was already written as written, for ten minutes.
    const { body, $metadata } = await this.#call('TransactWriteItems', { ...rest, TransactItems: items, ClientRequestToken: ClientRequestToken ?? randomUUID() });
    return { $metadata, ...pick(body, ['ConsumedCapacity', 'ItemCollectionMetrics']) };
  }

  async batchGet(input: BatchGetCommand['input']): Promise<BatchGetCommandOutput> {
    const { RequestItems, ...rest } = input;
    const requests = Object.fromEntries(Object.entries(RequestItems ?? {}).map(([table, request]) => [table, this.#marshalled(request as Doc)]));
    const { body, $metadata } = await this.#call('BatchGetItem', { ...rest, RequestItems: requests });
    const responses = body.Responses as Record<string, Wire[]> | undefined;
    const unprocessed = body.UnprocessedKeys as Record<string, Wire> | undefined;
    return {
      $metadata,
      ...(responses ? { Responses: Object.fromEntries(Object.entries(responses).map(([table, items]) => [table, items.map(unmarshallItem)])) } : {}),
      ...(unprocessed ? { UnprocessedKeys: Object.fromEntries(Object.entries(unprocessed).map(([table, request]) => [table, { ...request, ...(Array.isArray(request.Keys) ? { Keys: (request.Keys as Wire[]).map(unmarshallItem) } : {}) }])) } : {}),
      ...pick(body, ['ConsumedCapacity']),
    } as BatchGetCommandOutput;
  }

  destroy(): void {
    this.#agent.destroy();
  }

  /** The request's `Key`, `Item`, `ExclusiveStartKey`, `Keys` and `ExpressionAttributeValues` marshalled; the rest as given. */
  #marshalled(input: Doc): Wire {
    const legacy = LEGACY.find((name) => input[name] !== undefined);
    if (legacy) throw new Error(`the light DynamoDB client does not send the legacy parameter ${legacy}`);
    const out: Wire = { ...input };
    for (const name of ['Key', 'Item', 'ExclusiveStartKey', 'ExpressionAttributeValues'] as const) {
      if (input[name] !== undefined) out[name] = marshall(input[name] as Doc, this.#marshallOptions);
    }
    if (Array.isArray(input.Keys)) out.Keys = (input.Keys as Doc[]).map((key) => marshall(key, this.#marshallOptions));
    return out;
  }

  /** The named maps of an answer (an item, a key, attributes) unmarshalled; absent ones left out. */
  #items(body: Wire, names: readonly string[]): Doc {
    const out: Doc = {};
    for (const name of names) if (body[name] !== undefined && body[name] !== null) out[name] = unmarshallItem(body[name] as Wire);
    return out;
  }

  async #call(operation: Operation, input: Wire): Promise<{ body: Wire; $metadata: Metadata }> {
    const body = JSON.stringify(input, binaryAsBase64);
    const timeoutMs = READS.has(operation) ? this.#readTimeoutMs : 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const { status, body: answer } = await this.#once(operation, body, timeoutMs);
        return { body: answer, $metadata: { httpStatusCode: status, attempts: attempt } };
      } catch (error) {
        // A network error or a timeout has no status: also worth another attempt.
        const retryable = !(error instanceof DynamoDbError) || error.$retryable !== undefined;
        if (!retryable || attempt >= this.#attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(20_000, 100 * 2 ** attempt)));
      }
    }
  }

  async #once(operation: Operation, body: string, timeoutMs: number): Promise<{ status: number; body: Wire }> {
    const headers = this.#signer.sign(
      this.#url.host,
      this.#url.pathname,
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}`, 'content-length': String(Buffer.byteLength(body)) },
      body,
      await this.#credentials(),
    );
    const { status, text, errorType } = await this.#send(headers, body, timeoutMs);
    let parsed: Wire = {};
    try {
      parsed = text ? (JSON.parse(text) as Wire) : {};
    } catch {
      // A non-JSON answer (a proxy's error page): the status says enough.
    }
    // Binary values travel as base64; the SDK hands them on as bytes (`"B":` only ever names one).
    if (BINARY.test(text)) decodeBinary(parsed);
    if (status >= 200 && status < 300) return { status, body: parsed };
    const { __type: _type, message, Message, ...fields } = parsed;
    const text_ = typeof message === 'string' ? message : typeof Message === 'string' ? Message : `HTTP ${status}`;
    throw new DynamoDbError(errorName(errorType, parsed), text_, status, { ...fields, ...(typeof Message === 'string' ? { Message } : {}) });
  }

  #send(headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number; text: string; errorType: string | string[] | undefined }> {
    const url = this.#url;
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        { method: 'POST', protocol: url.protocol, hostname: url.hostname, port: url.port || undefined, path: url.pathname, headers, agent: this.#agent, ...(timeoutMs > 0 ? { timeout: timeoutMs } : {}) },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), errorType: response.headers['x-amzn-errortype'] }));
        },
      );
      request.on('timeout', () => request.destroy(Object.assign(new Error(`DynamoDB did not answer within ${timeoutMs} ms`), { name: 'TimeoutError' })));
      request.on('error', reject);
      request.end(body);
    });
  }
}

const unmarshallItem = (item: Wire): Doc => unmarshall(item as Record<string, never>);

/**
 * Bytes (a marshalled `B`, each of a `BS`: `marshall` leaves them as given) travel as base64, as the
 * SDK's serializer sends them; the original value is looked at, before a Buffer's own `toJSON`.
 */
function binaryAsBase64(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (ArrayBuffer.isView(raw)) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('base64');
  return value;
}

const BINARY = /"BS?":/;

/** `{ B: base64 }` and `{ BS: [base64…] }` anywhere in an answer, as bytes (what the SDK's deserializer does). */
function decodeBinary(value: unknown): void {
  if (Array.isArray(value)) {
    for (const entry of value) decodeBinary(entry);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  for (const [name, entry] of Object.entries(record)) {
    if (name === 'B' && typeof entry === 'string') record.B = new Uint8Array(Buffer.from(entry, 'base64'));
    else if (name === 'BS' && Array.isArray(entry) && entry.every((e) => typeof e === 'string')) record.BS = entry.map((e: string) => new Uint8Array(Buffer.from(e, 'base64')));
    else decodeBinary(entry);
  }
}

function pick(body: Wire, names: readonly string[]): Wire {
  const out: Wire = {};
  for (const name of names) if (body[name] !== undefined) out[name] = body[name];
  return out;
}

/** The client as the stores take it: a document client's `send` (the only method they call). */
export function lightDocumentClient(client: LightDynamoDb): DynamoDBDocumentClient {
  return { send: (command: unknown) => client.send(command), destroy: () => client.destroy() } as unknown as DynamoDBDocumentClient;
}
