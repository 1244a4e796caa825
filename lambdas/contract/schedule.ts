/**
 * The scheduled job: its tasks (each a partition family of the `due` index, keys.ts `due`) and how
 * often it runs — in AWS by an EventBridge rate rule (lib/constructs/scheduled-job.ts), locally by the
 * local stack's schedule runner (local/schedule-runner.ts), both invoking lambdas/schedule/handler.ts.
 */
export const DUE_TASKS = {
  /** Accesses whose `until` has come: marked `expired`, audited, `PortalAccessExpired`. */
  accessExpiry: 'access-expiry',
  /** Explicit grants whose `until` has come: removed, audited on the grantee. */
  grantExpiry: 'grant-expiry',
} as const;
export type DueTask = (typeof DUE_TASKS)[keyof typeof DUE_TASKS];

/** In AWS: one run a minute ("within minutes" of an `until`). */
export const SCHEDULE_RATE_MINUTES = 1;

/** Locally: a run every this many seconds at most (API.md: at least every 5 s), so lifecycles can be tested in real time. */
export const LOCAL_SCHEDULE_SECONDS = 2;

/** A run stops starting work this long into its invocation (its Lambda's timeout is LAMBDA_TIMEOUT_SECONDS). */
export const SCHEDULE_RUN_BUDGET_MS = 20_000;
