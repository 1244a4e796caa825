/**
 * The environment's names: the CDK stack sets them on each function (only those its wiring reads),
 * the local stack in its own process, and the runtime reads them in its wiring (lambdas/wiring/) only.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  customerUserPoolId: 'CUSTOMER_USER_POOL_ID',
  staffUserPoolId: 'STAFF_USER_POOL_ID',
  senderEmail: 'SENDER_EMAIL',
  replyToEmail: 'REPLY_TO_EMAIL',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  portalUrl: 'PORTAL_URL',
  eventBusName: 'EVENT_BUS_NAME',
  /** How long an invitation's link works, in seconds (the stack sets it; locally it wins over INVITATION_TTL_DAYS). */
  invitationTtlSeconds: 'INVITATION_TTL_SECONDS',
  /** The same in days: the local stack's older setting, read when INVITATION_TTL_SECONDS is not set. */
  invitationTtlDays: 'INVITATION_TTL_DAYS',
  /** When a pending invitation gets its one reminder, in seconds after it was sent. */
  reminderAfterSeconds: 'REMINDER_AFTER_SECONDS',
  /** How long an ended explicit grant stays listed (`expired: true`) before the job removes it, in seconds (default 1 h; 0: at once). */
  expiredGrantKeptSeconds: 'EXPIRED_GRANT_KEPT_SECONDS',
  /** The business's name: in every invitation mail and as the sender's display name. */
  businessName: 'BUSINESS_NAME',
  /** The stage (`dev`, `prod`; `local` on a laptop): the dimension of the business metrics. */
  stage: 'PORTAL_STAGE',
  /** The code's log level (DEBUG, INFO, WARN, ERROR; locally also `silent`): platform/log.ts filters its lines by it. */
  logLevel: 'LOG_LEVEL',
  /** Concurrency of the wizard's apply: how many lines talk to Cognito and SES at once. */
  applyConcurrency: 'APPLY_CONCURRENCY',
  /** The outbox worker's sending rate, across all its instances (mails a second; default 10). */
  mailRatePerSecond: 'MAIL_RATE_PER_SECOND',
  /** How long a container uses the staff pool's answer about a staff user (seconds, ≤ 60; default 30). */
  staffRecheckSeconds: 'STAFF_RECHECK_SECONDS',
  /** The attachments bucket (documents: upload, check, delete; portal: presigned downloads). */
  attachmentsBucket: 'ATTACHMENTS_BUCKET',
  /** Lifetimes of the presigned URLs in seconds: unset in AWS (15 min, 60 s); the local stack may shorten them for tests. */
  attachmentUploadUrlSeconds: 'ATTACHMENT_UPLOAD_URL_SECONDS',
  attachmentDownloadUrlSeconds: 'ATTACHMENT_DOWNLOAD_URL_SECONDS',
} as const;

export type EnvKey = keyof typeof ENV;

export function env(key: EnvKey): string {
  const value = process.env[ENV[key]];
  if (value === undefined || value === '') throw new Error(`Missing environment variable ${ENV[key]}`);
  return value;
}

export function envOr(key: EnvKey, fallback: string): string {
  const value = process.env[ENV[key]];
  return value === undefined || value === '' ? fallback : value;
}
