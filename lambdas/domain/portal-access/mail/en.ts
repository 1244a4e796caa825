/** The mails in English (the fallback of every other language). */
import type { Copy } from './copy';

export const en: Copy = {
  invitation: (f) => ({
    subject: `Your invitation to the ${f.business} customer portal`,
    blocks: [
      { paragraph: [`Hello ${f.name},`] },
      {
        paragraph: [
          { strong: f.inviter },
          ' has invited you to the customer portal of ',
          { strong: f.business },
          ', where you can follow the documents that concern you: quotations and orders, invoices, projects, tickets and more.',
        ],
      },
      ...(f.message ? [{ paragraph: [`${f.inviter} writes:`] }, { quote: f.message }] : []),
      { action: { label: 'Accept the invitation and choose your password', href: f.link } },
      { paragraph: ['This link works once and is valid until ', { strong: f.expires }, '.'] },
      { paragraph: ['We never send or ask for passwords by email. If you did not expect this invitation, you can ignore this email.'] },
    ],
  }),
  reminder: (f) => ({
    subject: `Reminder: your invitation to the ${f.business} customer portal`,
    blocks: [
      { paragraph: [`Hello ${f.name},`] },
      {
        paragraph: [
          `On ${f.sentOn ?? 'an earlier day'}, `,
          { strong: f.inviter },
          ' invited you to the customer portal of ',
          { strong: f.business },
          `. You have not accepted the invitation yet, so here is a fresh link. ${f.handedOver ? 'The link you were given earlier' : 'The link in the earlier email'} no longer works.`,
        ],
      },
      { action: { label: 'Accept the invitation and choose your password', href: f.link } },
      { paragraph: ['This link works once and is valid until ', { strong: f.expires }, '. This is the only reminder.'] },
      { paragraph: ['We never send or ask for passwords by email. If you did not expect this invitation, you can ignore this email.'] },
    ],
  }),
  staffNotice: (f) => ({
    subject: `Reminder sent: ${f.contactName} has not accepted the portal invitation yet`,
    blocks: [
      { paragraph: [`Hello ${f.staffName},`] },
      {
        paragraph: [
          { strong: f.contactName },
          ` (${f.contactEmail}) has not yet accepted the invitation to the customer portal of ${f.business} that you ${f.handedOver ? 'shared' : 'sent'} on ${f.sentOn}.`,
        ],
      },
      {
        paragraph: [
          `We have sent ${f.contactName} one reminder with a fresh link, valid until `,
          { strong: f.expires },
          '. No further reminder follows: after that the invitation expires, and you can invite the contact again from the Grant portal access wizard.',
        ],
      },
    ],
  }),
};
