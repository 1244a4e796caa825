/**
 * `Idempotency-Key` on the wizard's writes: a repeat with the same key and body answers the first
 * answer again and does nothing twice; the same key with another body is a 409.
 *
 * A record is keyed by (staff principal, operation, contact, key) and holds the SHA-256 of the
 * canonical body. The first request puts it `in-progress` (conditionally: one winner), runs, then
 * stores the answer. A request that died mid-way leaves an `in-progress` record that a repeat may
 * take over once it is older than any Lambda could still be running (ABANDONED_AFTER_MS) — the work
 * itself is ordered so that running it again completes it. Every attempt of one request runs under
 * the record's `runId` (a takeover keeps it): work that would not be the same when run again (a
 * re-invitation mails a fresh link) names what it writes by it, so that a later attempt finds the
 * earlier one's write and does not do it twice. An answer its caller calls not
 * replayable (a wizard line that failed for a transient reason) is not stored: the repeat runs again.
 * What an answer is (an HTTP response, a result list) is the caller's business: it is kept as given.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ABANDONED_AFTER_MS } from '../contract/runtime';
import { IdempotencyConflict, Invalid } from '../contract/errors';

/** The first answer, as its caller chose to keep it (plain JSON), replayed to every repeat. */
export type StoredResponse = unknown;

export interface IdempotencyRecord {
  bodyHash: string;
  state: 'in-progress' | 'done';
  startedAt: string;
  response?: StoredResponse;
  /** One id for every attempt of the request: set by its first attempt, kept by a takeover (absent on records from before it was kept). */
  runId?: string;
}

/** The record was put (or an abandoned one of the same body taken over): the attempt runs, as `runId`. */
export interface Begun {
  begun: true;
  runId: string;
}

export interface IdempotencyStore {
  /**
   * Puts an `in-progress` record unless one exists that is done, was started after
   * `abandonedBefore`, or has another body; a record taken over keeps its `runId`. Answers `Begun`
   * with the record's `runId`, else the record that stopped it.
   */
  begin(id: IdempotencyId, record: IdempotencyRecord & { runId: string }, abandonedBefore: string, expiresAt: Date): Promise<Begun | IdempotencyRecord>;
  complete(id: IdempotencyId, bodyHash: string, response: StoredResponse): Promise<void>;
  release(id: IdempotencyId, startedAt: string): Promise<void>;
}

export interface IdempotencyId {
  /** `<principal>#<operation>#<contactId>`: see idempotencyScope. */
  scope: string;
  key: string;
}

/** Keys are per caller, operation and the resource it acts on: one caller's key never answers another's request. */
export const idempotencyScope = (caller: string, operation: string, resourceId: string): string => `${caller}#${operation}#${resourceId}`;

const MAX_KEY_LENGTH = 128;
const RETENTION_MS = 24 * 60 * 60 * 1000;

/** The header's value, checked: at most 128 printable ASCII characters. */
export function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (header.length === 0 || header.length > MAX_KEY_LENGTH || !/^[\x20-\x7e]+$/.test(header))
    throw new Invalid(`Idempotency-Key must be 1–${MAX_KEY_LENGTH} printable ASCII characters.`, 'Idempotency-Key');
  return header;
}

/** JSON with object keys sorted, so two equal bodies hash alike whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const bodyHashOf = (body: unknown): string => createHash('sha256').update(canonical(body ?? null)).digest('hex');

export async function idempotent<T>(
  deps: { idempotency: IdempotencyStore; now: () => Date },
  request: { scope: string; key: string | undefined; body: unknown },
  /** The work; `runId` (with a key) is the same for every attempt of the request. */
  run: (runId?: string) => Promise<T>,
  /** Whether an answer may be replayed; a transient failure inside it should be retried instead. */
  replayable: (response: T) => boolean = () => true,
): Promise<T> {
  if (request.key === undefined) return run();
  const id = { scope: request.scope, key: request.key };
  const now = deps.now();
  const record = { bodyHash: bodyHashOf(request.body), state: 'in-progress' as const, startedAt: now.toISOString(), runId: randomUUID() };
  const begun = await deps.idempotency.begin(
    id,
    record,
    new Date(now.getTime() - ABANDONED_AFTER_MS).toISOString(),
    new Date(now.getTime() + RETENTION_MS),
  );
  if (!('begun' in begun)) {
    const existing = begun;
    if (existing.bodyHash !== record.bodyHash) throw new IdempotencyConflict('This Idempotency-Key was used with a different body.');
    if (existing.state === 'in-progress' || !existing.response)
      throw new IdempotencyConflict('A request with this Idempotency-Key is still in progress; repeat it later.');
    return existing.response as T;
  }
  let response: T;
  try {
    response = await run(begun.runId);
  } catch (error) {
    // Should the release fail too, the record is taken over once abandoned (ABANDONED_AFTER_MS).
    await deps.idempotency.release(id, record.startedAt).catch(() => undefined);
    throw error;
  }
  if (replayable(response)) await deps.idempotency.complete(id, record.bodyHash, response);
  else await deps.idempotency.release(id, record.startedAt);
  return response;
}
