/**
 * The contacts function: the contact store, the archive's revocation of portal access (no mail, no
 * invitation settings: see revocation.ts), and the move of a live login to a contact's new email
 * (the customer pool's user, its guard). Env: TABLE_NAME, CUSTOMER_USER_POOL_ID, EVENT_BUS_NAME.
 */
import type { ContactsDeps } from '../domain/contacts';
import { moveLoginEmail } from '../domain/portal-access/login-email';
import { archiveRevoker } from '../domain/portal-access/revoke';
import { perContainer } from './container';
import { revocationDeps } from './revocation';

export const contactsDeps = perContainer((): ContactsDeps => {
  const revocation = revocationDeps();
  return {
    store: revocation.contacts,
    revoker: archiveRevoker(revocation),
    loginEmails: { moveLoginEmail: (current, next, actor, write) => moveLoginEmail(revocation, current, next, actor, write) },
  };
});

/** For tests: replace the dependencies. */
export const useContactsDeps = contactsDeps.use;
