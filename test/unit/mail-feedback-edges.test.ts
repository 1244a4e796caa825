/**
 * SES feedback at the edges the main suite (events-mail-feedback.test.ts) leaves open: a recipient
 * written with a display name, a contact that went away between the look-up and the write, a
 * repeat, and what the outcome says for each.
 */
import type { AuditEntry } from '../../lambdas/domain/audit';
import { recipientEmail, recordMailFeedback, type MailFeedbackStore } from '../../lambdas/domain/mail-feedback';

const NOW = new Date('2026-11-10T12:00:00.000Z');

describe('a recipient as SES writes it', () => {
  it('with a display name and trailing blanks is its bare, normalised address', () => {
    expect(recipientEmail('"Pat O\'Brien" <Pat@Example.COM>  ')).toBe('pat@example.com');
    expect(recipientEmail(' pat@example.com ')).toBe('pat@example.com');
  });

  it('with anything after the angle brackets is not an address', () => {
    expect(recipientEmail('<pat@example.com> and more')).toBeUndefined();
  });
});

describe("the outcome of a hard bounce, per the store's answer", () => {
  it.each([
    ['marked', 'marked'],
    ['unchanged', 'unchanged'],
    ['missing', 'unknown'],
  ] as const)('%s: %s, the audit entry offered with the bounce', async (answer, outcome) => {
    const audits: AuditEntry[] = [];
    const store: MailFeedbackStore = {
      contactIdByLoginEmail: async (email) => (email === 'pat@example.com' ? 'p1' : undefined),
      markDelivery: async (_contactId, _email, _delivery, audit) => {
        audits.push(audit);
        return answer;
      },
    };
    const outcomes = await recordMailFeedback(
      { store, now: () => NOW },
      { kind: 'bounce', bounceType: 'Permanent', bounceSubType: 'General', recipients: ['Pat <pat@example.com>'], messageId: 'm-1', feedbackId: 'f-1' },
    );
    expect(outcomes).toEqual([{ email: 'pat@example.com', contactId: 'p1', outcome }]);
    expect(audits).toEqual([
      {
        at: NOW.toISOString(),
        actor: expect.any(String),
        action: 'invitation.bounced',
        contactId: 'p1',
        details: { email: 'pat@example.com', messageId: 'm-1', feedbackId: 'f-1', bounceType: 'Permanent', bounceSubType: 'General' },
      },
    ]);
  });
});
