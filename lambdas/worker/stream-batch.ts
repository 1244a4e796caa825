/**
 * One batch of the table's stream, as Lambda's DynamoDB event source hands it to the outbox worker
 * (and the local poller, in the same shape): the outbox items it names, run side by side per
 * contact but one after the other for each contact (in the stream's order), each retried in-process
 * while it fails for a transient reason (a throttle, a dependency down) and the invocation has time.
 * What is still failing then is reported by its sequence number (`ReportBatchItemFailures`): the
 * stream brings it back — and every later record of the batch — and the items already done answer
 * `already-done`.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { ENTITY } from '../contract/keys';
import { processOutboxItem, type OutboxDeps } from '../domain/outbox';
import { log } from '../platform/log';
import { isTransient } from '../platform/transient';

export interface StreamEntry {
  id: string;
  contactId: string;
  sequenceNumber: string;
}

/** The outbox item a record announces (a new item's image), or `undefined` for anything else. */
export function entryOf(record: DynamoDBRecord): StreamEntry | undefined {
  const image = record.dynamodb?.NewImage;
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (record.eventName !== 'INSERT' || image?.entity?.S !== ENTITY.outbox || !sequenceNumber) return undefined;
  const id = image.id?.S;
  const contactId = image.contactId?.S;
  return id && contactId ? { id, contactId, sequenceNumber } : undefined;
}

/**
 * How long the oldest record of a batch waited in the stream, in seconds (its item was written
 * then): the outbox's lag, which the worker reports as a metric. `undefined` without a creation time.
 */
export function oldestAgeSeconds(records: readonly DynamoDBRecord[], nowMs: number): number | undefined {
  const created = records.map((r) => r.dynamodb?.ApproximateCreationDateTime).filter((t): t is number => typeof t === 'number');
  return created.length === 0 ? undefined : Math.max(0, nowMs / 1000 - Math.min(...created));
}

/** Time kept back at the end of an invocation: the last writes and the answer. */
const RESERVE_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runStreamBatch(deps: OutboxDeps, records: readonly DynamoDBRecord[], remainingMs: () => number): Promise<DynamoDBBatchResponse> {
  const signal = AbortSignal.timeout(Math.max(0, remainingMs() - RESERVE_MS));
  const byContact = new Map<string, StreamEntry[]>();
  for (const record of records) {
    const entry = entryOf(record);
    if (!entry) {
      log.warn('outbox worker: a record that is no new outbox item, skipped', { eventName: record.eventName, sequenceNumber: record.dynamodb?.SequenceNumber });
      continue;
    }
    byContact.set(entry.contactId, [...(byContact.get(entry.contactId) ?? []), entry]);
  }
  const failed: string[] = [];
  await Promise.all(
    [...byContact.values()].map(async (entries) => {
      for (const [index, entry] of entries.entries()) {
        if (!(await runOne(deps, entry, signal))) {
          // This contact's later items wait for it: the stream retries from the first failure on.
          failed.push(...entries.slice(index).map((e) => e.sequenceNumber));
          return;
        }
      }
    }),
  );
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * One item, retried while the failure is transient and time is left (another delivery holding the
 * item is one: it finishes, or its lease runs out); `false` when it is left for the stream. One
 * lease holder for all its attempts, so that a retry takes over its own lease.
 */
async function runOne(deps: OutboxDeps, entry: StreamEntry, signal: AbortSignal): Promise<boolean> {
  const holder = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await processOutboxItem(deps, entry.id, signal, holder);
      log.info('outbox item', { outboxId: entry.id, contactId: entry.contactId, outcome, attempt });
      return true;
    } catch (error) {
      const again = isTransient(error) && !signal.aborted;
      log[again ? 'warn' : 'error'](again ? 'outbox item failed, trying again' : 'outbox item failed, left to the stream', { outboxId: entry.id, contactId: entry.contactId, attempt, error });
      if (!again) return false;
      await sleep(Math.min(5_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}
