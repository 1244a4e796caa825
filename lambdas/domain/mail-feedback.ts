/**
 * Mail feedback: SES tells us that an invitation bounced or that its recipient complained about it.
 * We mark the contact's invitation `delivery` so that staff see in the wizard's line and in the audit
 * trail that an invitation never arrived (or was unwelcome), and can correct the email.
 *
 * Only a hard (`Permanent`) bounce marks `bounced`: a `Transient` or `Undetermined` bounce (a full
 * mailbox, a greylisting server) may still be followed by a delivery, so it is reported as ignored and
 * only logged by the caller.
 */
import { normaliseEmail } from '../contract/email';
import { auditEntry, eventActor, type AuditEntry } from './audit';

export type Delivery = 'bounced' | 'complained';

/** SES's feedback is an event from `aws.ses`: its actor is named like every other event's. */
export const MAIL_FEEDBACK_ACTOR = eventActor('aws.ses');

/** What SES said, as the event handler read it from the notification. */
export type MailFeedback =
  | { kind: 'bounce'; bounceType: string; bounceSubType?: string; recipients: string[]; messageId?: string; feedbackId?: string }
  | { kind: 'complaint'; complaintType?: string; recipients: string[]; messageId?: string; feedbackId?: string };

export interface MailFeedbackStore {
  /** The contact whose portal login uses this (normalised) email, if any. */
  contactIdByLoginEmail(email: string): Promise<string | undefined>;
  /**
   * Sets the contact's `portal.delivery` and writes the audit entry, both or neither, if the contact's
   * login still uses `email`. `unchanged` when the contact already says so (a repeated notification)
   * or its login moved to another address meanwhile; `missing` when the contact is gone.
   */
  markDelivery(contactId: string, email: string, delivery: Delivery, audit: AuditEntry): Promise<'marked' | 'unchanged' | 'missing'>;
}

export interface MailFeedbackDeps {
  store: MailFeedbackStore;
  now: () => Date;
}

/** Per recipient: what became of the notification. */
export interface FeedbackOutcome {
  email: string;
  contactId?: string;
  outcome: 'marked' | 'unchanged' | 'unknown' | 'ignored';
}

export const isHardBounce = (feedback: MailFeedback): boolean => feedback.kind === 'bounce' && feedback.bounceType === 'Permanent';

/** SES may report `"Name" <user@example.com>`; the login guard is keyed by the bare, normalised address. */
export function recipientEmail(raw: string): string | undefined {
  const angled = /<([^<>]+)>\s*$/.exec(raw);
  return normaliseEmail(angled?.[1] ?? raw);
}

export async function recordMailFeedback(deps: MailFeedbackDeps, feedback: MailFeedback): Promise<FeedbackOutcome[]> {
  const emails = [...new Set(feedback.recipients.map((raw) => recipientEmail(raw) ?? raw))];
  if (feedback.kind === 'bounce' && !isHardBounce(feedback)) return emails.map((email) => ({ email, outcome: 'ignored' }));

  const delivery: Delivery = feedback.kind === 'bounce' ? 'bounced' : 'complained';
  const outcomes: FeedbackOutcome[] = [];
  // Sequential: a notification names one recipient in practice (SES sends invitations one at a time).
  for (const email of emails) {
    const contactId = normaliseEmail(email) ? await deps.store.contactIdByLoginEmail(email) : undefined;
    if (!contactId) {
      outcomes.push({ email, outcome: 'unknown' });
      continue;
    }
    const audit = auditEntry(`invitation.${delivery}`, contactId, MAIL_FEEDBACK_ACTOR, deps.now().toISOString(), detailsOf(feedback, email));
    const result = await deps.store.markDelivery(contactId, email, delivery, audit);
    outcomes.push({ email, contactId, outcome: result === 'marked' ? 'marked' : result === 'unchanged' ? 'unchanged' : 'unknown' });
  }
  return outcomes;
}

function detailsOf(feedback: MailFeedback, email: string): Record<string, unknown> {
  const common = { email, messageId: feedback.messageId, feedbackId: feedback.feedbackId };
  const details =
    feedback.kind === 'bounce'
      ? { ...common, bounceType: feedback.bounceType, bounceSubType: feedback.bounceSubType }
      : { ...common, complaintType: feedback.complaintType };
  // DynamoDB's document client drops undefined values; the audit answer should not show them either.
  // Stryker disable next-line MethodExpression,ConditionalExpression: an undefined value and an absent one are the same audit entry (JSON and the document client drop it).
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));
}
