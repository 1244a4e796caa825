/**
 * The ports of portal access: what the lifecycle (the modules beside this one) needs from DynamoDB,
 * the customer user pool, SES and EventBridge. The adapters implement them; lambdas/wiring/ binds them.
 */
import type { AccessEventDetail, AccessEventType } from '../../contract/events';
import type { AuditEntry } from '../audit';
import type { ContactRecord } from '../contact-record';
import type { ContactStore } from '../contacts';
import type { StoredSettings } from './settings';

export type { AccessEventDetail, AccessEventType };

/** A pending invitation as stored: only the SHA-256 of its token. */
export interface Invitation {
  tokenHash: string;
  expiresAt: string;
  issuedAt: string;
}

/** `company-archived`: the person's company was archived (checked in the claim's own transaction). */
export type ClaimResult = 'claimed' | 'email-taken' | 'contact-changed' | 'company-archived';

export interface LoginClaim {
  /** The contact as read: its status is the transaction's condition. */
  contact: ContactRecord;
  email: string;
  /** Store `email` as the contact's own email too (the line named one). */
  storeEmail: boolean;
  at: string;
  /** Take the guard over from this contact id (archived, or no longer using that email). */
  takeOverFrom?: string;
  /** The access's scope, types and end from now on (the due entry of the end with them). */
  settings: StoredSettings;
}

/** A portal login as recorded on the contact once its Cognito user exists. */
export interface LoginRecord {
  email: string;
  username: string;
  sub: string;
}

export interface InvitationRecord {
  contactId: string;
  expiresAt: string;
  claimedAt?: string;
}

/** The contact item's portal-access fields and the items beside it (guards, invitations). */
export interface AccessStore {
  /** An audit entry that records no change of its own (a company's wizard apply). */
  recordAudit(entry: AuditEntry): Promise<void>;
  loginHolder(email: string): Promise<string | undefined>;
  /** The contact whose access record links this Cognito subject (`SUB#<sub>`), if any. */
  subjectHolder(sub: string): Promise<string | undefined>;
  claimLogin(claim: LoginClaim): Promise<ClaimResult>;
  /**
   * Stores a fresh invitation and deletes the previous one, if the contact is still `invited` with
   * `previousHash`. With `login`: also records the Cognito user (and `SUB#<sub>`, clearing
   * `disabledAt`), in the same transaction, if the contact's login email is still that one and no
   * other contact links that subject meanwhile.
   */
  replaceInvitation(contactId: string, invitation: Invitation, previousHash: string | undefined, login?: LoginRecord): Promise<boolean>;
  /** Drops an invitation whose email could not be sent (so a repeat need not wait for it). */
  dropUnsentInvitation(contactId: string, tokenHash: string): Promise<void>;
  markInvitationSent(contactId: string, tokenHash: string, at: string, audit: AuditEntry): Promise<boolean>;
  /**
   * `revoked` + the pending invitation deleted + audit, if the status is still the one read; with
   * `releaseLogin` (an archived contact) also its login's guard and subject pointer, if they are its own.
   */
  revoke(contact: ContactRecord, at: string, audit: AuditEntry, releaseLogin: boolean): Promise<boolean>;
  markLoginDisabled(contactId: string, at: string): Promise<void>;
  /** Deletes the login's email guard and subject pointer, each if it names this contact. */
  releaseLogin(login: { email: string; sub?: string }, contactId: string): Promise<void>;
  getInvitation(tokenHash: string): Promise<InvitationRecord | undefined>;
  /** Sets `claimedAt` unless claimed after `staleBefore` (a dead accept), or gone, or expired at `at`. */
  claimInvitation(tokenHash: string, claimedAt: string, staleBefore: string): Promise<boolean>;
  releaseInvitation(tokenHash: string, claimedAt: string): Promise<void>;
  /** `active` + the invitation deleted + audit, if the contact still waits for this invitation and its access has not ended at `at`. */
  activate(contactId: string, tokenHash: string, claimedAt: string, at: string, audit: AuditEntry): Promise<boolean>;
  /** New scope, types and end (and the end's due entry) + audit, if the status is still the one read and the contact not archived. */
  updateSettings(contact: ContactRecord, settings: StoredSettings, at: string, audit: AuditEntry): Promise<boolean>;
  /**
   * The scheduled job: `expired` + the pending invitation deleted + audit + `expiryClaim`, if the
   * status and `until` are still the ones read. The due entry stays until `expiryAnnounced`.
   */
  markExpired(contact: ContactRecord, claim: string, audit: AuditEntry): Promise<boolean>;
  /** Takes over announcing an expiry: `expiryClaim = claim` if it is still `previous` (or none) and the access expired at `until`. */
  claimExpiry(contactId: string, until: string, previous: string | undefined, claim: string): Promise<boolean>;
  /** The expiry's event went out: `expiryAnnounced = until`, the due entry and the claim go, if the access is still expired at `until`. */
  expiryAnnounced(contactId: string, until: string): Promise<void>;
}

export interface CognitoLogin {
  username: string;
  sub: string;
}

/** Portal logins in the customer user pool. */
export interface CustomerLogins {
  /** Creates the user (email verified, Cognito sends nothing); `exists` when the email has one already. */
  create(email: string): Promise<CognitoLogin | 'exists'>;
  find(email: string): Promise<CognitoLogin | undefined>;
  enable(username: string): Promise<void>;
  /** Whether the user is enabled now; `undefined` when the pool has no such user. */
  isEnabled(username: string): Promise<boolean | undefined>;
  /** Disables the user and signs it out everywhere. */
  disable(username: string): Promise<void>;
  /** Ends every session of the user (its refresh tokens are revoked). */
  signOut(username: string): Promise<void>;
  /** Permanent password; `Invalid` (path `password`) when the pool's policy refuses it. */
  setPassword(username: string, password: string): Promise<void>;
  /** The user's email, verified (applied at once, nothing sent); `EmailInUse` when another user of the pool has it. */
  changeEmail(username: string, email: string): Promise<void>;
}

export interface InvitationMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface InvitationMailer {
  /** Throws when the mail could not be handed over (after retrying throttles). */
  send(mail: InvitationMail): Promise<void>;
}

export interface AccessEvents {
  emit(type: AccessEventType, detail: AccessEventDetail): Promise<void>;
}

export interface PortalAccessConfig {
  /** The base of invitation links: `<portalUrl>/invitation?token=…`. */
  portalUrl: string;
  invitationTtlDays: number;
  /** How many lines (or a company's contacts) talk to Cognito and SES at once. */
  applyConcurrency: number;
}

/** What revoking needs: no mail, no invitation settings (the archive of a contact and revocation events use this). */
export interface RevocationDeps {
  /** The contacts module's store: the contact (consistent read) and a company's non-archived persons. */
  contacts: Pick<ContactStore, 'get' | 'listCompanyPersons'>;
  store: AccessStore;
  /** Disable, and enable again when a re-grant won meanwhile (login-state.ts: the login follows the record). */
  logins: Pick<CustomerLogins, 'disable' | 'enable'>;
  events: AccessEvents;
  now: () => Date;
  config: Pick<PortalAccessConfig, 'applyConcurrency'>;
  warn: (message: string, fields?: Record<string, unknown>) => void;
}

/** The whole lifecycle: the wizard, grants, re-invitations, revocations. */
export interface PortalAccessDeps extends RevocationDeps {
  logins: CustomerLogins;
  mailer: InvitationMailer;
  config: PortalAccessConfig;
  /** Waits (tests pass one that moves their clock); a timer by default. */
  sleep?: (ms: number) => Promise<void>;
}

/** Accepting an invitation: the token's contact, its access record, its login. */
export type AcceptDeps = Pick<PortalAccessDeps, 'contacts' | 'store' | 'now'> & { logins: Pick<CustomerLogins, 'setPassword' | 'signOut'> };
