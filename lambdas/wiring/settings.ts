/** The settings a Lambda reads from its environment (names: lambdas/contract/env.ts), checked: a bad value stops the function at its start. */
import { ENV, env, envOr } from '../contract/env';
import { DEFAULT_MAIL_RATE_PER_SECOND } from '../contract/outbox';
import type { PortalAccessConfig } from '../domain/portal-access/ports';

/**
 * How many wizard lines are written at once: each is one transaction (the Cognito and SES work
 * follows from the outbox), so this bounds the table's write concurrency of one apply.
 */
const DEFAULT_APPLY_CONCURRENCY = '8';
const DEFAULT_INVITATION_TTL_DAYS = '7';

type NumericSetting = 'applyConcurrency' | 'invitationTtlDays' | 'invitationTtlSeconds' | 'attachmentUploadUrlSeconds' | 'attachmentDownloadUrlSeconds' | 'mailRatePerSecond';

function positive(key: NumericSetting, fallback: string): number {
  const number = Number(envOr(key, fallback));
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${ENV[key]} must be a positive number`);
  return number;
}

/** `APPLY_CONCURRENCY` (optional). */
export const applyConcurrency = (): number => Math.floor(positive('applyConcurrency', DEFAULT_APPLY_CONCURRENCY));

/** `PORTAL_URL`, `INVITATION_TTL_DAYS` or `INVITATION_TTL_SECONDS` (optional): what the outbox worker needs to send an invitation. */
export const invitationConfig = (): Pick<PortalAccessConfig, 'portalUrl' | 'invitationTtlDays'> => ({
  portalUrl: env('portalUrl'),
  // INVITATION_TTL_SECONDS (the local stack) wins over INVITATION_TTL_DAYS.
  invitationTtlDays: envOr('invitationTtlSeconds', '') === '' ? positive('invitationTtlDays', DEFAULT_INVITATION_TTL_DAYS) : positive('invitationTtlSeconds', '') / 86_400,
});

/** `MAIL_RATE_PER_SECOND` (optional): the outbox worker's sending rate across all its instances. */
export const mailRatePerSecond = (): number => {
  const rate = positive('mailRatePerSecond', String(DEFAULT_MAIL_RATE_PER_SECOND));
  if (!Number.isInteger(rate)) throw new Error(`${ENV.mailRatePerSecond} must be a whole number`);
  return rate;
};

/** `ATTACHMENT_UPLOAD_URL_SECONDS`, `ATTACHMENT_DOWNLOAD_URL_SECONDS` (optional): unset, the production lifetime; the domain never goes beyond it. */
export const urlSeconds = (key: 'attachmentUploadUrlSeconds' | 'attachmentDownloadUrlSeconds'): number | undefined =>
  envOr(key, '') === '' ? undefined : positive(key, '');
