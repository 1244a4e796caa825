/**
 * The invitation lifecycle's mails word for word, per language: the copy is what the invitee and the
 * staff read, so every sentence, the button's label and the HTML frame are pinned here (a change of
 * the copy changes this test on purpose). Also: a staff message with nothing visible is left out with
 * its introduction, line breaks and control characters in a message, names that are blank or too
 * long, and the portal URL's trailing slashes.
 */
import { invitationLink, invitationMail, reminderMail, staffNoticeMail } from '../../lambdas/domain/portal-access/invitation-mail';

const base = { to: 'ann@example.com', name: 'Ann Smith', business: 'Azure Interior', inviter: 'Mia Staff', link: 'https://portal.example/invitation?token=AbC-123_xyz', expiresAt: '2026-11-25T09:05:00.000Z' };
const SENT = '2026-11-18T09:05:00.000Z';
const notice = (lang: string) =>
  staffNoticeMail({ to: 'mia@example.com', staffName: 'Mia Staff', lang, business: 'Azure Interior', contact: { name: 'Ann Smith', email: 'ann@example.com' }, sentAt: SENT, expiresAt: base.expiresAt });

describe('in English', () => {
  it("the invitation", () => {
    const mail = invitationMail({ ...base, lang: 'en', message: 'Welcome!\r\nSee you.' });
    expect(mail.subject).toBe("Your invitation to the Azure Interior customer portal");
    expect(mail.text).toBe(`Hello Ann Smith,

Mia Staff has invited you to the customer portal of Azure Interior, where you can follow the documents that concern you: quotations and orders, invoices, projects, tickets and more.

Mia Staff writes:

Welcome!
See you.

Accept the invitation and choose your password:
https://portal.example/invitation?token=AbC-123_xyz

This link works once and is valid until 25 November 2026 at 09:05 UTC.

We never send or ask for passwords by email. If you did not expect this invitation, you can ignore this email.
`);
  });

  it("the reminder", () => {
    const mail = reminderMail({ ...base, lang: 'en', sentAt: SENT });
    expect(mail.subject).toBe("Reminder: your invitation to the Azure Interior customer portal");
    expect(mail.text).toBe(`Hello Ann Smith,

On 18 November 2026 at 09:05 UTC, Mia Staff invited you to the customer portal of Azure Interior. You have not accepted the invitation yet, so here is a fresh link. The link in the earlier email no longer works.

Accept the invitation and choose your password:
https://portal.example/invitation?token=AbC-123_xyz

This link works once and is valid until 25 November 2026 at 09:05 UTC. This is the only reminder.

We never send or ask for passwords by email. If you did not expect this invitation, you can ignore this email.
`);
  });

  it("the inviter's notice", () => {
    const mail = notice('en');
    expect(mail.subject).toBe("Reminder sent: Ann Smith has not accepted the portal invitation yet");
    expect(mail.text).toBe(`Hello Mia Staff,

Ann Smith (ann@example.com) has not yet accepted the invitation to the customer portal of Azure Interior that you sent on 18 November 2026 at 09:05 UTC.

We have sent Ann Smith one reminder with a fresh link, valid until 25 November 2026 at 09:05 UTC. No further reminder follows: after that the invitation expires, and you can invite the contact again from the Grant portal access wizard.
`);
  });

});

describe('in Dutch', () => {
  it("the invitation", () => {
    const mail = invitationMail({ ...base, lang: 'nl', message: 'Welcome!\r\nSee you.' });
    expect(mail.subject).toBe("Uw uitnodiging voor het klantenportaal van Azure Interior");
    expect(mail.text).toBe(`Beste Ann Smith,

Mia Staff heeft u uitgenodigd voor het klantenportaal van Azure Interior. Daar bekijkt u de documenten die u aangaan: offertes en verkooporders, facturen, projecten, tickets en meer.

Mia Staff schrijft:

Welcome!
See you.

Uitnodiging accepteren en wachtwoord kiezen:
https://portal.example/invitation?token=AbC-123_xyz

Deze link werkt één keer en is geldig tot 25 november 2026 om 09:05 UTC.

Wij sturen of vragen nooit wachtwoorden per e-mail. Had u deze uitnodiging niet verwacht? Dan kunt u deze e-mail negeren.
`);
  });

  it("the reminder", () => {
    const mail = reminderMail({ ...base, lang: 'nl', sentAt: SENT });
    expect(mail.subject).toBe("Herinnering: uw uitnodiging voor het klantenportaal van Azure Interior");
    expect(mail.text).toBe(`Beste Ann Smith,

Op 18 november 2026 om 09:05 UTC heeft Mia Staff u uitgenodigd voor het klantenportaal van Azure Interior. U hebt de uitnodiging nog niet geaccepteerd; daarom ontvangt u hierbij een nieuwe link. De link in de eerdere e-mail werkt niet meer.

Uitnodiging accepteren en wachtwoord kiezen:
https://portal.example/invitation?token=AbC-123_xyz

Deze link werkt één keer en is geldig tot 25 november 2026 om 09:05 UTC. Dit is de enige herinnering.

Wij sturen of vragen nooit wachtwoorden per e-mail. Had u deze uitnodiging niet verwacht? Dan kunt u deze e-mail negeren.
`);
  });

  it("the inviter's notice", () => {
    const mail = notice('nl');
    expect(mail.subject).toBe("Herinnering verstuurd: Ann Smith heeft de portaaluitnodiging nog niet geaccepteerd");
    expect(mail.text).toBe(`Beste Mia Staff,

Ann Smith (ann@example.com) heeft de uitnodiging voor het klantenportaal van Azure Interior die u op 18 november 2026 om 09:05 UTC verstuurde nog niet geaccepteerd.

Wij hebben Ann Smith één herinnering gestuurd met een nieuwe link, geldig tot 25 november 2026 om 09:05 UTC. Er volgt geen verdere herinnering: daarna verloopt de uitnodiging, en kunt u het contact opnieuw uitnodigen via de wizard ‘Grant portal access’ (de beheerconsole is in het Engels).
`);
  });

});

describe('a link staff handed over (a re-invite with delivery "link"), never mailed', () => {
  it.each([
    ['en', 'The link you were given earlier no longer works.', 'that you shared on 18 November 2026 at 09:05 UTC.'],
    ['nl', 'De link die u eerder kreeg werkt niet meer.', 'die u op 18 november 2026 om 09:05 UTC deelde nog niet geaccepteerd.'],
  ])('%s: the reminder speaks of the link given, not of an email; the notice says shared, not sent', (lang, reminderSays, noticeSays) => {
    const reminder = reminderMail({ ...base, lang, sentAt: SENT, handedOver: true });
    expect(reminder.text).toContain(reminderSays);
    expect(reminder.html).toContain(reminderSays);
    expect(reminder.text).not.toMatch(/earlier email|eerdere e-mail/);
    const told = staffNoticeMail({ to: 'mia@example.com', staffName: 'Mia Staff', lang, business: 'Azure Interior', contact: { name: 'Ann Smith', email: 'ann@example.com' }, sentAt: SENT, expiresAt: base.expiresAt, handedOver: true });
    expect(told.text).toContain(noticeSays);
    expect(told.text).not.toMatch(/you sent|verstuurde/);
  });
});

describe('the HTML part', () => {
  it('is the same blocks in one fixed frame: paragraphs, the quote with its line breaks, the button and the link again', () => {
    expect(invitationMail({ ...base, lang: 'en', message: 'Welcome!\r\nSee you.' }).html).toBe(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Your invitation to the Azure Interior customer portal</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222222">
<p>Hello Ann Smith,</p>
<p><strong>Mia Staff</strong> has invited you to the customer portal of <strong>Azure Interior</strong>, where you can follow the documents that concern you: quotations and orders, invoices, projects, tickets and more.</p>
<p>Mia Staff writes:</p>
<blockquote style="margin:16px 0;padding:8px 16px;border-left:3px solid #ccc">Welcome!<br>See you.</blockquote>
<p><a href="https://portal.example/invitation?token=AbC-123_xyz" style="display:inline-block;padding:10px 18px;background:#1f5fa8;color:#ffffff;text-decoration:none;border-radius:4px">Accept the invitation and choose your password</a></p>
<p style="font-size:12px;color:#555555;word-break:break-all">https://portal.example/invitation?token=AbC-123_xyz</p>
<p>This link works once and is valid until <strong>25 November 2026 at 09:05 UTC</strong>.</p>
<p>We never send or ask for passwords by email. If you did not expect this invitation, you can ignore this email.</p>
</body></html>`);
  });
});
describe('what the staff and the stack supply', () => {
  it('a message with nothing visible (blanks, line breaks, separators, zero-width characters) is left out, "… writes:" too', () => {
    // Zero-width spaces, joiners, a word joiner, a soft hyphen (what a paste from a word processor or chat can leave): no glyph.
    for (const message of [' \r\n \t ', '\u2028\u0085', '\u200b', ' \u200b\n\u2060 \u00ad\u200c\u200d\u180e ']) {
      const mail = invitationMail({ ...base, message });
      expect(mail.text).not.toContain('writes:');
      expect(mail.html).not.toContain('writes:');
      expect(mail.html).not.toContain('<blockquote');
      expect(mail.text).toBe(invitationMail(base).text);
    }
  });

  it('a message with words and zero-width characters around them is kept as written', () => {
    const mail = invitationMail({ ...base, message: '\u200bWelcome\u200b' });
    expect(mail.text).toContain('Mia Staff writes:\n\n\u200bWelcome\u200b\n\nAccept');
  });

  it("a message's line breaks are kept (CRLF and CR as one), its other control and bidi characters dropped, its edges trimmed", () => {
    const mail = invitationMail({ ...base, message: '  Line\u0085one\r\nline\rtwo\u202e  ' });
    expect(mail.text).toContain('Mia Staff writes:\n\nLineone\nline\ntwo\n\nAccept');
    expect(mail.html).toContain('>Lineone<br>line<br>two</blockquote>');
  });

  it('a blank business name reads as the product, a blank inviter as the business; a long name is cut at 100 characters and trimmed, on one line', () => {
    expect(invitationMail({ ...base, business: ' \n ' }).subject).toBe('Your invitation to the Portal Access customer portal');
    expect(invitationMail({ ...base, inviter: '  ' }).text).toContain('\nAzure Interior has invited you');
    const long = `\u202eMia${'y'.repeat(96)} \n tail`;
    expect(invitationMail({ ...base, inviter: long }).text).toContain(`\nMia${'y'.repeat(96)} has invited you`);
    expect(invitationMail({ ...base, inviter: 'Mia\r\nBcc: x@evil.example' }).text).toContain('\nMia Bcc: x@evil.example has invited you');
  });

  it('a long name is cut between two characters as a reader sees them: never inside an emoji or before its combining mark', () => {
    const inviterLine = (inviter: string) => invitationMail({ ...base, inviter }).text.split('\n')[2]!;
    // The 100th UTF-16 unit is the first half of an emoji: the emoji goes whole, no lone surrogate is left.
    expect(inviterLine(`${'a'.repeat(99)}😀 tail`)).toBe(`${'a'.repeat(99)} has invited you to the customer portal of Azure Interior, where you can follow the documents that concern you: quotations and orders, invoices, projects, tickets and more.`);
    // A combining accent past the 100th unit goes with its letter, not without it.
    expect(inviterLine(`${'e'.repeat(99)}e\u0301 tail`)).toMatch(new RegExp(`^${'e'.repeat(99)} has invited you`));
    // A family emoji (one character, eight units) that would not fit goes whole; one that fits stays whole.
    expect(inviterLine(`${'f'.repeat(95)}👩‍👩‍👧 tail`)).toMatch(new RegExp(`^${'f'.repeat(95)} has invited you`));
    expect(inviterLine(`${'f'.repeat(92)}👩‍👩‍👧 tail`)).toMatch(new RegExp(`^${'f'.repeat(92)}👩‍👩‍👧 has invited you`));
    // One character longer than the bound (a letter under 200 accents) is cut by code points, not dropped.
    expect(inviterLine(`e${'\u0301'.repeat(200)}`)).toMatch(new RegExp(`^e${'\u0301'.repeat(99)} has invited you`));
    // The business name in the subject, alike.
    expect(invitationMail({ ...base, business: `${'b'.repeat(99)}😀` }).subject).toBe(`Your invitation to the ${'b'.repeat(99)} customer portal`);
  });

  it("the link is the portal's invitation page, whatever trailing slashes the setting has, with the token encoded", () => {
    expect(invitationLink('https://portal.example//', 'a b')).toBe('https://portal.example/invitation?token=a%20b');
    expect(invitationLink('https://portal.example', 'AbC-123_xyz')).toBe('https://portal.example/invitation?token=AbC-123_xyz');
  });
});
