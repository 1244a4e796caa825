/** The settings a Lambda reads from its environment (names: lambdas/contract/env.ts), checked: a bad value stops the function at its start. */
import { ENV, env, envOr, type EnvKey } from '../contract/env';
import { DEFAULT_MAIL_RATE_PER_SECOND } from '../contract/outbox';
import { DEFAULT_EXPIRED_GRANT_KEPT_HOURS, DEFAULT_INVITATION_TTL_DAYS, DEFAULT_REMINDER_AFTER_HOURS } from '../contract/schedule';
import type { DeliveryDeps, InvitationConfig } from '../domain/portal-access/ports';

/**
 * How many wizard lines are written at once: each is one transaction (the Cognito and SES work
 * follows from the outbox), so this bounds the table's write concurrency of one apply.
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

/**
 * `PORTAL_URL`, `INVITATION_TTL_SECONDS` (or `INVITATION_TTL_DAYS`), `REMINDER_AFTER_SECONDS` (both
 * optional): what issuing an invitation needs — the outbox worker's, and a link handed to staff.
 */
export const invitationConfig = (): InvitationConfig => ({
  portalUrl: env('portalUrl'),
  invitationTtlSeconds: invitationTtlSeconds(),
  reminderAfterSeconds: positive('reminderAfterSeconds', String(DEFAULT_REMINDER_AFTER_HOURS * 60 * 60)),
});

/** `EXPIRED_GRANT_KEPT_SECONDS` (optional; 0 allowed): how long an ended grant stays listed before the job removes it. */
export const expiredGrantKeptSeconds = (): number => {
  const seconds = Number(envOr('expiredGrantKeptSeconds', String(DEFAULT_EXPIRED_GRANT_KEPT_HOURS * 60 * 60)));
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`${ENV.expiredGrantKeptSeconds} must be a number of seconds, 0 or more`);
  return seconds;
};

/** `BUSINESS_NAME`: required where mails are written (a mail names who invites), one line. */
function businessName(): string {
  const name = env('businessName').trim();
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new Error(`${ENV.businessName} must be one line of text`);
  return name;
}

/** What the outbox worker writes its mails with: the invitation settings and `BUSINESS_NAME`. */
export const mailConfig = (): DeliveryDeps['config'] => ({ ...invitationConfig(), businessName: businessName() });

/** `MAIL_RATE_PER_SECOND` (optional): the outbox worker's sending rate across all its instances. */
export const mailRatePerSecond = (): number => {
  const rate = positive('mailRatePerSecond', String(DEFAULT_MAIL_RATE_PER_SECOND));
  if (!Number.isInteger(rate)) throw new Error(`${ENV.mailRatePerSecond} must be a whole number`);
  return rate;
};

/** `ATTACHMENT_UPLOAD_URL_SECONDS`, `ATTACHMENT_DOWNLOAD_URL_SECONDS` (optional): unset, the production lifetime; the domain never goes beyond it. */
export const urlSeconds = (key: 'attachmentUploadUrlSeconds' | 'attachmentDownloadUrlSeconds'): number | undefined =>
  envOr(key, '') === '' ? undefined : positive(key, '');
