/**
 * The production wiring of portal access: its ports bound to DynamoDB, Cognito, SES and
 * EventBridge, built once per container on first use (the adapters read the environment then).
 * The portal-access and invitations handlers use it, and so can the contacts archive and the
 * events handler, through `portalAccessRevoker()` and `revokeAccess`/`revokeCompany`.
 */
import { env, envOr } from '../config';
import type { PortalAccessRevoker } from '../domain/contacts';
import { revokeForArchive, type PortalAccessDeps } from '../domain/portal-access';
import { log } from '../http-kit/log';
import { CognitoCustomerLogins } from './cognito/customer-logins';
import { DynamoAccessStore } from './dynamodb/access-store';
import { DynamoContactStore } from './dynamodb/contacts-store';
import { EventBridgeAccessEvents } from './eventbridge/access-events';
import { SesInvitationMailer } from './ses/invitation-mailer';

/**
 * How many wizard lines talk to Cognito and SES at once. A grant is ~4 Cognito/SES calls in a row
 * (~50–150 ms each), so 8 lines in flight make at most ~15–25 AdminCreateUser and SendEmail calls
 * a second: under Cognito's default AdminCreateUser quota (50 RPS, shared by the account) and close
 * to SES's usual production send rate (14+/s) — a throttle is retried, not failed — while 500 lines
 * of mostly unchanged contacts still finish well inside the handler's timeout.
 */
const DEFAULT_APPLY_CONCURRENCY = '8';
const DEFAULT_INVITATION_TTL_DAYS = '7';

function positive(value: string, name: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${name} must be a positive number`);
  return number;
}

let deps: PortalAccessDeps | undefined;

export function portalAccessDeps(): PortalAccessDeps {
  deps ??= {
    contacts: new DynamoContactStore(),
    store: new DynamoAccessStore(),
    logins: new CognitoCustomerLogins(),
    mailer: new SesInvitationMailer(),
    events: new EventBridgeAccessEvents(),
    now: () => new Date(),
    config: {
      portalUrl: env('portalUrl'),
      invitationTtlDays: positive(envOr('invitationTtlDays', DEFAULT_INVITATION_TTL_DAYS), 'INVITATION_TTL_DAYS'),
      applyConcurrency: Math.floor(positive(envOr('applyConcurrency', DEFAULT_APPLY_CONCURRENCY), 'APPLY_CONCURRENCY')),
    },
    warn: log.warn,
  };
  return deps;
}

/** For tests: replace the dependencies. */
export function usePortalAccessDeps(next: PortalAccessDeps | undefined): void {
  deps = next;
}

/** The contacts module's archive hook: an archived contact's access is revoked, a company's persons' too (idempotent). */
export function portalAccessRevoker(): PortalAccessRevoker {
  return { revokeForArchive: (contactId, actor) => revokeForArchive(portalAccessDeps(), contactId, actor) };
}
