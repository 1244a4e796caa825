/** The invitation email's text, and its link: plain functions of their input. */
import type { InvitationMail } from './ports';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export const INVITATION_SUBJECT = 'Your invitation to the customer portal';

/**
 * The invitation email. The staff's message is plain text in both parts (escaped in the HTML one);
 * it never reaches a header: the subject is fixed and the recipient is a validated address.
 */
export function invitationMail(input: { to: string; name: string; link: string; expiresAt: string; message?: string }): InvitationMail {
  const message = input.message?.replace(/\r\n?/g, '\n').trim();
  const until = new Date(input.expiresAt).toUTCString();
  const text = [
    `Hello ${input.name},`,
    '',
    'You have been given access to our customer portal, where you can follow your documents.',
    ...(message ? ['', message] : []),
    '',
    `To accept the invitation and choose your password, open this link (valid until ${until}):`,
    input.link,
    '',
    'If you did not expect this invitation, you can ignore this email.',
  ].join('\n');
  const html = [
    '<!doctype html><html><body>',
    `<p>Hello ${escapeHtml(input.name)},</p>`,
    '<p>You have been given access to our customer portal, where you can follow your documents.</p>',
    ...(message ? [`<p>${escapeHtml(message).replace(/\n/g, '<br>')}</p>`] : []),
    `<p><a href="${escapeHtml(input.link)}">Accept the invitation and choose your password</a> (valid until ${escapeHtml(until)}).</p>`,
    '<p>If you did not expect this invitation, you can ignore this email.</p>',
    '</body></html>',
  ].join('\n');
  return { to: input.to, subject: INVITATION_SUBJECT, text, html };
}

export const invitationLink = (portalUrl: string, token: string): string =>
  `${portalUrl.replace(/\/+$/, '')}/invitation?token=${encodeURIComponent(token)}`;
