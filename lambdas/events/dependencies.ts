import { dynamoMailFeedbackStore } from '../adapters/dynamodb/mail-feedback-store';
import { recordMailFeedback, type FeedbackOutcome, type MailFeedback } from '../domain/mail-feedback';

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
  const mailFeedback = { store: dynamoMailFeedbackStore(), now: () => new Date() };
  const pending = async (): Promise<never> => {
    throw new Error('portal-access domain not wired yet');
  };
  return {
    revokeAccess: pending,
    revokeCompany: pending,
    archiveContact: pending,
    recordMailFeedback: (feedback) => recordMailFeedback(mailFeedback, feedback),
  };
}
