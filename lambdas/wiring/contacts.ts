/**
 * The contacts function: the contact store, the archive's revocation of portal access (the records
 * and their outbox items: see revocation.ts), and the move of a live login to a contact's new email
 * (the customer pool's user, in the request: its new email, its sessions). Env: TABLE_NAME,
 * CUSTOMER_USER_POOL_ID.
 */
import { env } from '../contract/env';
import type { ContactsDeps } from '../domain/contacts';
import { moveLoginEmail } from '../domain/portal-access/login-email';
import { archiveRevoker } from '../domain/portal-access/revoke';
import { CognitoCustomerLogins } from '../adapters/cognito/customer-logins';
import { cognitoClient } from './clients';
import { perContainer } from './container';
import { revocationDeps } from './revocation';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const contactsDeps = perContainer((): ContactsDeps => {
  const revocation = revocationDeps();
  const logins = new CognitoCustomerLogins(cognitoClient(), env('customerUserPoolId'));
  return {
    store: revocation.contacts,
    revoker: archiveRevoker(revocation),
    loginEmails: { moveLoginEmail: (current, next, actor, write) => moveLoginEmail({ ...revocation, logins, sleep: pause }, current, next, actor, write) },
  };
});

/** For tests: replace the dependencies. */
export const useContactsDeps = contactsDeps.use;
