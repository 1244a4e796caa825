import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { dynamoMailFeedbackStore } from '../adapters/dynamodb/mail-feedback-store';
import { portalAccessDeps, portalAccessRevoker } from './portal-access';
import { archiveContact } from '../domain/contacts';
import { recordMailFeedback, type FeedbackOutcome, type MailFeedback } from '../domain/mail-feedback';
import { revokeAccess, revokeCompany } from '../domain/portal-access/revoke';

/** What the event handler asks of the domain: the same functions as the HTTP API, bound to their adapters. */
export interface EventDeps {
  revokeAccess(contactId: string, actor: string, reason?: string): Promise<unknown>;
  revokeCompany(companyId: string, actor: string, reason?: string): Promise<unknown>;
  archiveContact(contactId: string, actor: string): Promise<unknown>;
  recordMailFeedback(feedback: MailFeedback): Promise<FeedbackOutcome[]>;
}

let deps: EventDeps | undefined;

/** Built once per container, on the first event (the adapters read the environment then). */
export function productionDeps(): EventDeps {
  deps ??= build();
  return deps;
}

function build(): EventDeps {
  // Archiving is the contacts module's DELETE, with portal access's revocation as its hook.
  const contacts = { store: new DynamoContactStore(), revoker: portalAccessRevoker() };
  const mailFeedback = { store: dynamoMailFeedbackStore(), now: () => new Date() };
  return {
    revokeAccess: (contactId, actor, reason) => revokeAccess(portalAccessDeps(), contactId, actor, reason),
    revokeCompany: (companyId, actor, reason) => revokeCompany(portalAccessDeps(), companyId, actor, reason),
    archiveContact: (contactId, actor) => archiveContact(contacts, contactId, actor),
    recordMailFeedback: (feedback) => recordMailFeedback(mailFeedback, feedback),
  };
}
