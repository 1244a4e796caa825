/**
 * The local stand-in for Lambda's DynamoDB-stream event source of the outbox worker: it reads the
 * local table's stream (DescribeStream / GetShardIterator / GetRecords, DynamoDB Local's own), keeps
 * the records that match the worker's filter (`OUTBOX_STREAM_FILTER`, the CDK mapping's), and
 * invokes THE worker handler (`lambdas/worker/outbox.ts`) with the same event shape (a
 * DynamoDBStreamEvent, in batches of `OUTBOX_STREAM.batchSize`), as close to the event source's
 * semantics as a single process honestly gets:
 *
 * - per shard, one batch at a time, in order (Lambda's `parallelizationFactor` runs up to that many
 *   batches of one shard at once, by partition key; here it is 1);
 * - `ReportBatchItemFailures`: the batch is tried again from its first failed record;
 * - an invocation that throws is a function error: the batch is split in two (`bisectBatchOnError`)
 *   and each half tried again;
 * - at most `retryAttempts` retries with a growing delay, and records older than
 *   `maxRecordAgeSeconds` are not tried again: either way they go to the local DLQ, which keeps the
 *   records themselves (AWS's on-failure destination keeps only their shard and sequence numbers)
 *   and is served at `<eventsEndpoint>/outbox/dlq`;
 * - the position is kept per shard in `<data-dir>/outbox-stream.json`, so a restart goes on after
 *   the last record done (AWS's mapping keeps its own); a new stream starts at its beginning.
 *
 * It polls each open shard every `IDLE_MS` when idle, so mail follows a grant within a second or two.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { OUTBOX_STREAM, OUTBOX_STREAM_FILTER } from '../lambdas/contract/outbox';
import { lambdaContext } from './api-event';
import { matchesPattern } from './event-pattern';

/** How long an idle shard waits before it asks again. */
export const IDLE_MS = 200;
const DESCRIBE_EVERY_MS = 2_000;
const KEEP_DEAD_LETTERS = 500;

export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

export interface OutboxDeadLetter {
  readonly records: DynamoDBRecord[];
  readonly attempts: number;
  readonly reason: 'retries exhausted' | 'record too old';
  readonly error?: { readonly name: string; readonly message: string };
  readonly at: string;
}

export interface OutboxPollerConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly streamArn: string;
  readonly checkpointFile: string;
  readonly functionName: string;
  readonly handler: () => Promise<StreamHandler>;
  /** The first retry's delay; each next one doubles, up to 30 s. */
  readonly retryDelayMs?: number;
}

interface Checkpoint {
  streamArn: string;
  shards: Record<string, { last?: string; closed?: boolean }>;
}

/** What the fault injection uses to fail the whole invocation it runs in (a worker that dies). */
interface Invocation {
  crash?: (error: Error) => void;
}
const invocation = new AsyncLocalStorage<Invocation>();

/** Called from inside a handler run by the poller: that invocation ends as a function error, now. */
export function crashInvocation(error: Error): void {
  invocation.getStore()?.crash?.(error);
}

/** The record as Lambda hands it to a function: the same fields, the creation time in epoch seconds. */
function lambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...dynamodb } = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(dynamodb as DynamoDBRecord['dynamodb']),
      ...(ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(new Date(ApproximateCreationDateTime).getTime() / 1000) } : {}),
    },
  } as DynamoDBRecord;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function startOutboxPoller(config: OutboxPollerConfig) {
  const client = new DynamoDBStreamsClient({ region: config.region, endpoint: config.endpoint, credentials: config.credentials, maxAttempts: 5 });
  const deadLetters: OutboxDeadLetter[] = [];
  const retryDelayMs = config.retryDelayMs ?? 500;
  const checkpoint = readCheckpoint(config.checkpointFile, config.streamArn);
  let stopped = false;
  const running = new Map<string, Promise<void>>();

  const save = () => {
    const temporary = `${config.checkpointFile}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(checkpoint));
    fs.renameSync(temporary, config.checkpointFile);
  };

  async function invoke(records: DynamoDBRecord[]): Promise<{ failedFrom?: number; error?: Error }> {
    const handler = await config.handler();
    const state: Invocation = {};
    const crashed = new Promise<never>((_, reject) => (state.crash = reject));
    try {
      const answer = await invocation.run(state, () =>
        Promise.race([handler({ Records: records }, lambdaContext(config.functionName, OUTBOX_STREAM.workerTimeoutSeconds)), crashed]),
      );
      const failures = (answer as DynamoDBBatchResponse | undefined)?.batchItemFailures ?? [];
      if (failures.length === 0) return {};
      const failed = new Set(failures.map((f) => f.itemIdentifier));
      const first = records.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
      // An identifier that names no record of the batch fails the whole batch, as in AWS.
      return { failedFrom: first < 0 ? 0 : first };
    } catch (error) {
      return { error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  /** One batch until it succeeds, with the event source's retry, bisect and age rules. */
  async function deliver(records: DynamoDBRecord[], attempt = 0): Promise<void> {
    let batch = records;
    for (let tries = attempt; batch.length > 0 && !stopped; tries++) {
      const oldest = Math.min(...batch.map((r) => r.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000));
      if (Date.now() / 1000 - oldest > OUTBOX_STREAM.maxRecordAgeSeconds) return deadLetter(batch, tries, 'record too old');
      const { failedFrom, error } = await invoke(batch);
      if (failedFrom === undefined && !error) return;
      if (tries >= OUTBOX_STREAM.retryAttempts) return deadLetter(error ? batch : batch.slice(failedFrom), tries + 1, 'retries exhausted', error);
      await sleep(Math.min(30_000, retryDelayMs * 2 ** tries));
      if (error && OUTBOX_STREAM.bisectBatchOnError && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await deliver(batch.slice(0, half), tries + 1);
        await deliver(batch.slice(half), tries + 1);
        return;
      }
      if (failedFrom !== undefined) batch = batch.slice(failedFrom);
    }
  }

  function deadLetter(records: DynamoDBRecord[], attempts: number, reason: OutboxDeadLetter['reason'], error?: Error): void {
    deadLetters.push({ records, attempts, reason, ...(error ? { error: { name: error.name, message: error.message } } : {}), at: new Date().toISOString() });
    if (deadLetters.length > KEEP_DEAD_LETTERS) deadLetters.shift();
    console.error(`outbox: ${records.length} record(s) to the local DLQ (${reason}${error ? `: ${error.name}: ${error.message}` : ''})`);
  }

  async function pollShard(shardId: string): Promise<void> {
    const position = (checkpoint.shards[shardId] ??= {});
    let iterator = await iteratorOf(shardId, position.last);
    while (!stopped && iterator) {
      let out;
      try {
        out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      } catch (error) {
        if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
          iterator = await iteratorOf(shardId, position.last);
          continue;
        }
        throw error;
      }
      const records = out.Records ?? [];
      const matching = records.map((r) => lambdaRecord(r, config.streamArn)).filter((r) => matchesPattern(OUTBOX_STREAM_FILTER, r as unknown as Record<string, unknown>));
      for (let i = 0; i < matching.length && !stopped; i += OUTBOX_STREAM.batchSize) await deliver(matching.slice(i, i + OUTBOX_STREAM.batchSize));
      if (stopped) return;
      const last = records.at(-1)?.dynamodb?.SequenceNumber;
      if (last) {
        position.last = last;
        save();
      }
      iterator = out.NextShardIterator;
      if (records.length === 0 && iterator) await sleep(IDLE_MS);
    }
    if (!stopped && !iterator) {
      position.closed = true;
      save();
    }
  }

  async function iteratorOf(shardId: string, after: string | undefined): Promise<string | undefined> {
    const out = await client.send(
      new GetShardIteratorCommand({
        StreamArn: config.streamArn,
        ShardId: shardId,
        ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return out.ShardIterator;
  }

  async function shards(): Promise<Shard[]> {
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await client.send(new DescribeStreamCommand({ StreamArn: config.streamArn, ...(start ? { ExclusiveStartShardId: start } : {}) }));
      all.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return all;
  }

  /** Starts a loop for every open shard whose parent is done (a child's records come after its parent's). */
  async function discover(): Promise<void> {
    const known = await shards();
    const ids = new Set(known.map((s) => s.ShardId));
    for (const shard of known) {
      const id = shard.ShardId!;
      if (checkpoint.shards[id]?.closed || running.has(id)) continue;
      const parent = shard.ParentShardId;
      if (parent && ids.has(parent) && !checkpoint.shards[parent]?.closed) continue;
      const loop = pollShard(id)
        .catch((error: unknown) => console.error(`outbox: shard ${id} stopped:`, error))
        .finally(() => running.delete(id));
      running.set(id, loop);
    }
  }

  const discovering = (async () => {
    while (!stopped) {
      await discover().catch((error: unknown) => console.error('outbox: DescribeStream failed:', error));
      await sleep(DESCRIBE_EVERY_MS);
    }
  })();

  return {
    deadLetters: (): readonly OutboxDeadLetter[] => deadLetters,
    async stop(): Promise<void> {
      stopped = true;
      // A batch in a retry delay or a handler still running is simply left: the position is saved after each page.
      await Promise.race([Promise.allSettled([discovering, ...running.values()]), sleep(1_000)]);
      client.destroy();
    },
  };
}

function readCheckpoint(file: string, streamArn: string): Checkpoint {
  try {
    const found = JSON.parse(fs.readFileSync(file, 'utf8')) as Checkpoint;
    if (found.streamArn === streamArn && typeof found.shards === 'object') return found;
  } catch {
    // none yet, or unreadable: the stream from its beginning (outbox items already done answer `already-done`).
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return { streamArn, shards: {} };
}
