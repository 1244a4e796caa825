/** The settings a Lambda reads from its environment (names: lambdas/contract/env.ts), checked: a bad value stops the function at its start. */
import { ENV, env, envOr, type EnvKey } from '../contract/env';
import { DEFAULT_INVITATION_TTL_DAYS, DEFAULT_REMINDER_AFTER_HOURS } from '../contract/schedule';
import type { PortalAccessConfig } from '../domain/portal-access/ports';

/**
 * How many wizard lines talk to Cognito and SES at once. A grant is ~4 Cognito/SES calls in a row
 * (~50–150 ms each), so 8 lines in flight make at most ~15–25 AdminCreateUser and SendEmail calls
 * a second: under Cognito's default AdminCreateUser quota (50 RPS, shared by the account) and close
 * to SES's usual production send rate (14+/s) — a throttle is retried, not failed — while 500 lines
 * of mostly unchanged contacts still finish well inside the handler's timeout.
 */
const DEFAULT_APPLY_CONCURRENCY = '8';
const DAY_SECONDS = 24 * 60 * 60;

function positive(key: EnvKey, fallback: string): number {
  const number = Number(envOr(key, fallback));
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${ENV[key]} must be a positive number`);
  return number;
}

/** `APPLY_CONCURRENCY` (optional). */
export const applyConcurrency = (): number => Math.floor(positive('applyConcurrency', DEFAULT_APPLY_CONCURRENCY));

/** `INVITATION_TTL_SECONDS`, else `INVITATION_TTL_DAYS`, else 7 days. */
const invitationTtlSeconds = (): number =>
  envOr('invitationTtlSeconds', '') !== ''
    ? positive('invitationTtlSeconds', '')
    : positive('invitationTtlDays', String(DEFAULT_INVITATION_TTL_DAYS)) * DAY_SECONDS;

/** `BUSINESS_NAME`: required of the stack (a mail names who invites), one line. */
function businessName(): string {
  const name = env('businessName').trim();
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new Error(`${ENV.businessName} must be one line of text`);
  return name;
}

/**
 * `PORTAL_URL`, `BUSINESS_NAME`, `INVITATION_TTL_SECONDS` (or `INVITATION_TTL_DAYS`),
 * `REMINDER_AFTER_SECONDS` and `APPLY_CONCURRENCY` (each optional but the first two): what issuing
 * invitations needs beyond revoking.
 */
export const accessConfig = (): PortalAccessConfig => ({
  portalUrl: env('portalUrl'),
  invitationTtlSeconds: invitationTtlSeconds(),
  reminderAfterSeconds: positive('reminderAfterSeconds', String(DEFAULT_REMINDER_AFTER_HOURS * 60 * 60)),
  businessName: businessName(),
  applyConcurrency: applyConcurrency(),
});

/** `ATTACHMENT_UPLOAD_URL_SECONDS`, `ATTACHMENT_DOWNLOAD_URL_SECONDS` (optional): unset, the production lifetime; the domain never goes beyond it. */
export const urlSeconds = (key: 'attachmentUploadUrlSeconds' | 'attachmentDownloadUrlSeconds'): number | undefined =>
  envOr(key, '') === '' ? undefined : positive(key, '');
