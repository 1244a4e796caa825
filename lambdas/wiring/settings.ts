/** The settings a Lambda reads from its environment (names: lambdas/contract/env.ts), checked: a bad value stops the function at its start. */
import { ENV, env, envOr } from '../contract/env';
import type { PortalAccessConfig } from '../domain/portal-access/ports';

/**
 * How many wizard lines talk to Cognito and SES at once. A grant is ~4 Cognito/SES calls in a row
 * (~50–150 ms each), so 8 lines in flight make at most ~15–25 AdminCreateUser and SendEmail calls
 * a second: under Cognito's default AdminCreateUser quota (50 RPS, shared by the account) and close
 * to SES's usual production send rate (14+/s) — a throttle is retried, not failed — while 500 lines
 * of mostly unchanged contacts still finish well inside the handler's timeout.
 */
const DEFAULT_APPLY_CONCURRENCY = '8';
const DEFAULT_INVITATION_TTL_DAYS = '7';

type NumericSetting = 'applyConcurrency' | 'invitationTtlDays' | 'invitationTtlSeconds' | 'attachmentUploadUrlSeconds' | 'attachmentDownloadUrlSeconds';

function positive(key: NumericSetting, fallback: string): number {
  const number = Number(envOr(key, fallback));
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${ENV[key]} must be a positive number`);
  return number;
}

/** `APPLY_CONCURRENCY` (optional). */
export const applyConcurrency = (): number => Math.floor(positive('applyConcurrency', DEFAULT_APPLY_CONCURRENCY));

/** `PORTAL_URL`, `INVITATION_TTL_DAYS` or `INVITATION_TTL_SECONDS` (optional) and `APPLY_CONCURRENCY`: what granting needs beyond revoking. */
export const accessConfig = (): PortalAccessConfig => ({
  portalUrl: env('portalUrl'),
  // INVITATION_TTL_SECONDS (the local stack) wins over INVITATION_TTL_DAYS.
  invitationTtlDays: envOr('invitationTtlSeconds', '') === '' ? positive('invitationTtlDays', DEFAULT_INVITATION_TTL_DAYS) : positive('invitationTtlSeconds', '') / 86_400,
  applyConcurrency: applyConcurrency(),
});

/** `ATTACHMENT_UPLOAD_URL_SECONDS`, `ATTACHMENT_DOWNLOAD_URL_SECONDS` (optional): unset, the production lifetime; the domain never goes beyond it. */
export const urlSeconds = (key: 'attachmentUploadUrlSeconds' | 'attachmentDownloadUrlSeconds'): number | undefined =>
  envOr(key, '') === '' ? undefined : positive(key, '');
