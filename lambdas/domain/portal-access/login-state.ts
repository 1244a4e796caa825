/**
 * The login follows the record. A revoke and a re-grant at nearly the same time each write the
 * record and an outbox item, and their workers call Cognito after: the later write's call may land
 * first. So after every Cognito enable or disable of a contact's login the record is read again,
 * and whoever made the last call sees the record's last state and sets the login to match it. The
 * record's last change has the last outbox item, whose worker always makes such a call (the
 * contact names that item), so the last call to land is always checked.
 */
import { Unavailable } from '../../contract/errors';
import type { ContactRecord } from '../contact-record';
import { LoginGone, type DeliveryDeps } from './ports';
import { inPortal } from './wizard';

type LoginState = 'enabled' | 'disabled';
type LoginDeps = { contacts: Pick<DeliveryDeps['contacts'], 'get'>; logins: Pick<DeliveryDeps['logins'], 'enable' | 'disable'> };

/** What the record says the login must be: enabled while in the portal, disabled once revoked. */
function wantedLoginState(contact: ContactRecord | undefined, username: string): LoginState | undefined {
  if (!contact || contact.login?.username !== username) return undefined; // not (or no longer) this contact's login
  if (inPortal(contact.portal.status) && !contact.archived) return 'enabled';
  return contact.portal.status === 'revoked' ? 'disabled' : undefined;
}

const SETTLE_ROUNDS = 5;

/** After `applied` was done to the login: the record is read again and the login set to match it. Answers the state it was left in. */
export async function settleLogin(deps: LoginDeps, contactId: string, username: string, applied: LoginState): Promise<LoginState> {
  let state = applied;
  for (let round = 0; round < SETTLE_ROUNDS; round++) {
    const wanted = wantedLoginState(await deps.contacts.get(contactId), username);
    if (wanted === undefined || wanted === state) return state;
    if (wanted === 'disabled') await deps.logins.disable(username);
    else {
      try {
        await deps.logins.enable(username);
      } catch (error) {
        // Deleted from the pool: nothing to enable; the grant's own worker makes the login again.
        if (error instanceof LoginGone) return state;
        throw error;
      }
    }
    state = wanted;
  }
  throw new Unavailable('The portal login kept changing; it will be tried again.');
}
