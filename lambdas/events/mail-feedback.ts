import type { MailFeedback } from '../domain/mail-feedback';
import { SES_DETAIL_TYPES } from '../contract/events';
import { parseOrReject } from './rejected';
import { sesBounce, sesComplaint } from '../contract/schemas/event-details';

/**
 * SES's notification as the domain's `MailFeedback`. The recipients are the ones SES names in the
 * bounce or complaint (a message may have had others that were delivered); only when it names none
 * do we fall back on the message's destination.
 */
export function mailFeedbackOf(detailType: string, detail: unknown): MailFeedback {
  if (detailType === SES_DETAIL_TYPES.bounce) {
    const { mail, bounce } = parseOrReject(sesBounce, detail, `${detailType} detail`);
    const named = bounce.bouncedRecipients.map((r) => r.emailAddress);
    return {
      kind: 'bounce',
      bounceType: bounce.bounceType,
      bounceSubType: bounce.bounceSubType,
      recipients: named.length > 0 ? named : mail.destination,
      messageId: mail.messageId,
      feedbackId: bounce.feedbackId,
    };
  }
  const { mail, complaint } = parseOrReject(sesComplaint, detail, `${detailType} detail`);
  const named = complaint.complainedRecipients.map((r) => r.emailAddress);
  return {
    kind: 'complaint',
    complaintType: complaint.complaintFeedbackType,
    recipients: named.length > 0 ? named : mail.destination,
    messageId: mail.messageId,
    feedbackId: complaint.feedbackId,
  };
}
