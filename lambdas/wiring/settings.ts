/** The portal-access settings a Lambda reads from its environment (names: lambdas/contract/env.ts), checked. */
import { ENV, env, envOr } from '../contract/env';
import { DEFAULT_MAIL_RATE_PER_SECOND } from '../contract/outbox';
import type { PortalAccessConfig } from '../domain/portal-access/ports';

/**
 * How many wizard lines are written at once: each is one transaction (the Cognito and SES work
 * follows from the outbox), so this bounds the table's write concurrency of one apply.
 */
const DEFAULT_APPLY_CONCURRENCY = '8';
const DEFAULT_INVITATION_TTL_DAYS = '7';

function positive(key: 'applyConcurrency' | 'invitationTtlDays' | 'mailRatePerSecond', fallback: string): number {
  const number = Number(envOr(key, fallback));
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${ENV[key]} must be a positive number`);
  return number;
}

/** `APPLY_CONCURRENCY` (optional). */
export const applyConcurrency = (): number => Math.floor(positive('applyConcurrency', DEFAULT_APPLY_CONCURRENCY));

/** `PORTAL_URL`, `INVITATION_TTL_DAYS` (optional): what the outbox worker needs to send an invitation. */
export const invitationConfig = (): Pick<PortalAccessConfig, 'portalUrl' | 'invitationTtlDays'> => ({
  portalUrl: env('portalUrl'),
  invitationTtlDays: positive('invitationTtlDays', DEFAULT_INVITATION_TTL_DAYS),
});

/** `MAIL_RATE_PER_SECOND` (optional): the outbox worker's sending rate across all its instances. */
export const mailRatePerSecond = (): number => {
  const rate = positive('mailRatePerSecond', String(DEFAULT_MAIL_RATE_PER_SECOND));
  if (!Number.isInteger(rate)) throw new Error(`${ENV.mailRatePerSecond} must be a whole number`);
  return rate;
};
