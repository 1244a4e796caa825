import type { Contact, PortalStatus } from '../contract/schemas/contacts';

/**
 * A contact as the domain holds it: the public `Contact` plus what the portal-access lifecycle
 * keeps beside it (the Cognito login and the pending invitation), which the API never shows.
 * The contacts module owns the contact's own fields; portal-access owns `portal`, `login` and `invitation`.
 */
export interface ContactRecord extends Contact {
  /** The portal login in the customer user pool, once one was created. */
  login?: {
    /** The login's email: unique among non-archived contacts (guard item `LOGIN#<email>`). */
    email: string;
    /**
     * The Cognito user name (the pool signs in by email; the user name is what AdminGetUser takes).
     * Absent between claiming the email and creating the Cognito user (a grant that a repeat completes).
     */
    username?: string;
    /** The Cognito `sub`: the subject of the portal user's tokens (item `SUB#<sub>` points back here). Absent like `username`. */
    sub?: string;
    /** When the Cognito user was disabled and signed out (a revocation that completed); absent while enabled. */
    disabledAt?: string;
    /** Tokens issued before this are refused (the login moved to a new email: sessions begun under the old one end). */
    signedOutAt?: string;
  };
  /** The pending invitation: only the SHA-256 of its token is stored. `sentAt` once its email went out. */
  invitation?: { tokenHash: string; expiresAt: string; issuedAt?: string; sentAt?: string };
}

export type { PortalStatus };

/** The commercial entity whose documents a contact sees: its company, or itself. */
export const commercialEntityOf = (contact: Pick<Contact, 'id' | 'companyId'>): string => contact.companyId ?? contact.id;

/** The public view of a record: what `GET /contacts/{id}` answers. */
export function toContact(record: ContactRecord): Contact {
  const { login: _login, invitation: _invitation, ...contact } = record;
  return contact;
}
