/**
 * The events function (revocation requests, archived contacts, SES feedback): the same domain
 * functions as the HTTP API, bound to their adapters. Env: those of revocation.ts (the table
 * only: a revocation's Cognito part and event follow from the outbox).
 */
import { archiveContact } from '../domain/contacts';
import { recordMailFeedback, type FeedbackOutcome, type MailFeedback } from '../domain/mail-feedback';
import { archiveRevoker, revokeAccess, revokeCompany } from '../domain/portal-access/revoke';
import { DynamoMailFeedbackStore } from '../adapters/dynamodb/mail-feedback-store';
import { table } from './clients';
import { perContainer } from './container';
import { revocationDeps } from './revocation';

/** What the event handler asks of the domain. */
export interface EventDeps {
  revokeAccess(contactId: string, actor: string, reason?: string): Promise<unknown>;
  revokeCompany(companyId: string, actor: string, reason?: string): Promise<unknown>;
  archiveContact(contactId: string, actor: string): Promise<unknown>;
  recordMailFeedback(feedback: MailFeedback): Promise<FeedbackOutcome[]>;
}

export const eventDeps = perContainer((): EventDeps => {
  const { db, name } = table();
  const revocation = revocationDeps();
  // Archiving is the contacts module's DELETE, with portal access's revocation as its hook.
  const contacts = { store: revocation.contacts, revoker: archiveRevoker(revocation) };
  const mailFeedback = { store: new DynamoMailFeedbackStore(db, name), now: () => new Date() };
  return {
    revokeAccess: (contactId, actor, reason) => revokeAccess(revocation, contactId, actor, reason),
    revokeCompany: (companyId, actor, reason) => revokeCompany(revocation, companyId, actor, reason),
    archiveContact: (contactId, actor) => archiveContact(contacts, contactId, actor),
    recordMailFeedback: (feedback) => recordMailFeedback(mailFeedback, feedback),
  };
});
