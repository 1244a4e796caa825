/**
 * The scheduled job's invitation tasks (beside the expiry tasks): a pending invitation's one
 * reminder, and its expiry. Each finds its due entries with a Query of the `due` index (one
 * partition per task and hour) and handles an entry only under that entry's claim, so two runs at
 * once — the job may overlap itself — handle it once; a claim a dead run left is taken over once
 * stale (DUE_CLAIM_STALE_MS). The entry goes when handled; one that failed stays for the next run.
 */
import { DUE_CLAIM_STALE_MS, DUE_TASKS, type InvitationTask } from '../contract/schedule';
import { expireInvitation, type InvitationExpiryDeps } from './portal-access/invitation-expiry';
import type { DueClaims } from './portal-access/ports';
import { PENDING, type DueItem, type ScheduledTask } from './schedule';

/** Where the due invitations of an hour are found (the `due` index). */
export interface InvitationDueStore {
  dueInvitations(task: InvitationTask, hour: string, now: string): Promise<DueItem<{ contactId: string }>[]>;
}

/**
 * What becomes of an invitation whose reminder came due: one small port, so that how the mails go
 * out (sent from this run, or queued for the outbox worker) is the wiring's choice. Idempotent;
 * resolves once the reminder is taken care of (or there is none to give: accepted meanwhile, …).
 */
export interface ReminderDispatch {
  remind(contactId: string, at: string): Promise<unknown>;
}

export interface InvitationTaskDeps {
  due: InvitationDueStore;
  claims: DueClaims;
  reminders: ReminderDispatch;
  expiry: InvitationExpiryDeps;
  now: () => Date;
}

/** Runs `work` under the due entry's claim, then removes the entry; `PENDING` when another run holds it. */
async function underClaim(deps: Pick<InvitationTaskDeps, 'claims' | 'now'>, task: InvitationTask, item: DueItem<{ contactId: string }>, work: () => Promise<unknown>) {
  const now = deps.now();
  const claimedAt = now.toISOString();
  const staleBefore = new Date(now.getTime() - DUE_CLAIM_STALE_MS).toISOString();
  if (!(await deps.claims.claim(task, item.ref.contactId, item.at, claimedAt, staleBefore))) return PENDING;
  // A failure leaves the entry claimed: the next run after the claim went stale tries again.
  const outcome = await work();
  await deps.claims.finish(task, item.ref.contactId, item.at, claimedAt);
  return outcome;
}

export function invitationTasks(deps: InvitationTaskDeps): ScheduledTask[] {
  const reminder: ScheduledTask<{ contactId: string }> = {
    name: DUE_TASKS.invitationReminder,
    due: (hour, now) => deps.due.dueInvitations(DUE_TASKS.invitationReminder, hour, now),
    handle: (item) => underClaim(deps, DUE_TASKS.invitationReminder, item, () => deps.reminders.remind(item.ref.contactId, item.at)),
  };
  const expiry: ScheduledTask<{ contactId: string }> = {
    name: DUE_TASKS.invitationExpiry,
    due: (hour, now) => deps.due.dueInvitations(DUE_TASKS.invitationExpiry, hour, now),
    handle: (item) => underClaim(deps, DUE_TASKS.invitationExpiry, item, () => expireInvitation(deps.expiry, item.ref.contactId, item.at)),
  };
  return [reminder, expiry] as ScheduledTask[];
}
