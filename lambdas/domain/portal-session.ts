/**
 * The check in front of every portal request. A Cognito access token outlives a revocation, so the
 * token alone proves nothing: the backend's own access record decides, read strongly consistent on
 * every request, so that a revoked, archived or not-yet-accepted contact is refused at once.
 */
import type { ContactRecord } from './contact-record';
import { Unauthenticated } from './errors';

export interface PortalSessionStore {
  /**
   * The contact whose portal login has this Cognito `sub`. The store may answer from a cache unless
   * `fresh`: the pointer is only rewritten when a login moves to another contact, which is rare.
   */
  contactIdOfSubject(sub: string, fresh?: boolean): Promise<string | undefined>;
  /** The contact, strongly consistent. */
  contact(id: string): Promise<ContactRecord | undefined>;
}

/** The portal user behind a token's subject, or `Unauthenticated` (401) unless its access is active now. */
export async function portalUser(store: PortalSessionStore, sub: string): Promise<ContactRecord> {
  const attempt = async (fresh: boolean) => {
    const contactId = await store.contactIdOfSubject(sub, fresh);
    const contact = contactId === undefined ? undefined : await store.contact(contactId);
    return contact && !contact.archived && contact.portal.status === 'active' && contact.login?.sub === sub ? contact : undefined;
  };
  // A refusal is confirmed against the pointer itself, in case a cached one is out of date.
  const contact = (await attempt(false)) ?? (await attempt(true));
  if (!contact) throw new Unauthenticated('Portal access is not active for this login.');
  return contact;
}
