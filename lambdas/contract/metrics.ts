/**
 * The business metrics, by name: the code emits them (CloudWatch Embedded Metric Format, see
 * platform/metrics.ts and wiring/metrics.ts), the stack's alarms and dashboard read them. One
 * dimension, the stage, so that two stages in one account stay apart.
 */
export const METRICS_NAMESPACE = 'PortalAccess';
export const METRICS_DIMENSION = 'Stage';

export const METRIC = {
  /** Portal access granted or re-granted (a `PortalAccessGranted`). */
  grants: 'Grants',
  /** Portal access revoked, by staff, an archive or an event (a `PortalAccessRevoked`). */
  revocations: 'Revocations',
  /** Invitation emails handed to SES (a `PortalInvitationSent`). */
  invitationsSent: 'InvitationsSent',
  /** Invitation emails SES refused or could not take (each attempt). */
  invitationsFailed: 'InvitationsFailed',
  /** Hard bounces of invitation emails (SES feedback). */
  invitationsBounced: 'InvitationsBounced',
  /** Complaints about invitation emails (SES feedback). */
  invitationsComplained: 'InvitationsComplained',
  /** Invitations accepted (a password set, the access active). */
  invitationsAccepted: 'InvitationsAccepted',
  /** Views of shared documents through share links. */
  shareLinkViews: 'ShareLinkViews',
  /** Age of the oldest outbox item when the worker takes it, in seconds. */
  outboxLagSeconds: 'OutboxLagSeconds',
  /** Items of the scheduled job (expiries, reminders) that failed in a run and stay due for the next. */
  scheduledItemsFailed: 'ScheduledItemsFailed',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** CloudWatch units the code uses. */
export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds';
