/**
 * The invitation lifecycle's mails: per language (en, nl, and the fallback), text and HTML from one
 * template saying the same, and escaping of every fact that can carry markup; the From header's
 * display name.
 */
import { mailbox } from '../../lambdas/adapters/ses/mailbox';
import { LANGUAGES } from '../../lambdas/contract/languages';
import { formatInstant, invitationMail, languageOf, reminderMail, staffNoticeMail } from '../../lambdas/domain/portal-access/invitation-mail';

const LINK = 'https://portal.example/invitation?token=AbC-123_xyz';
const base = {
  to: 'ann@example.com',
  name: 'Ann Smith',
  business: 'Azure Interior',
  inviter: 'Mia Staff',
  link: LINK,
  expiresAt: '2026-11-25T09:05:00.000Z',
};

/** The HTML part's visible text: tags dropped, entities read back, whitespace folded. */
const visible = (html: string) =>
  html
    .replace(/<title>.*?<\/title>/s, '')
    .replace(/<br>/g, '\n')
    .replace(/<\/?(strong|a)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('the invitation in English', () => {
  const mail = invitationMail({ ...base, lang: 'en', message: 'Welcome aboard!\r\nSee you soon.' });

  it('names the business, the inviter and the invitee; the link on a line of its own; the expiry in UTC', () => {
    expect(mail.to).toBe('ann@example.com');
    expect(mail.subject).toBe('Your invitation to the Azure Interior customer portal');
    expect(mail.text).toContain('Hello Ann Smith,');
    expect(mail.text).toContain('Mia Staff has invited you to the customer portal of Azure Interior');
    expect(mail.text).toContain(`\n${LINK}\n`);
    expect(mail.text).toContain('valid until 25 November 2026 at 09:05 UTC.');
    expect(mail.text).toContain('Mia Staff writes:\n\nWelcome aboard!\nSee you soon.');
    expect(mail.text).not.toMatch(/(temporary|your) password is/i);
    expect(mail.html).toContain(`<a href="${LINK}"`);
    expect(mail.html).toContain('<html lang="en">');
  });
});

describe('the invitation in Dutch', () => {
  const mail = invitationMail({ ...base, lang: 'nl', message: 'Welkom!' });

  it('is written in Dutch, with the date as the Dutch write it, in UTC', () => {
    expect(mail.subject).toBe('Uw uitnodiging voor het klantenportaal van Azure Interior');
    expect(mail.text).toContain('Beste Ann Smith,');
    expect(mail.text).toContain('Mia Staff heeft u uitgenodigd voor het klantenportaal van Azure Interior.');
    expect(mail.text).toContain(`Uitnodiging accepteren en wachtwoord kiezen:\n${LINK}\n`);
    expect(mail.text).toContain('geldig tot 25 november 2026 om 09:05 UTC.');
    expect(mail.text).toContain('Mia Staff schrijft:\n\nWelkom!');
    expect(mail.text.replace(LINK, '')).not.toMatch(/\b(the|you|your|invitation)\b/i);
    expect(mail.html).toContain('<html lang="nl">');
  });
});

describe('the language', () => {
  it('falls back to English for none or one we do not write; reads a region or an underscore', () => {
    expect(languageOf(undefined)).toBe('en');
    expect(languageOf('de')).toBe('en');
    expect(languageOf('')).toBe('en');
    expect(languageOf('nl-BE')).toBe('nl');
    expect(languageOf('NL_nl')).toBe('nl');
    expect(invitationMail({ ...base, lang: 'fr' }).subject).toBe(invitationMail({ ...base }).subject);
  });

  it('formats instants per language, always in UTC whatever the time zone of the process', () => {
    expect(formatInstant('2026-01-01T23:30:00.000Z', 'en')).toBe('1 January 2026 at 23:30 UTC');
    expect(formatInstant('2026-01-01T23:30:00.000Z', 'nl')).toBe('1 januari 2026 om 23:30 UTC');
  });
});

describe('the reminder and the staff notice', () => {
  it('the reminder carries the fresh link, the first sending date and the expiry, per language', () => {
    const en = reminderMail({ ...base, lang: 'en', sentAt: '2026-11-18T09:05:00.000Z' });
    expect(en.subject).toBe('Reminder: your invitation to the Azure Interior customer portal');
    expect(en.text).toContain('On 18 November 2026 at 09:05 UTC, Mia Staff invited you to the customer portal of Azure Interior.');
    expect(en.text).toContain('The link in the earlier email no longer works.');
    expect(en.text).toContain(`\n${LINK}\n`);
    expect(en.text).toContain('valid until 25 November 2026 at 09:05 UTC.');
    const nl = reminderMail({ ...base, lang: 'nl', sentAt: '2026-11-18T09:05:00.000Z' });
    expect(nl.subject).toBe('Herinnering: uw uitnodiging voor het klantenportaal van Azure Interior');
    expect(nl.text).toContain('Op 18 november 2026 om 09:05 UTC heeft Mia Staff u uitgenodigd');
    expect(nl.text).toContain('De link in de eerdere e-mail werkt niet meer.');
    expect(nl.text).toContain(`\n${LINK}\n`);
  });

  it('the staff notice names the contact and both dates, and carries no link to the invitation', () => {
    const input = { to: 'mia@example.com', staffName: 'Mia Staff', business: 'Azure Interior', contact: { name: 'Ann Smith', email: 'ann@example.com' }, sentAt: '2026-11-18T09:05:00.000Z', expiresAt: base.expiresAt };
    const en = staffNoticeMail(input);
    expect(en.to).toBe('mia@example.com');
    expect(en.subject).toBe('Reminder sent: Ann Smith has not accepted the portal invitation yet');
    expect(en.text).toContain('Ann Smith (ann@example.com) has not yet accepted the invitation to the customer portal of Azure Interior that you sent on 18 November 2026 at 09:05 UTC.');
    expect(en.text).toContain('valid until 25 November 2026 at 09:05 UTC.');
    expect(en.text).not.toContain('token=');
    const nl = staffNoticeMail({ ...input, lang: 'nl-NL' });
    expect(nl.subject).toBe('Herinnering verstuurd: Ann Smith heeft de portaaluitnodiging nog niet geaccepteerd');
    expect(nl.text).toContain('die u op 18 november 2026 om 09:05 UTC verstuurde nog niet geaccepteerd.');
  });
});

describe('one template, two parts', () => {
  const mails = LANGUAGES.flatMap((lang) => [
    invitationMail({ ...base, lang, message: 'Line one\nLine two' }),
    reminderMail({ ...base, lang, sentAt: '2026-11-18T09:05:00.000Z' }),
    staffNoticeMail({ to: 'm@example.com', staffName: 'Mia', lang, business: 'Azure', contact: { name: 'Ann', email: 'ann@example.com' }, sentAt: base.expiresAt, expiresAt: base.expiresAt }),
  ]);

  it.each(mails.map((mail) => [mail.subject, mail]))('%s: every line of the text is in the HTML', (_subject, mail) => {
    const html = visible(mail.html);
    for (const line of mail.text.split('\n').filter((l) => l.trim() !== '')) expect(html).toContain(line.replace(/:$/, '').replace(/\s+/g, ' ').trim());
  });
});

describe('escaping', () => {
  const hostile = `<img src=x onerror=alert(1)>"'&amp;`;
  const mail = invitationMail({
    ...base,
    name: hostile,
    business: `Evil ${hostile}\r\nBcc: x@evil.test`,
    inviter: hostile,
    link: 'https://portal.example/invitation?token=a"onmouseover="alert(1)',
    message: `${hostile}\n<script>alert(2)</script>`,
  });

  it('the HTML part escapes every fact: no tag, attribute or entity of theirs survives', () => {
    expect(mail.html).not.toMatch(/<img|<script|onmouseover="/);
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;amp;');
    expect(mail.html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(mail.html).toContain('href="https://portal.example/invitation?token=a&quot;onmouseover=&quot;alert(1)"');
    // Only our own tags: each one from the template's short list.
    const tags = new Set([...mail.html.matchAll(/<\/?([a-z!]+)/g)].map((m) => m[1]));
    expect([...tags].sort()).toEqual(['!doctype', 'a', 'blockquote', 'body', 'br', 'head', 'html', 'meta', 'p', 'strong', 'title'].sort());
  });

  it('the text part keeps the words as they are; the subject stays one line', () => {
    expect(mail.text).toContain(`Hello ${hostile},`);
    expect(mail.text).toContain(`${hostile}\n<script>alert(2)</script>`);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain('Evil');
  });
});

describe('the From header', () => {
  const decode = (header: string) =>
    [...header.matchAll(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8')).join('');

  it('quotes a printable ASCII name, escaping quotes and backslashes', () => {
    expect(mailbox('Azure Interior', 'no-reply@portal.example')).toBe('"Azure Interior" <no-reply@portal.example>');
    expect(mailbox('The "Best" \\ Shop', 'a@b.example')).toBe('"The \\"Best\\" \\\\ Shop" <a@b.example>');
  });

  it('cannot be broken out of: line breaks and control characters are gone, whatever the name', () => {
    const header = mailbox('Shop"\r\nBcc: victim@evil.test\r\n\r\n<x>', 'a@b.example');
    expect(header).not.toMatch(/[\r\n\u0000-\u001f]/);
    expect(header).toBe('"Shop\\" Bcc: victim@evil.test <x>" <a@b.example>');
    expect(mailbox('\r\n\t', 'a@b.example')).toBe('a@b.example');
  });

  it('encodes a non-ASCII name as UTF-8 encoded words of at most 75 characters, never splitting a character', () => {
    const name = 'Bakkerij Ödön & Zoon — 🍞 '.repeat(4).trim();
    const header = mailbox(name, 'a@b.example');
    expect(header.endsWith(' <a@b.example>')).toBe(true);
    const words = header.slice(0, -' <a@b.example>'.length).split(' ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) {
      expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
      expect(word.length).toBeLessThanOrEqual(75);
      expect(Buffer.from(word.slice(10, -2), 'base64').toString('utf8')).not.toContain('\ufffd');
    }
    expect(decode(header)).toBe(name.replace(/\s+/g, ' ').slice(0, 100).trim());
  });

  it('cuts a long name at 100 characters between two characters, never inside an emoji or before its combining mark', () => {
    const header = mailbox(`${'a'.repeat(99)}😀 tail`, 'a@b.example');
    expect(header).toBe(`"${'a'.repeat(99)}" <a@b.example>`);
    expect(decode(mailbox(`${'ö'.repeat(99)}😀 tail`, 'a@b.example'))).toBe('ö'.repeat(99));
    expect(decode(mailbox(`${'ö'.repeat(99)}e\u0301`, 'a@b.example'))).toBe('ö'.repeat(99));
  });
});
