/**
 * GetItem and Query as plain AWS JSON 1.0 requests, signed with SigV4 (sigv4-post.ts) and sent
 * over a keep-alive agent, for the hot read path (the portal: a consistent GetItem of the contact and
 * a Query per stream on every page). Why not the SDK's client there: its middleware stack, schema
 * serde and per-call endpoint/auth resolution cost ~1 ms of CPU per call (profiled on the portal
 * page, docs/benchmark.md) — about as much as DynamoDB Local takes to answer — and a Lambda's CPU is
 * what its memory buys. Everything else goes on through the SDK.
 *
 * `withLightReads` wraps the document client: a `GetCommand` or `QueryCommand` is answered here with
 * the document client's own semantics (the same marshalling of keys and values, the same
 * unmarshalling of items, the same error names, `$metadata` and `$retryable`, and the SDK's standard
 * retries: 3 attempts, a throttle, a 5xx or a network error tried again after a jittered backoff);
 * any other command, or a Query with the legacy `KeyConditions`/`QueryFilter`, goes to the SDK.
 */
import http from 'node:http';
import https from 'node:https';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { GetCommand, QueryCommand, type DynamoDBDocumentClient, type GetCommandOutput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { PostSigner } from './sigv4-post';

type Wire = Record<string, unknown>;

export interface LightReadsConfig {
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** Another endpoint (DynamoDB Local); the region's own by default. */
  endpoint?: string;
  maxAttempts?: number;
  /** Per attempt: a request that has not answered by then is abandoned (and tried again). */
  timeoutMs?: number;
  /** The marshalling of keys and values, as the document client is configured. */
  marshallOptions?: Parameters<typeof marshall>[1];
}

/** A DynamoDB error answer, shaped like the SDK's service exceptions (`name`, `$metadata`, `$retryable`). */
export class DynamoDbError extends Error {
  readonly $metadata: { httpStatusCode: number };
  readonly $retryable?: { throttling: boolean };
  constructor(name: string, message: string, status: number) {
    super(message);
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

export class LightReads {
  readonly #url: URL;
  readonly #signer: PostSigner;
  readonly #credentials: AwsCredentialIdentityProvider;
  readonly #agent: http.Agent;
  readonly #attempts: number;
  readonly #timeoutMs: number;
  readonly #marshall: Parameters<typeof marshall>[1];

  constructor(config: LightReadsConfig) {
    this.#url = new URL(config.endpoint ?? `https://dynamodb.${config.region}.${partitionDomain(config.region)}/`);
    this.#signer = new PostSigner(config.region, 'dynamodb');
    this.#credentials = config.credentials;
    const Agent = this.#url.protocol === 'http:' ? http.Agent : https.Agent;
    this.#agent = new Agent({ keepAlive: true, maxSockets: 50 });
    this.#attempts = config.maxAttempts ?? 3;
    this.#timeoutMs = config.timeoutMs ?? 5_000;
    // A copy, never wrapping the top level: the document client sets `convertTopLevelContainer` on
    // the options object it was given (it marshals each key and value on its own).
    this.#marshall = { ...config.marshallOptions, convertTopLevelContainer: false };
  }

  /** GetItem with a document client's input and output. */
  async get(input: GetCommand['input']): Promise<GetCommandOutput> {
    const { Key, ...rest } = input;
    const out = await this.#call('GetItem', { ...rest, Key: marshall(Key, this.#marshall) });
    return { $metadata: out.$metadata, ...(out.body.Item ? { Item: unmarshall(out.body.Item as Record<string, never>) } : {}), ...passThrough(out.body, ['ConsumedCapacity']) };
  }

  /** Query with a document client's input and output. */
  async query(input: QueryCommand['input']): Promise<QueryCommandOutput> {
    const { ExpressionAttributeValues, ExclusiveStartKey, ...rest } = input;
    const out = await this.#call('Query', {
      ...rest,
      ...(ExpressionAttributeValues ? { ExpressionAttributeValues: marshall(ExpressionAttributeValues, this.#marshall) } : {}),
      ...(ExclusiveStartKey ? { ExclusiveStartKey: marshall(ExclusiveStartKey, this.#marshall) } : {}),
    });
    const { body } = out;
    return {
      $metadata: out.$metadata,
      ...(Array.isArray(body.Items) ? { Items: (body.Items as Record<string, never>[]).map((item) => unmarshall(item)) } : {}),
      ...(body.LastEvaluatedKey ? { LastEvaluatedKey: unmarshall(body.LastEvaluatedKey as Record<string, never>) } : {}),
      ...passThrough(body, ['Count', 'ScannedCount', 'ConsumedCapacity']),
    };
  }

  destroy(): void {
    this.#agent.destroy();
  }

  async #call(operation: 'GetItem' | 'Query', input: Wire): Promise<{ body: Wire; $metadata: { httpStatusCode: number; attempts: number } }> {
    const body = JSON.stringify(input);
    for (let attempt = 1; ; attempt++) {
      try {
        const { status, body: answer } = await this.#once(operation, body);
        return { body: answer, $metadata: { httpStatusCode: status, attempts: attempt } };
      } catch (error) {
        // A network error or a timeout has no status: also worth another attempt.
        const retryable = !(error instanceof DynamoDbError) || error.$retryable !== undefined;
        if (!retryable || attempt >= this.#attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(20_000, 100 * 2 ** attempt)));
      }
    }
  }

  async #once(operation: string, body: string): Promise<{ status: number; body: Wire }> {
    const headers = this.#signer.sign(
      this.#url.host,
      this.#url.pathname,
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}`, 'content-length': String(Buffer.byteLength(body)) },
      body,
      await this.#credentials(),
    );
    const { status, text, errorType } = await this.#send(headers, body);
    let parsed: Wire = {};
    try {
      parsed = text ? (JSON.parse(text) as Wire) : {};
    } catch {
      // A non-JSON answer (a proxy's error page): the status says enough.
    }
    if (status >= 200 && status < 300) {
      // Binary values travel as base64; the SDK hands them on as bytes (`"B":` only ever names one).
      if (BINARY.test(text)) decodeBinary(parsed);
      return { status, body: parsed };
    }
    const message = typeof parsed.message === 'string' ? parsed.message : typeof parsed.Message === 'string' ? parsed.Message : `HTTP ${status}`;
    throw new DynamoDbError(errorName(errorType, parsed), message, status);
  }

  #send(headers: Record<string, string>, body: string): Promise<{ status: number; text: string; errorType: string | string[] | undefined }> {
    const url = this.#url;
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        { method: 'POST', protocol: url.protocol, hostname: url.hostname, port: url.port || undefined, path: url.pathname, headers, agent: this.#agent, timeout: this.#timeoutMs },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), errorType: response.headers['x-amzn-errortype'] }));
        },
      );
      request.on('timeout', () => request.destroy(Object.assign(new Error(`DynamoDB did not answer within ${this.#timeoutMs} ms`), { name: 'TimeoutError' })));
      request.on('error', reject);
      request.end(body);
    });
  }
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

function passThrough(body: Wire, names: readonly string[]): Wire {
  const out: Wire = {};
  for (const name of names) if (body[name] !== undefined) out[name] = body[name];
  return out;
}

/**
 * The document client, with its GetItem and Query answered by `reads` (same input, same output);
 * every other command, and the legacy Query parameters, through the client itself.
 */
export function withLightReads(db: DynamoDBDocumentClient, reads: LightReads): DynamoDBDocumentClient {
  const send = (command: unknown, ...rest: unknown[]): Promise<unknown> => {
    if (rest.length === 0 && command instanceof GetCommand) return reads.get(command.input);
    if (rest.length === 0 && command instanceof QueryCommand && !command.input.KeyConditions && !command.input.QueryFilter) return reads.query(command.input);
    return (db.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
  };
  return Object.assign(Object.create(db) as DynamoDBDocumentClient, { send });
}
