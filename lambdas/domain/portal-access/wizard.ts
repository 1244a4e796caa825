/**
 * The "Grant portal access" wizard of a contact: its lines (the contact, and for a company each of
 * its non-archived persons), and which contacts belong to it.
 */
import { NotFound, OutOfScope } from '../../contract/errors';
import type { LineInvitation, WizardLine } from '../../contract/schemas/portal-access';
import { portalView, type ContactRecord, type PortalStatus } from '../contact-record';
import { isLookalikeDomain, LOOKALIKE_WARNING } from '../lookalike-domains';
import { isOpen } from './invitations';
import type { PortalAccessDeps } from './ports';

/** What the wizard reads of contacts (one at a time; the apply reads its lines' contacts together). */
type ContactsDeps = { contacts: Pick<PortalAccessDeps['contacts'], 'get' | 'listCompanyPersons'> };

/** Whether a status means the contact is in the portal (its line's `inPortal`). */
export const inPortal = (status: PortalStatus) => status === 'invited' || status === 'active';

/**
 * The line's invitation while the contact is in the portal: `pending` while its link works,
 * `expired` from its `expiresAt` (before the job records it), `accepted` once used.
 */
export function invitationOf(contact: ContactRecord, status: PortalStatus, now: Date): LineInvitation | undefined {
  const invitation = contact.invitation;
  if (!invitation || !inPortal(status)) return undefined;
  const state = invitation.acceptedAt ? 'accepted' : isOpen(invitation, now) ? 'pending' : 'expired';
  return {
    status: state,
    ...(invitation.sentAt === undefined ? {} : { sentAt: invitation.sentAt }),
    expiresAt: invitation.expiresAt,
    ...(invitation.remindedAt === undefined ? {} : { remindedAt: invitation.remindedAt }),
  };
}

/** A contact's line at `now`: the status the portal enforces, and once it has had access its scope, types and end. */
export function wizardLineOf(contact: ContactRecord, now: Date): WizardLine {
  const email = contact.login?.email ?? contact.email;
  const portal = portalView(contact.portal, now);
  const invitation = invitationOf(contact, portal.status, now);
  return {
    contactId: contact.id,
    name: contact.name,
    ...(email === undefined ? {} : { email }),
    inPortal: inPortal(portal.status),
    status: portal.status,
    ...(portal.delivery === undefined ? {} : { delivery: portal.delivery }),
    ...(portal.scope === undefined ? {} : { scope: portal.scope }),
    ...(portal.types === undefined ? {} : { types: portal.types }),
    ...(portal.until === undefined ? {} : { until: portal.until }),
    ...(invitation === undefined ? {} : { invitation }),
    ...(portal.delivery === 'failed' && contact.deliveryError ? { deliveryError: contact.deliveryError } : {}),
    ...(email !== undefined && isLookalikeDomain(email) ? { warning: LOOKALIKE_WARNING } : {}),
  };
}

/** A company's non-archived persons, every page. */
export async function companyPersons(deps: ContactsDeps, companyId: string): Promise<ContactRecord[]> {
  const persons: ContactRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.contacts.listCompanyPersons(companyId, cursor, 100);
    persons.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return persons;
}

/** The wizard's contact and, for a company, its non-archived persons. */
export async function wizardContacts(deps: ContactsDeps, contactId: string): Promise<ContactRecord[]> {
  const contact = await deps.contacts.get(contactId);
  if (!contact) throw new NotFound('No such contact.');
  if (contact.kind !== 'company') return [contact];
  return [contact, ...(await companyPersons(deps, contact.id))];
}

export async function getWizard(deps: ContactsDeps & Pick<PortalAccessDeps, 'now'>, contactId: string): Promise<{ contactId: string; lines: WizardLine[] }> {
  const contacts = await wizardContacts(deps, contactId);
  const now = deps.now();
  return { contactId, lines: contacts.map((contact) => wizardLineOf(contact, now)) };
}

export const NOT_IN_WIZARD = 'The contact is not in this wizard.';

/** The contact whose wizard it is, or `NotFound` (the whole request's 404). */
export async function wizardOwner(deps: ContactsDeps, wizardId: string): Promise<ContactRecord> {
  const contact = await deps.contacts.get(wizardId);
  if (!contact) throw new NotFound('No such contact.');
  return contact;
}

/**
 * A contact of the wizard of `wizardId`, read (consistently) now: itself, or a non-archived person
 * of that company. Decided on the contact's own record, never by listing the company's persons: a
 * line costs one read whatever the company's size (a one-line apply or a re-invite in a company of
 * 3,000 persons read all 3,000 before), and a person who has just joined is not missed by the
 * listing's index, which lags behind.
 */
export async function wizardMember(deps: ContactsDeps, wizardId: string, contactId: string): Promise<ContactRecord> {
  return memberOf(wizardId, await deps.contacts.get(contactId));
}

/** The same for several lines' contacts, read together (`read`: a consistent read of them). */
export function wizardMemberOf(wizardId: string, read: ReadonlyMap<string, ContactRecord>, contactId: string): ContactRecord {
  return memberOf(wizardId, read.get(contactId));
}

function memberOf(wizardId: string, contact: ContactRecord | undefined): ContactRecord {
  const member = contact && (contact.id === wizardId || (contact.companyId === wizardId && contact.kind === 'person' && !contact.archived));
  if (!contact || !member) throw new OutOfScope(NOT_IN_WIZARD);
  return contact;
}
