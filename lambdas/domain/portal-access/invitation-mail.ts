/**
 * The mails of the invitation lifecycle — the invitation, its one reminder, and the notice to the
 * staff user who invited — in the recipient's language (English when it has none we write), from
 * one typed template each (mail/). Plain functions of their input: the caller knows the facts.
 */
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../../contract/languages';
import type { Copy } from './mail/copy';
import { en } from './mail/en';
import { nl } from './mail/nl';
import { cutText, isBlank, oneLine, render } from './mail/template';
import type { InvitationMail } from './ports';

const COPY: Record<Language, Copy> = { en, nl };

/** What a name that cleans up to nothing is shown as (the stack's settings never give one). */
const PRODUCT = 'Portal Access';

/** How each language writes an instant: its own month names and word order, always in UTC. */
const LOCALE: Record<Language, string> = { en: 'en-GB', nl: 'nl-NL' };

/** A language tag (`nl`, `nl-BE`, `NL_nl`) as one of ours, else English. */
export function languageOf(tag: string | undefined): Language {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return isLanguage(primary) ? primary : DEFAULT_LANGUAGE;
}

/** `25 November 2026 at 09:05 UTC` / `25 november 2026 om 09:05 UTC`: the recipient reads the zone it is in. */
export function formatInstant(iso: string, lang: Language): string {
  const format = new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
  return `${format.format(new Date(iso))} UTC`;
}

/** A name shown in a mail (the business's, a staff user's): one line, at most 100 characters, never empty. */
export function displayName(name: string | undefined, fallback: string): string {
  const line = cutText(oneLine(name ?? ''), 100).trim();
  return line === '' ? fallback : line;
}

export interface InvitationMailInput {
  to: string;
  /** The invitee's name and `lang` (a contact's). */
  name: string;
  lang?: string;
  /** The business's name (the stack's setting). */
  business: string;
  /** The staff user who invited: its name, or its username. */
  inviter: string;
  link: string;
  expiresAt: string;
  /** The staff's message (plain text; the invitation only). */
  message?: string;
}

export function invitationMail(input: InvitationMailInput): InvitationMail {
  const lang = languageOf(input.lang);
  const template = COPY[lang].invitation({
    name: input.name,
    business: displayName(input.business, PRODUCT),
    inviter: displayName(input.inviter, input.business),
    link: input.link,
    expires: formatInstant(input.expiresAt, lang),
    // A message with nothing visible is none: no "… writes:" above an empty quote.
    ...(input.message === undefined || isBlank(input.message) ? {} : { message: input.message }),
  });
  return { to: input.to, ...render(template, lang) };
}

/** The one reminder: a fresh link; `sentAt` is when the invitation it reminds of went out. */
export function reminderMail(input: Omit<InvitationMailInput, 'message'> & { sentAt: string; handedOver?: boolean }): InvitationMail {
  const lang = languageOf(input.lang);
  const template = COPY[lang].reminder({
    name: input.name,
    business: displayName(input.business, PRODUCT),
    inviter: displayName(input.inviter, input.business),
    link: input.link,
    expires: formatInstant(input.expiresAt, lang),
    sentOn: formatInstant(input.sentAt, lang),
    ...(input.handedOver ? { handedOver: true } : {}),
  });
  return { to: input.to, ...render(template, lang) };
}

export interface StaffNoticeInput {
  to: string;
  /** The staff user's name (or username) and `locale` (Cognito's attribute, if any). */
  staffName: string;
  lang?: string;
  business: string;
  contact: { name: string; email: string };
  sentAt: string;
  expiresAt: string;
  /** The staff user handed the link over (`delivery: "link"`): the notice does not say it was sent. */
  handedOver?: boolean;
}

/** To the staff user who invited: the reminder went out, the invitation is still open. */
export function staffNoticeMail(input: StaffNoticeInput): InvitationMail {
  const lang = languageOf(input.lang);
  const template = COPY[lang].staffNotice({
    staffName: displayName(input.staffName, PRODUCT),
    business: displayName(input.business, PRODUCT),
    contactName: input.contact.name,
    contactEmail: input.contact.email,
    sentOn: formatInstant(input.sentAt, lang),
    expires: formatInstant(input.expiresAt, lang),
    ...(input.handedOver ? { handedOver: true } : {}),
  });
  return { to: input.to, ...render(template, lang) };
}

export const invitationLink = (portalUrl: string, token: string): string =>
  `${portalUrl.replace(/\/+$/, '')}/invitation?token=${encodeURIComponent(token)}`;
