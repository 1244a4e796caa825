/**
 * In-memory stand-ins for the portal-access stores — the requests' (access-store.ts), the outbox
 * worker's (delivery-store.ts, outbox-store.ts) and the acceptance's (invitation-store.ts) — with
 * the same conditions as the DynamoDB adapters, so the domain's failure paths can be driven step by
 * step. New outbox items queue up in `pending`, as the table's stream would deliver them.
 */
import type { DeliveryError } from '../../lambdas/contract/schemas/portal-access';
import type { AuditEntry } from '../../lambdas/domain/audit';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import type { ContactPage } from '../../lambdas/domain/contacts';
import type { Begun, IdempotencyId, IdempotencyRecord, IdempotencyStore, StoredResponse } from '../../lambdas/domain/idempotency';
import { DUE_TASKS, type InvitationTask } from '../../lambdas/contract/schedule';
import type { InvitationItem, Lease, OutboxItem, OutboxOutcome, OutboxStore, ReminderItem, RevocationItem } from '../../lambdas/domain/outbox';
import type {
  AccessStore,
  ClaimAnswer,
  ClaimResult,
  DeliveryStore,
  DueClaims,
  Invitation,
  InvitationRecord,
  InvitationStore,
  LoginClaim,
  LoginRecord,
  RecordLoginResult,
  ReplaceOptions,
} from '../../lambdas/domain/portal-access/ports';
import type { DueItem } from '../../lambdas/domain/schedule';
import type { StoredSettings } from '../../lambdas/domain/portal-access/settings';

const clone = <T>(value: T): T => structuredClone(value);
const pointer = (item: OutboxItem) => ({ id: item.id, kind: item.kind, at: item.at });

/** An invitation's due entry, as the table keeps it (`CONTACT#<id> / DUE#<task>`). */
export interface MemoryDueEntry {
  task: InvitationTask;
  contactId: string;
  at: string;
  claimedAt?: string;
}

export class MemoryAccess implements AccessStore, DeliveryStore, InvitationStore, OutboxStore {
  readonly contacts = new Map<string, ContactRecord>();
  /** The invitations' due entries, by `<task>#<contactId>` (claimed and removed through `MemoryDueClaims`). */
  readonly due = new Map<string, MemoryDueEntry>();
  readonly guards = new Map<string, string>();
  readonly subjects = new Map<string, string>();
  readonly invitations = new Map<string, InvitationRecord>();
  readonly audit: AuditEntry[] = [];
  readonly outboxItems = new Map<string, OutboxItem>();
  /** The outbox items' leases (the table keeps them on the item, out of the domain's sight). */
  readonly leases = new Map<string, Lease>();
  /** Ids of outbox items written and not yet handed to the worker (the stream's records). */
  readonly pending: string[] = [];

  #enqueue(item: OutboxItem): void {
    this.outboxItems.set(item.id, { ...clone(item), steps: {} });
    this.pending.push(item.id);
  }

  add(record: Partial<ContactRecord> & { id: string }): ContactRecord {
    const full: ContactRecord = {
      kind: 'person',
      name: `Contact ${record.id}`,
      archived: false,
      portal: { status: 'none' },
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      ...record,
    };
    this.contacts.set(full.id, clone(full));
    return full;
  }

  contact(id: string): ContactRecord {
    const found = this.contacts.get(id);
    if (!found) throw new Error(`no contact ${id}`);
    return found;
  }

  /** The contacts module's store, as far as portal access uses it. */
  readonly contactStore = {
    get: async (id: string) => {
      const found = this.contacts.get(id);
      return found ? clone(found) : undefined;
    },
    getMany: async (ids: readonly string[]) => {
      const found = new Map<string, ContactRecord>();
      for (const id of ids) {
        const contact = this.contacts.get(id);
        if (contact) found.set(id, clone(contact));
      }
      return found;
    },
    listCompanyPersons: async (companyId: string, cursor?: string, limit = 100): Promise<ContactPage> => {
      const all = [...this.contacts.values()].filter((c) => c.companyId === companyId && !c.archived && c.kind === 'person');
      const start = cursor ? Number(cursor) : 0;
      const items = all.slice(start, start + limit).map(clone);
      return { items, ...(start + limit < all.length ? { nextCursor: String(start + limit) } : {}) };
    },
  };

  async recordAudit(entry: AuditEntry) {
    this.audit.push(clone(entry));
  }

  async loginHolder(email: string) {
    return this.guards.get(email);
  }

  async subjectHolder(sub: string) {
    return this.subjects.get(sub);
  }

  /** Each claim alone, in order (what the DynamoDB adapter's shared transactions answer per claim). */
  async claimLogins(claims: readonly LoginClaim[]): Promise<ClaimAnswer[]> {
    const answers: ClaimAnswer[] = [];
    for (const claim of claims) answers.push(await this.claimLogin(claim).catch((error: unknown) => ({ error })));
    return answers;
  }

  async claimLogin({ contact, email, storeEmail, at, takeOverFrom, outbox, audit, settings, sameVersion }: LoginClaim): Promise<ClaimResult> {
    const holder = this.guards.get(email);
    if (takeOverFrom === undefined ? holder !== undefined && holder !== contact.id : holder !== takeOverFrom) return 'email-taken';
    const stored = this.contacts.get(contact.id);
    if (!stored || stored.archived || stored.portal.status !== contact.portal.status) return 'contact-changed';
    if (sameVersion && stored.version !== contact.version) return 'contact-changed';
    if (contact.companyId !== undefined && (this.contacts.get(contact.companyId)?.archived ?? true)) return 'company-archived';
    const previous = stored.login;
    if (previous && previous.email !== email) {
      if (this.guards.get(previous.email) === contact.id) this.guards.delete(previous.email);
      if (previous.sub && this.subjects.get(previous.sub) === contact.id) this.subjects.delete(previous.sub);
      stored.login = { email };
    } else if (!previous) stored.login = { email };
    else if (stored.login) delete stored.login.disabledAt;
    this.guards.set(email, contact.id);
    if (storeEmail) stored.email = email;
    stored.portal = { status: 'invited', invitedAt: at, delivery: 'queued', ...settings };
    stored.outbox = pointer(outbox);
    delete stored.invitation;
    delete stored.deliveryError;
    delete stored.expiryClaim;
    stored.version += 1;
    this.#enqueue(outbox);
    this.audit.push(clone(audit));
    return 'claimed';
  }

  #names(stored: ContactRecord | undefined, read: ContactRecord): boolean {
    return stored !== undefined && !stored.archived && stored.outbox?.id === read.outbox?.id;
  }

  async requeueInvitation(contact: ContactRecord, item: InvitationItem, audit: AuditEntry | undefined) {
    const stored = this.contacts.get(contact.id);
    if (!this.#names(stored, contact) || stored!.portal.status !== 'invited' || stored!.invitation?.tokenHash !== contact.invitation?.tokenHash) return false;
    stored!.outbox = pointer(item);
    stored!.portal.delivery = 'queued';
    delete stored!.deliveryError;
    if (stored!.invitation) this.invitations.delete(stored!.invitation.tokenHash);
    this.#enqueue(item);
    if (audit) this.audit.push(clone(audit));
    return true;
  }

  async requeueRevocation(contact: ContactRecord, item: RevocationItem) {
    const stored = this.contacts.get(contact.id);
    // Archived or not, as read.
    if (!stored || stored.archived !== contact.archived || stored.outbox?.id !== contact.outbox?.id || stored.portal.status !== 'revoked') return false;
    stored!.outbox = pointer(item);
    this.#enqueue(item);
    return true;
  }

  async recordLogin(contactId: string, outboxId: string, login: LoginRecord, replacedSub?: string): Promise<RecordLoginResult> {
    const stored = this.contacts.get(contactId);
    if (!stored || stored.outbox?.id !== outboxId || stored.portal.status !== 'invited' || stored.login?.email !== login.email) return 'superseded';
    if (this.subjects.has(login.sub) && this.subjects.get(login.sub) !== contactId) return 'subject-taken';
    stored.login = { ...login };
    this.subjects.set(login.sub, contactId);
    if (replacedSub !== undefined && replacedSub !== login.sub && this.subjects.get(replacedSub) === contactId) this.subjects.delete(replacedSub);
    return 'recorded';
  }

  async replaceInvitation(contactId: string, invitation: Invitation, previousHash: string | undefined, outboxId: string, options: ReplaceOptions) {
    const stored = this.contacts.get(contactId);
    if (!stored || stored.portal.status !== 'invited' || stored.outbox?.id !== outboxId || stored.invitation?.tokenHash !== previousHash) return 'superseded';
    const item = this.outboxItems.get(outboxId);
    if (!item || !this.#holds(outboxId, options.holder) || item.sending || item.doneAt) return 'superseded';
    const claimedAt = previousHash === undefined ? undefined : this.invitations.get(previousHash)?.claimedAt;
    if (options.unlessClaimedSince !== undefined && claimedAt !== undefined && claimedAt >= options.unlessClaimedSince) return 'claimed';
    if (previousHash) this.invitations.delete(previousHash);
    this.invitations.set(invitation.tokenHash, { contactId, expiresAt: invitation.expiresAt });
    stored.invitation = { ...invitation, outboxId };
    if (options.schedule) this.#schedule(contactId, invitation);
    return 'replaced';
  }

  #schedule(contactId: string, invitation: Invitation) {
    const put = (task: InvitationTask, at: string) => this.due.set(`${task}#${contactId}`, { task, contactId, at });
    put(DUE_TASKS.invitationExpiry, invitation.expiresAt);
    if (invitation.remindAt) put(DUE_TASKS.invitationReminder, invitation.remindAt);
  }

  async markReminded(contactId: string, tokenHash: string, outboxId: string, at: string, audit: AuditEntry) {
    const stored = this.contacts.get(contactId);
    if (stored?.invitation?.tokenHash !== tokenHash || stored.outbox?.id !== outboxId) return false;
    stored.invitation.remindedAt = at;
    this.audit.push(clone(audit));
    const item = this.outboxItems.get(outboxId);
    if (item) item.steps = { ...item.steps, mail: at };
    return true;
  }

  async shareInvitation(contact: ContactRecord, invitation: Invitation, audit: AuditEntry) {
    const stored = this.contacts.get(contact.id);
    if (!this.#names(stored, contact) || stored!.portal.status !== 'invited' || !stored!.login?.sub || stored!.invitation?.tokenHash !== contact.invitation?.tokenHash) return false;
    if (contact.invitation) this.invitations.delete(contact.invitation.tokenHash);
    this.invitations.set(invitation.tokenHash, { contactId: contact.id, expiresAt: invitation.expiresAt });
    stored!.invitation = { ...invitation };
    delete stored!.outbox;
    delete stored!.portal.delivery;
    delete stored!.deliveryError;
    this.#schedule(contact.id, invitation);
    this.audit.push(clone(audit));
    return true;
  }

  async queueReminder(contact: ContactRecord, item: ReminderItem) {
    const stored = this.contacts.get(contact.id);
    if (!this.#names(stored, contact) || stored!.portal.status !== 'invited') return false;
    if (!contact.invitation || stored!.invitation?.tokenHash !== contact.invitation.tokenHash || stored!.invitation.remindedAt) return false;
    stored!.outbox = pointer(item);
    this.#enqueue(item);
    return true;
  }

  async markInvitationExpired(contact: ContactRecord, at: string, audit: AuditEntry) {
    const stored = this.contacts.get(contact.id);
    const invitation = stored?.invitation;
    if (!stored || !invitation || stored.portal.status !== 'invited' || invitation.tokenHash !== contact.invitation?.tokenHash || invitation.acceptedAt || invitation.expiredAt) return false;
    invitation.expiredAt = at;
    this.invitations.delete(invitation.tokenHash);
    stored.version += 1;
    this.audit.push(clone(audit));
    return true;
  }

  async markInvitationSent(contactId: string, tokenHash: string, outboxId: string, at: string) {
    const stored = this.contacts.get(contactId);
    if (!stored?.invitation || stored.invitation.tokenHash !== tokenHash) return false;
    stored.invitation.sentAt = at;
    stored.portal.delivery = 'sent';
    delete stored.deliveryError;
    const item = this.outboxItems.get(outboxId);
    if (item) item.steps = { ...item.steps, mail: at };
    return true;
  }

  async markDeliveryFailed(contact: ContactRecord, outboxId: string, error: DeliveryError, audit: AuditEntry) {
    const stored = this.contacts.get(contact.id);
    if (!stored || stored.outbox?.id !== outboxId || stored.portal.status !== 'invited') return false;
    stored.portal.delivery = 'failed';
    stored.deliveryError = clone(error);
    delete stored.invitation; // the item stays, dead: no contact names it
    this.audit.push(clone(audit));
    return true;
  }

  async withdrawGrant(contact: ContactRecord, outboxId: string, fallback: 'none' | 'revoked', error: DeliveryError, audit: AuditEntry) {
    const stored = this.contacts.get(contact.id);
    if (!stored || stored.outbox?.id !== outboxId || stored.portal.status !== 'invited' || stored.login?.username) return false;
    stored.portal = { status: fallback, ...(fallback === 'revoked' ? { revokedAt: error.at } : {}), delivery: 'failed' };
    stored.deliveryError = clone(error);
    if (contact.login && this.guards.get(contact.login.email) === contact.id) this.guards.delete(contact.login.email);
    delete stored.login;
    delete stored.invitation;
    this.audit.push(clone(audit));
    return true;
  }

  async revoke(contact: ContactRecord, at: string, audit: AuditEntry, releaseLogin: boolean, outbox: RevocationItem, keepExpiry = false) {
    const stored = this.contacts.get(contact.id);
    const unsent = contact.portal.delivery === 'queued';
    if (!stored || stored.portal.status !== contact.portal.status || (unsent && stored.portal.delivery !== 'queued')) return false;
    if (stored.invitation) this.invitations.delete(stored.invitation.tokenHash);
    delete stored.invitation;
    if (!keepExpiry) delete stored.expiryClaim;
    stored.portal = { ...stored.portal, status: 'revoked', revokedAt: at };
    if (unsent) delete stored.portal.delivery;
    stored.outbox = pointer(outbox);
    if (releaseLogin && stored.login) this.releaseGuards(stored.login, contact.id);
    this.audit.push(clone(audit));
    this.#enqueue(outbox);
    return true;
  }

  // The outbox store.
  async get(id: string) {
    const item = this.outboxItems.get(id);
    return item ? clone(item) : undefined;
  }

  async claim(id: string, lease: Lease, nowMs: number) {
    const item = this.outboxItems.get(id);
    const held = this.leases.get(id);
    if (!item || item.doneAt || (held && held.untilMs >= nowMs && held.holder !== lease.holder)) return undefined;
    this.leases.set(id, { ...lease });
    return clone(item);
  }

  #holds(id: string, holder: string): boolean {
    return this.leases.get(id)?.holder === holder;
  }

  async markStep(id: string, step: string, at: string, lease: Lease) {
    const item = this.outboxItems.get(id);
    if (!item || !this.#holds(id, lease.holder)) return false;
    item.steps = { ...item.steps, [step]: at };
    this.leases.set(id, { ...lease });
    return true;
  }

  async finish(id: string, outcome: OutboxOutcome, at: string, holder: string) {
    const item = this.outboxItems.get(id);
    if (!item || !this.#holds(id, holder)) return false;
    Object.assign(item, { doneAt: at, outcome });
    this.leases.delete(id);
    return true;
  }

  async release(id: string, holder: string) {
    if (this.#holds(id, holder)) this.leases.delete(id);
  }

  async markMailSending(contactId: string, tokenHash: string, outboxId: string, at: string, lease: Lease) {
    const item = this.outboxItems.get(outboxId);
    if (!item || !this.#holds(outboxId, lease.holder) || item.sending || item.doneAt) return 'lease-lost' as const;
    const stored = this.contacts.get(contactId);
    if (stored?.outbox?.id !== outboxId || stored.portal.status !== 'invited' || stored.invitation?.tokenHash !== tokenHash) return 'superseded' as const;
    item.sending = { tokenHash, at };
    this.leases.set(outboxId, { ...lease });
    return 'marked' as const;
  }

  async clearMailSending(outboxId: string, holder: string) {
    const item = this.outboxItems.get(outboxId);
    if (item && this.#holds(outboxId, holder)) delete item.sending;
  }

  async markLoginDisabled(contactId: string, at: string) {
    const stored = this.contacts.get(contactId);
    if (stored?.login?.username && stored.portal.status === 'revoked') stored.login.disabledAt = at;
  }

  private releaseGuards(login: { email: string; sub?: string }, contactId: string) {
    if (this.guards.get(login.email) === contactId) this.guards.delete(login.email);
    if (login.sub && this.subjects.get(login.sub) === contactId) this.subjects.delete(login.sub);
  }

  async releaseLogin(login: { email: string; sub?: string }, contactId: string) {
    this.releaseGuards(login, contactId);
  }

  async getInvitation(tokenHash: string) {
    const found = this.invitations.get(tokenHash);
    return found ? clone(found) : undefined;
  }

  async claimInvitation(tokenHash: string, claimedAt: string, staleBefore: string) {
    const found = this.invitations.get(tokenHash);
    if (!found || found.expiresAt <= claimedAt || (found.claimedAt !== undefined && found.claimedAt >= staleBefore)) return false;
    found.claimedAt = claimedAt;
    return true;
  }

  async releaseInvitation(tokenHash: string, claimedAt: string) {
    const found = this.invitations.get(tokenHash);
    if (found?.claimedAt === claimedAt) delete found.claimedAt;
  }

  async activate(contactId: string, tokenHash: string, claimedAt: string, at: string, audit: AuditEntry) {
    const stored = this.contacts.get(contactId);
    const invitation = this.invitations.get(tokenHash);
    if (!stored || stored.invitation?.tokenHash !== tokenHash || stored.portal.status !== 'invited' || invitation?.claimedAt !== claimedAt) return false;
    if (stored.portal.until !== undefined && stored.portal.until <= at) return false;
    this.invitations.delete(tokenHash);
    stored.invitation.acceptedAt = at;
    stored.portal = { ...stored.portal, status: 'active', activatedAt: at };
    this.audit.push(clone(audit));
    return true;
  }

  /** Settings updates, expiries and announcements, as the job and the wizard made them (for assertions). */
  readonly announced: string[] = [];

  async updateSettings(contact: ContactRecord, settings: StoredSettings, at: string, audit: AuditEntry) {
    const stored = this.contacts.get(contact.id);
    if (!stored || stored.archived || stored.portal.status !== contact.portal.status) return false;
    const { scope: _s, types: _t, until: _u, ...portal } = stored.portal;
    stored.portal = { ...portal, ...settings };
    stored.version += 1;
    stored.updatedAt = at;
    this.audit.push(clone(audit));
    return true;
  }

  async markExpired(contact: ContactRecord, claim: string, audit: AuditEntry) {
    const stored = this.contacts.get(contact.id);
    const unsent = contact.portal.delivery === 'queued';
    if (!stored || stored.portal.status !== contact.portal.status || stored.portal.until !== contact.portal.until || (unsent && stored.portal.delivery !== 'queued')) return false;
    if (stored.invitation) this.invitations.delete(stored.invitation.tokenHash);
    delete stored.invitation;
    stored.portal = { ...stored.portal, status: 'expired' };
    if (unsent) delete stored.portal.delivery;
    stored.expiryClaim = claim;
    stored.version += 1;
    this.audit.push(clone(audit));
    return true;
  }

  async claimExpiry(contactId: string, until: string, previous: string | undefined, claim: string, audit?: AuditEntry) {
    const stored = this.contacts.get(contactId);
    if (!stored || !['expired', 'revoked'].includes(stored.portal.status) || stored.portal.until !== until || stored.expiryClaim !== previous) return false;
    stored.expiryClaim = claim;
    if (audit) this.audit.push(clone(audit));
    return true;
  }

  async expiryAnnounced(contactId: string, until: string) {
    const stored = this.contacts.get(contactId);
    if (!stored || !['expired', 'revoked'].includes(stored.portal.status) || stored.portal.until !== until) return;
    delete stored.expiryClaim;
    stored.expiryAnnounced = until;
    this.announced.push(contactId);
  }
}

export class MemoryIdempotency implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  private keyOf = (id: IdempotencyId) => `${id.scope}#${id.key}`;

  async begin(id: IdempotencyId, record: IdempotencyRecord & { runId: string }, abandonedBefore: string): Promise<Begun | IdempotencyRecord> {
    const existing = this.records.get(this.keyOf(id));
    if (existing && !(existing.state === 'in-progress' && existing.startedAt < abandonedBefore && existing.bodyHash === record.bodyHash)) return clone(existing);
    // A record taken over keeps the request's runId.
    const runId = existing?.runId ?? record.runId;
    this.records.set(this.keyOf(id), clone({ ...record, runId }));
    return { begun: true, runId };
  }

  async complete(id: IdempotencyId, bodyHash: string, response: StoredResponse) {
    const existing = this.records.get(this.keyOf(id));
    if (existing?.bodyHash === bodyHash) Object.assign(existing, { state: 'done', response: clone(response) });
  }

  async release(id: IdempotencyId, startedAt: string) {
    const existing = this.records.get(this.keyOf(id));
    if (existing?.state === 'in-progress' && existing.startedAt === startedAt) this.records.delete(this.keyOf(id));
  }
}

/** The scheduled job's view of the invitations' due entries that `MemoryAccess` writes: the `due` index and the claims. */
export class MemoryDueClaims implements DueClaims {
  constructor(private readonly access: MemoryAccess) {}

  async dueInvitations(task: InvitationTask, hour: string, now: string): Promise<DueItem<{ contactId: string }>[]> {
    return [...this.access.due.values()]
      .filter((d) => d.task === task && d.at.slice(0, 13) === hour && d.at <= now)
      .sort((a, b) => (a.at < b.at ? -1 : 1))
      .map((d) => ({ ref: { contactId: d.contactId }, at: d.at }));
  }

  async claim(task: string, contactId: string, at: string, claimedAt: string, staleBefore: string) {
    const entry = this.access.due.get(`${task}#${contactId}`);
    if (!entry || entry.at !== at || (entry.claimedAt !== undefined && entry.claimedAt >= staleBefore)) return false;
    entry.claimedAt = claimedAt;
    return true;
  }

  async finish(task: string, contactId: string, at: string, claimedAt: string) {
    const entry = this.access.due.get(`${task}#${contactId}`);
    if (entry?.at === at && entry.claimedAt === claimedAt) this.access.due.delete(`${task}#${contactId}`);
  }
}
