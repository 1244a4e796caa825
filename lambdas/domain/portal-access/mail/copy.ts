/**
 * What each language's mails say, as typed templates (template.ts). Every language provides the
 * same three mails with the same facts; the facts arrive formatted for the language (dates) and
 * are text, never markup.
 */
import type { Template } from './template';

export interface InvitationFacts {
  /** The invitee's name. */
  name: string;
  business: string;
  /** Who invited: the staff user's name, or its username. */
  inviter: string;
  link: string;
  /** When the link stops working, formatted for the language, in UTC (and saying so). */
  expires: string;
  /** The staff's message, plain text (the invitation only). */
  message?: string;
  /** When the first invitation went out, formatted (the reminder only). */
  sentOn?: string;
  /** The reminder of a link staff handed over (a re-invite with `delivery: "link"`), not an emailed one. */
  handedOver?: boolean;
}

export interface NoticeFacts {
  /** The staff user told: its name, or its username. */
  staffName: string;
  business: string;
  contactName: string;
  contactEmail: string;
  sentOn: string;
  expires: string;
  /** The staff user handed the link over (a re-invite with `delivery: "link"`) instead of having it emailed. */
  handedOver?: boolean;
}

export interface Copy {
  /** The invitation: a link to accept and choose a password. */
  invitation(facts: InvitationFacts): Template;
  /** The one reminder: a fresh link (the earlier one no longer works). */
  reminder(facts: InvitationFacts): Template;
  /** To the staff user who invited: the reminder went out, the invitation is still open. */
  staffNotice(facts: NoticeFacts): Template;
}
