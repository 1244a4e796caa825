/**
 * The outbox, whatever the kind of work: an item is written in the same transaction as the change
 * it follows (a grant, a re-invitation, a revocation), and the worker — fed by the table's stream,
 * at least once, possibly twice, possibly late — does the work. So every kind's handler is a series
 * of steps, each idempotent and each recorded when done (a marker on the item, or the record itself),
 * and a repeat goes on after the last recorded step. The item the worker reads is always the
 * table's (strongly consistent), never the stream's copy, which does not carry the markers.
 *
 * Two deliveries of one item can run at once (a stream retry while the first still runs, a
 * duplicate invocation): a worker first takes the item's lease, and only the holder records steps
 * and finishes the item. Every recorded step renews the lease; a holder that dies leaves it to run
 * out (LEASE_MS after its last renewal), and a redelivery then takes it over and goes on where the
 * dead one stopped. A delivery that finds the lease held fails transiently: the stream brings it
 * back, and by then the item is finished, or its holder dead.
 *
 * Adding a kind: its name in `contract/outbox.ts`, its item shape below, and its handler in the
 * `OutboxHandlers` the worker's wiring builds.
 */
import { randomUUID } from 'node:crypto';
import { Unavailable } from '../contract/errors';
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
  /**
   * A mail with a link was handed to the mail service (or was about to be): written, with the
   * link's hash, just before the call. A redelivery that finds it never mails another link; it
   * records this one (see delivery.ts for the window this leaves).
   */
  sending?: MailSending;
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

/**
 * A pending invitation's one reminder (queued by the scheduled job): a fresh link mailed to the
 * invitee, then a notice to the staff user who sent the invitation.
 */
export interface ReminderItem extends OutboxItemBase {
  kind: 'reminder';
  /** When the reminder came due (the invitation's `remindAt`): the item acts only on that invitation. */
  remindAt: string;
}

export interface MailSending {
  tokenHash: string;
  at: string;
}

export type OutboxItem = InvitationItem | RevocationItem | ReminderItem;

/**
 * How an item ended: its work `done`; `superseded` (the record moved on: a newer item follows it);
 * `failed` (refused for good, recorded on the contact for staff to see); `withdrawn` (a grant taken
 * back because its login belongs to another contact).
 */
export type OutboxOutcome = 'done' | 'superseded' | 'failed' | 'withdrawn';

/**
 * How long a holder keeps an item without renewing its lease (every recorded step renews it): longer
 * than any one call of a step (an SES call is cut off after 13 s), so a live holder keeps it.
 */
export const LEASE_MS = 30_000;

/** A worker's hold on an item: who (one id per delivery of an item) and until when (epoch ms). */
export interface Lease {
  holder: string;
  untilMs: number;
}

export interface OutboxStore {
  /** The item as the table has it now (strongly consistent), markers included. */
  get(id: string): Promise<OutboxItem | undefined>;
  /**
   * Takes the item's lease if it exists, is not finished, and no other holder's lease runs past
   * `nowMs`; answers the item as it is then (strongly consistent), else `undefined`.
   */
  claim(id: string, lease: Lease, nowMs: number): Promise<OutboxItem | undefined>;
  /** The step's marker, and the lease renewed; `false` when the lease is no longer this holder's. */
  markStep(id: string, step: string, at: string, lease: Lease): Promise<boolean>;
  /** `doneAt` and the outcome, the lease dropped; the item is removed by TTL later. `false` when the lease is no longer this holder's. */
  finish(id: string, outcome: OutboxOutcome, at: string, holder: string): Promise<boolean>;
  /** Gives the lease up (a live worker that failed), if still this holder's: a redelivery may go on at once. */
  release(id: string, holder: string): Promise<void>;
}

/** Another delivery of the item holds it (or took it over): this one stops, and the stream brings the record back. */
export class OutboxBusy extends Unavailable {
  constructor(id: string) {
    super(`The outbox item ${id} is held by another delivery; it comes back later.`);
  }
}

/**
 * A point between two steps, for the local stack's fault injection (a worker that dies there): the
 * local poller installs it when the stack is started for the fault tests; in AWS it is never set.
 */
export type StepHook = (step: string, item: OutboxItem) => Promise<void>;

/** What one invocation gives every item it runs: its end, its lease, and the hook. */
export interface OutboxRun {
  /** Aborted when the invocation's time is nearly up: work not done by then is reported failed and comes back. */
  signal: AbortSignal;
  /** This delivery's lease on the item: the holder, and the lease's end if renewed now. */
  holder: string;
  renewal: () => Lease;
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
 * Does one outbox item: nothing when it is finished already (a record delivered twice), else — once
 * it holds the item's lease — its kind's handler, then the item is finished. Throws what the handler
 * threw (the worker retries transient failures and reports the rest to the stream), `OutboxBusy`
 * while another delivery holds the item. `holder` names this delivery: the worker keeps it across
 * its in-process retries of the item, so a retry takes over its own lease.
 */
export async function processOutboxItem(deps: OutboxDeps, id: string, signal: AbortSignal, holder: string = randomUUID()): Promise<OutboxOutcome | 'already-done' | 'missing'> {
  const renewal = (): Lease => ({ holder, untilMs: deps.now().getTime() + LEASE_MS });
  const item = await deps.outbox.claim(id, renewal(), deps.now().getTime());
  if (!item) {
    const found = await deps.outbox.get(id);
    if (!found) return 'missing';
    if (found.doneAt) return 'already-done';
    throw new OutboxBusy(id);
  }
  const run: OutboxRun = { signal, holder, renewal, ...(deps.afterStep ? { afterStep: deps.afterStep } : {}) };
  const handler = deps.handlers[item.kind] as (item: OutboxItem, run: OutboxRun) => Promise<OutboxOutcome>;
  let outcome: OutboxOutcome;
  try {
    outcome = await handler(item, run);
  } catch (error) {
    // Alive and failing: the item is handed back at once (a dead worker's lease runs out instead).
    await deps.outbox.release(id, holder).catch(() => undefined);
    throw error;
  }
  if (!(await deps.outbox.finish(id, outcome, deps.now().toISOString(), holder))) throw new OutboxBusy(id);
  return outcome;
}

/** Runs `step` unless the item records it done, then records it (and renews the lease: only its holder may). */
export async function once(deps: Pick<OutboxDeps, 'outbox' | 'now'>, item: OutboxItem, step: string, work: () => Promise<void>, run: OutboxRun): Promise<void> {
  if (item.steps?.[step]) return;
  await work();
  const at = deps.now().toISOString();
  if (!(await deps.outbox.markStep(item.id, step, at, run.renewal()))) throw new OutboxBusy(item.id);
  item.steps = { ...item.steps, [step]: at };
  await run.afterStep?.(step, item);
}
