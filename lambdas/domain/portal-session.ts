/**
 * The check in front of every portal request. A Cognito access token outlives a revocation, so the
 * token alone proves nothing: the backend's own access record decides, read strongly consistent on
 * every request, so that a revoked, archived or not-yet-accepted contact is refused at once.
 */
import type { ContactRecord } from './contact-record';
import { Unauthenticated } from './errors';

export interface PortalSessionStore {
  /** The contact whose portal login has this Cognito `sub` (the mapping never changes once written). */
  contactIdOfSubject(sub: string): Promise<string | undefined>;
  /** The contact, strongly consistent. */
  contact(id: string): Promise<ContactRecord | undefined>;
}

/** The portal user behind a token's subject, or `Unauthenticated` (401) unless its access is active now. */
export async function portalUser(store: PortalSessionStore, sub: string): Promise<ContactRecord> {
  const refused = () => new Unauthenticated('Portal access is not active for this login.');
  const contactId = await store.contactIdOfSubject(sub);
  if (!contactId) throw refused();
  const contact = await store.contact(contactId);
  if (!contact || contact.archived || contact.portal.status !== 'active' || contact.login?.sub !== sub) throw refused();
  return contact;
}
