/**
 * The environment's names: the CDK stack sets them on every function, the local stack in its own
 * process, and the runtime reads them here and nowhere else.
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
  invitationTtlDays: 'INVITATION_TTL_DAYS',
  /** Concurrency of the wizard's apply: how many lines talk to Cognito and SES at once. */
  applyConcurrency: 'APPLY_CONCURRENCY',
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

/** A positive whole number of seconds, or `undefined` when the variable is unset (or not such a number). */
export function envSeconds(key: EnvKey): number | undefined {
  const value = Number(process.env[ENV[key]]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Handlers give up this long before their Lambda's timeout, so a slow dependency is a clean 503. */
export const HANDLER_TIMEOUT_MS = 25_000;
export const LAMBDA_TIMEOUT_SECONDS = 29;
