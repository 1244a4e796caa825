/**
 * The scheduled job: its tasks (each a partition family of the `due` index, keys.ts `due`) and how
 * often it runs — in AWS by an EventBridge rate rule (lib/constructs/scheduled-job.ts), locally by the
 * local stack's schedule runner (local/schedule-runner.ts), both invoking lambdas/schedule/handler.ts.
 */
export const DUE_TASKS = {
  /** Accesses whose `until` has come: marked `expired`, audited, `PortalAccessExpired`. */
  accessExpiry: 'access-expiry',
  /**
   * Explicit grants whose `until` has come: removed, audited on the grantee — DEFAULT_EXPIRED_GRANT_KEPT_HOURS
   * after it, so that staff see the ended grant (`expired: true`, explain's `grant_expired`) meanwhile.
   */
  grantExpiry: 'grant-expiry',
  /** Pending invitations REMINDER_AFTER after they were sent: one reminder (a fresh link) and a notice to the inviter. */
  invitationReminder: 'invitation-reminder',
  /** Pending invitations whose link expired: recorded `expired`, audited, `PortalInvitationExpired`. */
  invitationExpiry: 'invitation-expiry',
} as const;

/** The tasks whose due entries are invitation items (keys.ts `invitationDue`). */
export type InvitationTask = (typeof DUE_TASKS)['invitationReminder' | 'invitationExpiry'];

/** A run that claimed an invitation's due entry and did not finish it within this long died: another run takes it over. */
export const DUE_CLAIM_STALE_MS = 60_000;

/** A due entry left behind (its contact deleted, say) goes by TTL this long after it came due. */
export const DUE_ENTRY_TTL_SECONDS = 30 * 24 * 60 * 60;

/** The defaults of the invitation's validity and of its reminder (context keys `invitationTtlDays`, `reminderAfterHours`). */
export const DEFAULT_INVITATION_TTL_DAYS = 7;
export const DEFAULT_REMINDER_AFTER_HOURS = 72;

/**
 * How long an explicit grant whose `until` has passed stays on its document (`GET …/grants` lists it
 * `expired: true`; explain names `grant_expired`) before the job removes it: the portal stopped
 * honouring it at `until` itself; this is the time staff (and a client checking right after `until`)
 * see it ended. Short, because until the job removes it the grantee's portal reads skip it (at
 * most the grants ended within this long: docs/data-model.md). `EXPIRED_GRANT_KEPT_SECONDS` overrides it.
 */
export const DEFAULT_EXPIRED_GRANT_KEPT_HOURS = 1;
export type DueTask = (typeof DUE_TASKS)[keyof typeof DUE_TASKS];

/** In AWS: one run a minute ("within minutes" of an `until`). */
export const SCHEDULE_RATE_MINUTES = 1;

/** Locally: a run every this many seconds at most (API.md: at least every 5 s), so lifecycles can be tested in real time. */
export const LOCAL_SCHEDULE_SECONDS = 2;

/** A run stops starting work this long into its invocation (its Lambda's timeout is LAMBDA_TIMEOUT_SECONDS). */
export const SCHEDULE_RUN_BUDGET_MS = 20_000;
