/**
 * Invitations: the single-use link of the invitation email, and its acceptance.
 *
 * A token is 32 random bytes (256 bits), base64url; only its SHA-256 is stored, on an invitation
 * item (TTL'd) and on the contact. A contact has at most one live invitation: a fresh one deletes
 * the previous item, a revocation and an acceptance delete it, so a re-invited, revoked or used
 * token finds nothing. Every unusable token answers the same `Gone`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ContactRecord } from './contact-record';
import { auditEntry, INVITEE, type AuditEntry } from './audit';
import { ABANDONED_AFTER_MS } from './idempotency';
import { Conflict, Gone, Invalid } from './errors';
import type { InvitationMail, LoginRecord, PortalAccessDeps } from './portal-access-ports';

export interface Invitation {
  tokenHash: string;
  expiresAt: string;
  issuedAt: string;
}

/**
 * How long an unsent invitation may still be on its way through another live request: longer than
 * the mailer may take (its deadline, MAIL_DEADLINE_MS) plus the write that marks it sent.
 */
export const MAIL_DEADLINE_MS = 8_000;
export const SENDING_WINDOW_MS = 15_000;

const DAY_MS = 24 * 60 * 60 * 1000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The one answer to every unusable token: it says nothing about why. */
export const GONE_DETAIL = 'This invitation cannot be used any more. Ask for a new one.';

/**
 * The customer pool's password policy, checked here too because the local Cognito emulator does not
 * enforce it. The CDK pool should read these numbers from here so the two cannot drift apart.
 */
export const PASSWORD_POLICY = { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true } as const;
export const PASSWORD_REFUSED =
  `The password must have at least ${PASSWORD_POLICY.minLength} characters, with a lower-case and an upper-case letter, a digit and a symbol.`;

export const meetsPasswordPolicy = (password: string): boolean =>
  password.length >= PASSWORD_POLICY.minLength && /[a-z]/.test(password) && /[A-Z]/.test(password) && /[0-9]/.test(password) && /[^A-Za-z0-9]/.test(password);

export const newToken = (): string => randomBytes(32).toString('base64url');
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

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

/**
 * Steps 3 and 4 of a grant (and a re-invite): a fresh invitation replaces the previous one (and
 * the Cognito login is recorded with it, if it is not yet), the email goes out, and only then is
 * the invitation marked sent, with the audit entry. A crash before the mark leaves an unsent
 * invitation, which a repeat replaces and sends: one email.
 */
export async function sendInvitation(
  deps: Pick<PortalAccessDeps, 'store' | 'mailer' | 'now' | 'config'>,
  contact: ContactRecord,
  message: string | undefined,
  audit: AuditEntry,
  login: LoginRecord,
): Promise<void> {
  const email = login.email;
  const token = newToken();
  const now = deps.now();
  const invitation = {
    tokenHash: hashToken(token),
    expiresAt: new Date(now.getTime() + deps.config.invitationTtlDays * DAY_MS).toISOString(),
    issuedAt: now.toISOString(),
  };
  const unrecorded = contact.login?.sub === login.sub && contact.login.username === login.username && !contact.login.disabledAt ? undefined : login;
  if (!(await deps.store.replaceInvitation(contact.id, invitation, contact.invitation?.tokenHash, unrecorded)))
    throw new Conflict('The contact changed meanwhile; repeat the request.');
  const mail = invitationMail({
    to: email,
    name: contact.name,
    link: invitationLink(deps.config.portalUrl, token),
    expiresAt: invitation.expiresAt,
    ...(message === undefined ? {} : { message }),
  });
  try {
    await deps.mailer.send(mail);
  } catch (error) {
    // Not sent: drop it, so that the repeat goes on at once instead of waiting for it (SENDING_WINDOW_MS).
    await deps.store.dropUnsentInvitation(contact.id, invitation.tokenHash).catch(() => undefined);
    throw error;
  }
  if (!(await deps.store.markInvitationSent(contact.id, invitation.tokenHash, deps.now().toISOString(), audit)))
    throw new Conflict('The contact changed while its invitation was sent; repeat the request.');
}

/**
 * Accepts an invitation: claims it (one of two concurrent accepts wins), sets the password, then
 * activates the access and deletes the invitation in one transaction. A refused password releases
 * the claim so that the invitee can try another one.
 */
export async function acceptInvitation(
  deps: Pick<PortalAccessDeps, 'contacts' | 'store' | 'logins' | 'now'>,
  token: string,
  password: string,
): Promise<void> {
  const gone = () => new Gone(GONE_DETAIL);
  if (!TOKEN.test(token)) throw gone();
  const tokenHash = hashToken(token);
  const now = deps.now();
  const claimedAt = now.toISOString();
  const invitation = await deps.store.getInvitation(tokenHash);
  if (!invitation || invitation.expiresAt <= claimedAt) throw gone();
  if (!meetsPasswordPolicy(password)) throw new Invalid(PASSWORD_REFUSED, 'password');
  if (!(await deps.store.claimInvitation(tokenHash, claimedAt, new Date(now.getTime() - ABANDONED_AFTER_MS).toISOString()))) throw gone();
  let activated: boolean;
  try {
    const contact = await deps.contacts.get(invitation.contactId);
    const username = contact?.login?.username;
    if (!contact || contact.archived || contact.portal.status !== 'invited' || contact.invitation?.tokenHash !== tokenHash || !username) throw gone();
    await deps.logins.setPassword(username, password);
    // Sessions from before (an adopted login's earlier user) end with the invitation's acceptance.
    await deps.logins.signOut(username);
    const at = deps.now().toISOString();
    activated = await deps.store.activate(invitation.contactId, tokenHash, claimedAt, at, auditEntry('invitation.accepted', invitation.contactId, INVITEE, at));
  } catch (error) {
    // A refused password or an unavailable dependency: the invitee may try again at once.
    await deps.store.releaseInvitation(tokenHash, claimedAt).catch(() => undefined);
    throw error;
  }
  // Revoked or re-invited while we set the password: that invitation is dead.
  if (!activated) throw gone();
}
