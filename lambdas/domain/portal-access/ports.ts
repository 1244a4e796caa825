/**
 * The ports of portal access: what the lifecycle (the modules beside this one) needs from DynamoDB,
 * and — on the outbox worker's side only — the customer user pool, SES and EventBridge. The adapters
 * implement them; lambdas/wiring/ binds them.
 */
import type { AccessEventDetail, AccessEventType } from '../../contract/events';
import type { DeliveryError } from '../../contract/schemas/portal-access';
import type { AuditEntry } from '../audit';
import type { ContactInvitation, ContactRecord } from '../contact-record';
import type { ContactBatchReader, ContactStore } from '../contacts';
import type { InvitationItem, Lease, OutboxStore, ReminderItem, RevocationItem } from '../outbox';
import type { StoredSettings } from './settings';

export type { AccessEventDetail, AccessEventType };

/** An invitation as a fresh link stores it on the contact: only the SHA-256 of its token. */
export type Invitation = ContactInvitation & { issuedAt: string };

/** What replacing an invitation writes besides it. */
export interface ReplaceOptions {
  /**
   * Write the invitation's due entries (its expiry, and its reminder if `remindAt`): every fresh
   * invitation staff send; not the reminder's own fresh link, which keeps those of its invitation.
   */
  schedule: boolean;
  /**
   * The outbox delivery that mints it: it must still hold the item's lease, and no mail of the item
   * may have been handed over yet (a mailed link is never replaced by its own item).
   */
  holder: string;
  /**
   * Only the reminder's fresh link: a claim on the link it replaces made at or after this moment (an
   * acceptance under way, not yet abandoned) refuses the replacement with `claimed`, so that the
   * invitee who is setting a password is not handed a dead link; the reminder waits for it. A
   * re-invite replaces regardless: staff chose to end that link.
   */
  unlessClaimedSince?: string;
}

/** `company-archived`: the person's company was archived (checked in the claim's own transaction). */
export type ClaimResult = 'claimed' | 'email-taken' | 'contact-changed' | 'company-archived';

/** A claim's answer among several: its result, or what its own attempt threw (its line fails alone). */
export type ClaimAnswer = ClaimResult | { error: unknown };

export interface LoginClaim {
  /** The contact as read: its status is the transaction's condition. */
  contact: ContactRecord;
  email: string;
  /** Store `email` as the contact's own email too (the line named one). */
  storeEmail: boolean;
  at: string;
  /** Take the guard over from this contact id (archived, or no longer using that email). */
  takeOverFrom?: string;
  /** The grant's follow-up (login, invitation, email, events), written in the same transaction. */
  outbox: InvitationItem;
  audit: AuditEntry;
  /** The access's scope, types and end from now on (the due entry of the end with them). */
  settings: StoredSettings;
  /**
   * Refuse (`contact-changed`) a contact changed in any way since it was read (its `version`), not
   * only in its status: an apply's claims are made on contacts read together at its start.
   */
  sameVersion?: boolean;
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

/** `subject-taken`: another contact's access record links this Cognito user (`SUB#<sub>`). */
export type RecordLoginResult = 'recorded' | 'superseded' | 'subject-taken';

/**
 * The contact item's portal-access fields and the items beside it (guards, outbox items, audit
 * entries), as the requests change them: grants, re-invitations, revocations.
 */
export interface AccessStore {
  /** An audit entry that records no change of its own (a company's wizard apply). */
  recordAudit(entry: AuditEntry): Promise<void>;
  loginHolder(email: string): Promise<string | undefined>;
  /** Step 1 of a grant: the email's guard, the contact `invited` and `delivery: queued`, the outbox item and the audit entry, in one transaction. */
  claimLogin(claim: LoginClaim): Promise<ClaimResult>;
  /**
   * Step 1 of several grants (an apply's lines), several to a transaction: each claim's answer is the
   * one `claimLogin` would have given it alone (a claim a shared transaction refused is tried alone).
   */
  claimLogins(claims: readonly LoginClaim[]): Promise<ClaimAnswer[]>;
  /**
   * Another invitation for an `invited` contact (a re-invitation, or a grant whose delivery failed or
   * was abandoned): the outbox item (and audit entry) in one transaction with the contact, if it still
   * names the outbox item it was read with and is `invited`. The link of the invitation it replaces
   * dies in the same transaction (its invitation item deleted): the contract's "the previous link
   * dies either way" holds from the answer on, not from when the worker mails the next one.
   * `'exists'`: nothing written, because an outbox item with this id exists already (an earlier
   * attempt of the same request wrote it: reinvite.ts).
   */
  requeueInvitation(contact: ContactRecord, item: InvitationItem, audit: AuditEntry | undefined): Promise<boolean | 'exists'>;
  /**
   * `revoked` + the pending invitation deleted + audit + the outbox item (the login's state and the
   * event), if the status is still the one read; with `releaseLogin` (an archived contact) also its
   * login's guard and subject pointer, if they are its own. The access's due entry and expiry claim
   * go too — unless `keepExpiry`: its end came before and the job has not announced it yet.
   */
  revoke(contact: ContactRecord, at: string, audit: AuditEntry, releaseLogin: boolean, outbox: RevocationItem, keepExpiry?: boolean): Promise<boolean>;
  /** Queues another revocation item (its Cognito part or event never finished), if the contact still names the item it was read with. */
  requeueRevocation(contact: ContactRecord, item: RevocationItem): Promise<boolean>;
  /** Deletes the login's email guard and subject pointer, each if it names this contact. */
  releaseLogin(login: { email: string; sub?: string }, contactId: string): Promise<void>;
  /** New scope, types and end (and the end's due entry) + audit, if the status is still the one read and the contact not archived. */
  updateSettings(contact: ContactRecord, settings: StoredSettings, at: string, audit: AuditEntry): Promise<boolean>;
  /**
   * The scheduled job: `expired` + the pending invitation deleted + audit + `expiryClaim`, if the
   * status and `until` are still the ones read. The due entry stays until `expiryAnnounced`.
   */
  markExpired(contact: ContactRecord, claim: string, audit: AuditEntry): Promise<boolean>;
  /**
   * A link handed to staff (a re-invite with `delivery: "link"`): the fresh invitation (`sharedAt`)
   * replaces the previous one, its due entries, the audit entry, and the contact names no outbox
   * item any more (one still on its way finds itself superseded: no mail kills the link); if the
   * contact is still `invited`, names the outbox item and invitation it was read with, and has its
   * Cognito user recorded.
   */
  shareInvitation(contact: ContactRecord, invitation: Invitation, audit: AuditEntry): Promise<boolean>;
  /**
   * The scheduled job queues an invitation's one reminder: the outbox item, named by the contact, in
   * one transaction with it — if the contact is still `invited` with the invitation it was read with
   * and names the outbox item it was read with.
   */
  queueReminder(contact: ContactRecord, item: ReminderItem): Promise<boolean>;
  /**
   * The invitation's expiry recorded: `expiredAt` + its link item deleted + audit, if the contact is
   * still `invited` with this token, neither accepted nor recorded expired yet.
   */
  markInvitationExpired(contact: ContactRecord, at: string, audit: AuditEntry): Promise<boolean>;
  /**
   * Takes over announcing an expiry: `expiryClaim = claim` if it is still `previous` (or none) and the
   * access ended at `until` (`expired`, or `revoked` since); with `audit` (an end revoked before the
   * job recorded it) that entry too, in the same write.
   */
  claimExpiry(contactId: string, until: string, previous: string | undefined, claim: string, audit?: AuditEntry): Promise<boolean>;
  /** The expiry's event went out: `expiryAnnounced = until`, the due entry and the claim go, if the access still ended at `until` (expired, or revoked since). */
  expiryAnnounced(contactId: string, until: string): Promise<void>;
}

/** What the outbox worker records of a grant's and a revocation's steps. */
export interface DeliveryStore {
  /** The contact whose access record links this Cognito subject (`SUB#<sub>`), if any. */
  subjectHolder(sub: string): Promise<string | undefined>;
  /**
   * The Cognito user on the contact (and `SUB#<sub>`, clearing `disabledAt`), if the contact still
   * names this outbox item and its login email is still that one, and no other contact links that subject.
   * `replacedSub`: the subject of the login this one replaces (deleted from the pool); its pointer goes.
   */
  recordLogin(contactId: string, outboxId: string, login: LoginRecord, replacedSub?: string): Promise<RecordLoginResult>;
  /**
   * A fresh invitation replaces `previousHash` (deleted), with its due entries if `schedule`, if the
   * contact still names this outbox item and is `invited`.
   */
  replaceInvitation(contactId: string, invitation: Invitation, previousHash: string | undefined, outboxId: string, options: ReplaceOptions): Promise<'replaced' | 'claimed' | 'superseded'>;
  /**
   * The mail with this link is about to go to the mail service: `sending` on the outbox item (the
   * lease renewed), if this holder still holds the item, no mail was handed over for it yet, and
   * the contact still names the item, is invited, and has this invitation. `lease-lost` and
   * `superseded` say which condition refused it.
   */
  markMailSending(contactId: string, tokenHash: string, outboxId: string, at: string, lease: Lease): Promise<'marked' | 'lease-lost' | 'superseded'>;
  /** The mail service surely has no mail of this item (it refused every attempt): `sending` dropped, if still this holder's. */
  clearMailSending(outboxId: string, holder: string): Promise<void>;
  /** The invitation's email went out: `sentAt`, `delivery: sent` on the contact and the step marker on the outbox item, in one transaction. */
  markInvitationSent(contactId: string, tokenHash: string, outboxId: string, at: string): Promise<boolean>;
  /** The email was refused for good: `delivery: failed` with the reason, the invitation dropped, the audit entry; if the contact still names this item. */
  markDeliveryFailed(contact: ContactRecord, outboxId: string, error: DeliveryError, audit: AuditEntry): Promise<boolean>;
  /**
   * A grant taken back (its login email belongs to another contact's login): the contact back to
   * `fallback` without a login, its email guard released, `delivery: failed` with the reason, the
   * audit entry; if the contact still names this item, is `invited` and has no Cognito user recorded.
   */
  withdrawGrant(contact: ContactRecord, outboxId: string, fallback: 'none' | 'revoked', error: DeliveryError, audit: AuditEntry): Promise<boolean>;
  markLoginDisabled(contactId: string, at: string): Promise<void>;
  /**
   * The reminder (a fresh link) went out: `remindedAt` and the audit entry on the contact, the step
   * marker on the outbox item, in one transaction; if the contact still names this token and item.
   */
  markReminded(contactId: string, tokenHash: string, outboxId: string, at: string, audit: AuditEntry): Promise<boolean>;
}

/** Invitations as their acceptance uses them. */
export interface InvitationStore {
  getInvitation(tokenHash: string): Promise<InvitationRecord | undefined>;
  /** Sets `claimedAt` unless claimed after `staleBefore` (a dead accept), or gone, or expired at `at`. */
  claimInvitation(tokenHash: string, claimedAt: string, staleBefore: string): Promise<boolean>;
  releaseInvitation(tokenHash: string, claimedAt: string): Promise<void>;
  /** `active` + the invitation deleted + audit, if the contact still waits for this invitation and its access has not ended at `at`. */
  activate(contactId: string, tokenHash: string, claimedAt: string, at: string, audit: AuditEntry): Promise<boolean>;
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
  /** `LoginGone` when the pool has no such user. */
  enable(username: string): Promise<void>;
  /** Whether the user is enabled now; `undefined` when the pool has no such user. */
  isEnabled(username: string): Promise<boolean | undefined>;
  /** Disables the user and signs it out everywhere; a user the pool no longer has is done already. */
  disable(username: string): Promise<void>;
  /** Ends every session of the user (its refresh tokens are revoked); a user the pool no longer has has none. */
  signOut(username: string): Promise<void>;
  /** Permanent password; `Invalid` (path `password`) when the pool's policy refuses it; `LoginGone`. */
  setPassword(username: string, password: string): Promise<void>;
  /** The user's email, verified (applied at once, nothing sent); `EmailInUse` when another user of the pool has it; `LoginGone`. */
  changeEmail(username: string, email: string): Promise<void>;
}

/**
 * The pool has no user of that name any more, although a contact's record names it: deleted in
 * Cognito behind the product's back (an operator answering an erasure request, a clean-up script,
 * the user itself). What needs the login makes it again (a grant's worker) or says the link is dead
 * (an invitation); what ends it (a revocation) has nothing left to do.
 */
export class LoginGone extends Error {
  constructor(readonly username: string) {
    super(`The customer pool has no user ${username}.`);
    this.name = 'LoginGone';
  }
}

export interface InvitationMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The mail service refused this message for good (a bad recipient): retrying cannot help. */
export class MailRefused extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'MailRefused';
  }
}

/**
 * The mail service cannot take the mail now (throttled, unavailable): another paced attempt later.
 * `maybeSent`: no answer came (a timeout, a dropped connection), so it may have taken the mail.
 */
export class MailDeferred extends Error {
  constructor(
    readonly reason: string,
    readonly maybeSent = false,
  ) {
    super(`mail deferred: ${reason}`);
    this.name = 'MailDeferred';
  }
}

export interface InvitationMailer {
  /**
   * Hands the mail over in one attempt (every attempt takes its own pacing slot). Throws `MailRefused`
   * when refused for good, `MailDeferred` when it may work a little later, anything else otherwise.
   */
  send(mail: InvitationMail, signal: AbortSignal): Promise<void>;
}

/** Paces sending across every worker: at most the configured number of mails a second. */
export interface MailPacer {
  /** Resolves with a slot when this worker may send one mail now; throws (transient) when `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<MailSlot>;
}

/** One mail's share of a second's rate. */
export interface MailSlot {
  /**
   * Whether a mail handed over now still lands in the slot's second. Work between the slot and the
   * send (a write, a slow moment) can make it stale: such a slot is left unused (its second then
   * carries one mail fewer) and another taken, so that no second ever carries more than the rate.
   */
  usable(): boolean;
}

/** A staff user as the staff pool describes it: what mails about it need. */
export interface StaffProfile {
  /** Its `name` attribute, if set. */
  name?: string;
  /** Its `email` attribute, if set and verified (where its notices go). */
  email?: string;
  /** Its `locale` attribute, if set (the language of its notices). */
  locale?: string;
  /** Enabled and in `portal-admins` now: a staff user no longer so hears nothing more about customers. */
  portalAdmin: boolean;
}

/** The staff pool, read by username (`AdminGetUser`). */
export interface StaffProfiles {
  /** `undefined` when the pool has no such user. `fresh`: asked now, not answered from a recent look-up. */
  profile(username: string, options?: { fresh?: boolean }): Promise<StaffProfile | undefined>;
}

/**
 * The scheduled job's due entries of invitations (a reminder, an expiry), one per contact and task:
 * a run claims an entry before handling it, so two runs at once handle it once; a claim older than
 * `staleBefore` is a run that died, and is taken over.
 */
export interface DueClaims {
  claim(task: string, contactId: string, at: string, claimedAt: string, staleBefore: string): Promise<boolean>;
  /** Deletes the entry, if it is still the one due at `at` and this claim still holds it. */
  finish(task: string, contactId: string, at: string, claimedAt: string): Promise<void>;
}

export interface AccessEvents {
  emit(type: AccessEventType, detail: AccessEventDetail): Promise<void>;
}

export interface PortalAccessConfig {
  /** The base of invitation links: `<portalUrl>/invitation?token=…`. */
  portalUrl: string;
  /** How long an invitation's link works (7 days by default). */
  invitationTtlSeconds: number;
  /** When a pending invitation gets its one reminder, after it was sent (72 hours by default). */
  reminderAfterSeconds: number;
  /** The business's name, in every mail and as the sender's display name. */
  businessName: string;
  /** How many lines of an apply (or a company's contacts) are written at once. */
  applyConcurrency: number;
}

/** What issuing an invitation needs (the worker's, and a link handed to staff). */
export type InvitationConfig = Pick<PortalAccessConfig, 'portalUrl' | 'invitationTtlSeconds' | 'reminderAfterSeconds'>;

/**
 * What the HTTP side of portal access needs — the wizard, apply, re-invite, revoke (also for the
 * archive of a contact and the revocation events): the table only. The login, the mail and the
 * events follow through the outbox (delivery.ts, the worker).
 */
export interface PortalAccessDeps {
  /** The contacts module's store: the contact (consistent read), several at once, and a company's non-archived persons. */
  contacts: Pick<ContactStore, 'get' | 'listCompanyPersons'> & ContactBatchReader;
  store: AccessStore;
  now: () => Date;
  config: Pick<PortalAccessConfig, 'applyConcurrency'>;
  /** Ids of new outbox items (random UUIDs; tests pass a counter). */
  newId: () => string;
  warn: (message: string, fields?: Record<string, unknown>) => void;
}

/** Revoking needs no more than the rest of the HTTP side. */
export type RevocationDeps = PortalAccessDeps;

/** The outbox worker's side: the customer pool, SES (paced), EventBridge, the invitation settings. */
export interface DeliveryDeps {
  contacts: Pick<ContactStore, 'get'>;
  store: DeliveryStore;
  outbox: OutboxStore;
  logins: Omit<CustomerLogins, 'setPassword'>;
  mailer: InvitationMailer;
  pacer: MailPacer;
  events: AccessEvents;
  now: () => Date;
  /** The staff pool: the inviter's name in the mails, and where its notice of a reminder goes. */
  staff: StaffProfiles;
  config: InvitationConfig & Pick<PortalAccessConfig, 'businessName'>;
  warn: (message: string, fields?: Record<string, unknown>) => void;
  /** Waits (ends early when the signal aborts); tests pass one that moves their clock. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A re-invite: the HTTP side, and for a link handed to staff the invitation settings. */
export type ReinviteDeps = Omit<PortalAccessDeps, 'config'> & { config: Pick<PortalAccessConfig, 'applyConcurrency'> & InvitationConfig };

/** Accepting an invitation: the token's contact, its access record, its login. */
export interface AcceptDeps {
  contacts: Pick<ContactStore, 'get'>;
  store: InvitationStore;
  logins: Pick<CustomerLogins, 'setPassword' | 'signOut'>;
  now: () => Date;
  /** Waits: until the activation's second begins (at most a second), or for another attempt's claim on the link (a few seconds); tests pass one that moves their clock. */
  sleep: (ms: number) => Promise<void>;
}
