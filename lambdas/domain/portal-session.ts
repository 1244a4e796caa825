/**
 * The check in front of every portal request. A Cognito access token outlives a revocation, so the
 * token alone proves nothing: the backend's own access record decides, read strongly consistent on
 * every request, so that a revoked, archived or not-yet-accepted contact is refused at once.
 */
import type { ContactRecord } from './contact-record';
import { AccessEnded, Unauthenticated } from '../contract/errors';

export interface PortalSessionStore {
  /**
   * The contact whose portal login has this Cognito `sub`. The store may answer from a cache unless
   * `fresh`: the pointer is only rewritten when a login moves to another contact, which is rare.
   */
  contactIdOfSubject(sub: string, fresh?: boolean): Promise<string | undefined>;
  /** The contact, strongly consistent. */
  contact(id: string): Promise<ContactRecord | undefined>;
}

/**
 * The portal user behind a token's subject, or `AccessEnded` (401) unless its access is active
 * now. A token issued (`iat`, epoch seconds) before the access became active is refused as well: it
 * predates a revocation that a re-grant has since lifted, or belongs to the archived contact whose
 * login a new contact took over: plain `Unauthenticated`, since signing in again may help.
 */
export async function portalUser(store: PortalSessionStore, sub: string, issuedAt?: number): Promise<ContactRecord> {
  const attempt = async (fresh: boolean) => {
    const contactId = await store.contactIdOfSubject(sub, fresh);
    const contact = contactId === undefined ? undefined : await store.contact(contactId);
    return contact && !contact.archived && contact.portal.status === 'active' && contact.login?.sub === sub ? contact : undefined;
  };
  // A refusal is confirmed against the pointer itself, in case a cached one is out of date.
  const contact = (await attempt(false)) ?? (await attempt(true));
  if (!contact) throw new AccessEnded('Portal access is not active for this login.');
  const activatedAt = contact.portal.activatedAt ? Math.floor(Date.parse(contact.portal.activatedAt) / 1000) : undefined;
  if (issuedAt !== undefined && activatedAt !== undefined && issuedAt < activatedAt)
    throw new Unauthenticated('This token was issued before the portal access was granted; sign in again.');
  // The login moved to a new email: sessions begun under the old one end (the access itself stays).
  // `iat` counts whole seconds: a token of the move's own second may predate it, so it is refused too.
  const signedOutAt = contact.login?.signedOutAt ? Math.floor(Date.parse(contact.login.signedOutAt) / 1000) + 1 : undefined;
  if (issuedAt !== undefined && signedOutAt !== undefined && issuedAt < signedOutAt)
    throw new Unauthenticated("This token was issued before the login's email changed; sign in again.");
  return contact;
}
