/**
 * The outbox, whatever the kind of work: an item is written in the same transaction as the change
 * it follows (a grant, a re-invitation, a revocation), and the worker — fed by the table's stream,
 * at least once, possibly twice, possibly late — does the work. So every kind's handler is a series
 * of steps, each idempotent and each recorded when done (a marker on the item, or the record itself),
 * and a repeat goes on after the last recorded step. The item the worker reads is always the
 * table's (strongly consistent), never the stream's copy, which does not carry the markers.
 *
 * Adding a kind (a reminder, a notice to the inviter): its name in `contract/outbox.ts`, its item
 * shape below, and its handler in the `OutboxHandlers` the worker's wiring builds.
 */
import type { OutboxKind } from '../contract/outbox';

interface OutboxItemBase {
  id: string;
  kind: OutboxKind;
  contactId: string;
  /** Who made the change this item follows (for the events and the audit trail). */
  actor: string;
  /** When the change was made. */
  at: string;
  /** Step markers: when each recorded step was done. */
  steps?: Partial<Record<string, string>>;
  /** When the item was finished (then it is TTL'd), and how. */
  doneAt?: string;
  outcome?: OutboxOutcome;
}

/** A grant, a re-grant or a re-invitation: the login, a fresh invitation, its email, the events. */
export interface InvitationItem extends OutboxItemBase {
  kind: 'invitation';
  reason: 'granted' | 'regranted' | 'reinvited';
  /** The staff's message for the email (plain text). */
  message?: string;
}

/** A revocation: the login disabled and signed out (as the record says by then), the event. */
export interface RevocationItem extends OutboxItemBase {
  kind: 'revocation';
  /** The login email the access had (the event names it). */
  email?: string;
}

export type OutboxItem = InvitationItem | RevocationItem;

/**
 * How an item ended: its work `done`; `superseded` (the record moved on: a newer item follows it);
 * `failed` (refused for good, recorded on the contact for staff to see); `withdrawn` (a grant taken
 * back because its login belongs to another contact).
 */
export type OutboxOutcome = 'done' | 'superseded' | 'failed' | 'withdrawn';

export interface OutboxStore {
  /** The item as the table has it now (strongly consistent), markers included. */
  get(id: string): Promise<OutboxItem | undefined>;
  markStep(id: string, step: string, at: string): Promise<void>;
  /** `doneAt` and the outcome; the item is removed by TTL later. */
  finish(id: string, outcome: OutboxOutcome, at: string): Promise<void>;
}

/**
 * A point between two steps, for the local stack's fault injection (a worker that dies there): the
 * local poller installs it when the stack is started for the fault tests; in AWS it is never set.
 */
export type StepHook = (step: string, item: OutboxItem) => Promise<void>;

/** What one invocation gives every item it runs: its end, and the hook. */
export interface OutboxRun {
  /** Aborted when the invocation's time is nearly up: work not done by then is reported failed and comes back. */
  signal: AbortSignal;
  afterStep?: StepHook;
}

export type OutboxHandlers = {
  [K in OutboxKind]: (item: Extract<OutboxItem, { kind: K }>, run: OutboxRun) => Promise<OutboxOutcome>;
};

export interface OutboxDeps {
  outbox: OutboxStore;
  handlers: OutboxHandlers;
  now: () => Date;
  /** Only the local stack's fault injection sets it (see StepHook). */
  afterStep?: StepHook;
}

/**
 * Does one outbox item: nothing when it is finished already (a record delivered twice), else its
 * kind's handler, then the item is finished. Throws what the handler threw (the worker retries
 * transient failures and reports the rest to the stream).
 */
export async function processOutboxItem(deps: OutboxDeps, id: string, signal: AbortSignal): Promise<OutboxOutcome | 'already-done' | 'missing'> {
  const run: OutboxRun = { signal, ...(deps.afterStep ? { afterStep: deps.afterStep } : {}) };
  const item = await deps.outbox.get(id);
  if (!item) return 'missing';
  if (item.doneAt) return 'already-done';
  const handler = deps.handlers[item.kind] as (item: OutboxItem, run: OutboxRun) => Promise<OutboxOutcome>;
  const outcome = await handler(item, run);
  await deps.outbox.finish(id, outcome, deps.now().toISOString());
  return outcome;
}

/** Runs `step` unless the item records it done, then records it. */
export async function once(deps: Pick<OutboxDeps, 'outbox' | 'now'>, item: OutboxItem, step: string, work: () => Promise<void>, run: OutboxRun): Promise<void> {
  if (item.steps?.[step]) return;
  await work();
  const at = deps.now().toISOString();
  await deps.outbox.markStep(item.id, step, at);
  item.steps = { ...item.steps, [step]: at };
  await run.afterStep?.(step, item);
}
