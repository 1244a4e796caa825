import type { DocumentType } from '../contract/document-types';
import type { OutboxKind } from '../contract/outbox';
import type { Contact, PortalStatus } from '../contract/schemas/contacts';
import type { DeliveryError } from '../contract/schemas/portal-access';
import { accessSettings, portalStatusAt } from './access-policy';

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
  /** The contact's invitation (pending, then accepted or expired): only the SHA-256 of its token is stored. */
  invitation?: ContactInvitation;
  /**
   * The outbox item that follows the record's last change (a grant's login and mail, a revocation's
   * login state). The worker acts on the item the record names and on no older one.
   */
  outbox?: { id: string; kind: OutboxKind; at: string };
  /** Why the last invitation could not be delivered for good (with `portal.delivery: failed`). */
  deliveryError?: DeliveryError;
  /** How many documents name this contact as their customer (negative: unknown); see keys.ts, HOLDINGS. */
  documentsAsCustomer?: number;
  /** How many explicit grants this contact holds (negative: unknown). */
  grantsReceived?: number;
  /**
   * How many documents of each type name this contact as their customer (a type absent: none), kept
   * on its item by the documents' transactions; absent on an item older than these counts (the
   * documents store then reads them elsewhere: keys.ts, DOCUMENT_COUNTS).
   */
  documentCounts?: Partial<Record<DocumentType, number>>;
  /** When the scheduled job took on announcing this access's expiry (cleared once announced). */
  expiryClaim?: string;
  /** The `until` whose expiry the scheduled job has announced (`PortalAccessExpired` went out). */
  expiryAnnounced?: string;
  /** When it was last restored from the archive: its share links made before then stay dead (the archive ended them). */
  restoredAt?: string;
}

export type { PortalStatus };

/**
 * An invitation as the contact keeps it. Its link works while the contact names its `tokenHash`, it
 * is neither accepted nor expired, and `expiresAt` has not come. A fresh link (a re-invite, the
 * reminder) replaces the token; the reminder's keeps the invitation's dates and sender.
 */
export interface ContactInvitation {
  tokenHash: string;
  expiresAt: string;
  issuedAt?: string;
  /** When its email first went out (the reminder's fresh link keeps it). */
  sentAt?: string;
  /** The outbox item that issued it. */
  outboxId?: string;
  /** When its link was handed to staff instead (a re-invite with `delivery: "link"`): out, without an email. */
  sharedAt?: string;
  /** Who sent it (the audit actor): the inviter its mails name, told of the reminder. */
  invitedBy?: string;
  /** When its one reminder is due (absent: none, e.g. a validity shorter than REMINDER_AFTER). */
  remindAt?: string;
  /** When the reminder (a fresh link) went out. */
  remindedAt?: string;
  acceptedAt?: string;
  /** When the scheduled job recorded its expiry (audited, `PortalInvitationExpired`). */
  expiredAt?: string;
}

/**
 * The public view of a record at `now`: what `GET /contacts/{id}` answers. The status is the one
 * the portal enforces now (`expired` from `until` on); once the contact has had access, its scope
 * and types are shown with their defaults filled in.
 */
export function toContact(record: ContactRecord, now: Date): Contact {
  const {
    login: _login,
    invitation: _invitation,
    outbox: _outbox,
    deliveryError: _deliveryError,
    documentsAsCustomer: _documents,
    grantsReceived: _grants,
    documentCounts: _counts,
    expiryClaim: _claim,
    expiryAnnounced: _announced,
    restoredAt: _restored,
    ...contact
  } = record;
  return { ...contact, portal: portalView(record.portal, now) };
}

/** `Contact.portal` (and the wizard line's status and settings) as the API shows them at `now`. */
export function portalView(portal: Contact['portal'], now: Date): Contact['portal'] {
  const status = portalStatusAt(portal, now);
  const { scope: _scope, types: _types, until: _until, ...rest } = portal;
  if (portal.status === 'none') return { ...rest, status };
  const settings = accessSettings(portal);
  return { ...rest, status, scope: settings.scope, types: [...settings.types], ...(settings.until === undefined ? {} : { until: settings.until }) };
}
