import * as z from 'zod';
import { lazy, type Infer } from './lazy';
import { accessSettingsInput, accessSettingsOutput } from './access';
import { email, id, isoDateTime, multilineText, page, problem } from './common';
import { delivery, portalStatus } from './contacts';

/** Why an invitation could not be delivered for good: what staff can act on (a wrong address, a login in use). */
export const deliveryError = lazy(() =>
  z
    .object({
      code: z.enum(['recipient_rejected', 'login_in_use']),
      detail: z.string(),
      at: isoDateTime(),
    })
    .meta({ id: 'DeliveryError' }),
);
export type DeliveryError = Infer<typeof deliveryError>;

/**
 * The line's invitation, once one was issued: `pending` until accepted or expired (read so at its
 * `expiresAt`, before the scheduled job records it); `sentAt` when it was first mailed, `remindedAt`
 * when its one reminder (a fresh link, the same expiry) went out.
 */
export const lineInvitation = lazy(() =>
  z
    .object({
      status: z.enum(['pending', 'accepted', 'expired']),
      sentAt: isoDateTime().optional(),
      expiresAt: isoDateTime(),
      remindedAt: isoDateTime().optional(),
    })
    .meta({ id: 'PortalInvitation' }),
);
export type LineInvitation = Infer<typeof lineInvitation>;

export const wizardLine = lazy(() =>
  z
    .object({
      contactId: id(),
      name: z.string(),
      email: z.string().optional(),
      inPortal: z.boolean(),
      status: portalStatus(),
      delivery: delivery().optional(),
      /** With `delivery: failed`: why. */
      deliveryError: deliveryError().optional(),
      ...accessSettingsOutput(),
      invitation: lineInvitation().optional(),
      /** A look-alike email domain (mixed alphabets): a hint for the staff, never a refusal. */
      warning: z.string().optional(),
    })
    .meta({ id: 'PortalAccessLine' }),
);
export type WizardLine = Infer<typeof wizardLine>;

export const wizard = lazy(() => z.object({ contactId: id(), lines: z.array(wizardLine()) }));

/**
 * A line's contact and email are checked per line, whatever they hold (a contact outside the wizard,
 * an email that is none — too long too — fails that line alone), so here they are only strings.
 */
export const applyLine = lazy(() =>
  z.strictObject({
    contactId: z.string(),
    email: z.string().optional(),
    inPortal: z.boolean(),
    ...accessSettingsInput(),
  }),
);
export type ApplyLine = Infer<typeof applyLine>;

export const applyBody = lazy(() =>
  z.strictObject({
    message: multilineText(2000).optional(),
    lines: z.array(applyLine()).min(1).max(500),
  }),
);
export type ApplyInput = Infer<typeof applyBody>;

/** `updated`: only the scope, types or end of an access changed (no new invitation). */
export const outcome = lazy(() => z.enum(['granted', 'regranted', 'updated', 'revoked', 'unchanged', 'failed']));
export type Outcome = Infer<typeof outcome>;

export const applyResult = lazy(() =>
  z
    .object({ contactId: z.string(), outcome: outcome(), status: portalStatus(), error: problem().optional() })
    .meta({ id: 'PortalAccessResult' }),
);
export type ApplyResult = Infer<typeof applyResult>;

export const applyResponse = lazy(() => z.object({ results: z.array(applyResult()) }));

/**
 * `delivery: "email"` (the default): a fresh invitation through the outbox, answered 202. `"link"`: a fresh link
 * answered to the staff user (200), who passes it on; no email. The previous link dies either way.
 */
export const reinviteBody = lazy(() =>
  z.strictObject({
    contactId: id().optional(),
    message: multilineText(2000).optional(),
    delivery: z.enum(['email', 'link']).optional(),
  }),
);
export type ReinviteInput = Infer<typeof reinviteBody>;

/** The answer to a re-invite with `delivery: "link"`: the only time the link is shown. */
export const reinviteLink = lazy(() => z.object({ url: z.string(), expiresAt: isoDateTime() }).meta({ id: 'InvitationLink' }));
export type ReinviteLink = Infer<typeof reinviteLink>;

export const auditEvent = lazy(() =>
  z
    .object({
      at: isoDateTime(),
      actor: z.string(),
      action: z.string(),
      contactId: id(),
      details: z.record(z.string(), z.unknown()),
    })
    .meta({ id: 'AuditEvent' }),
);
export type AuditEvent = Infer<typeof auditEvent>;
export const auditPage = lazy(() => page(auditEvent()));

export const acceptInvitationBody = lazy(() =>
  z.strictObject({
    token: z.string().min(1).max(512),
    password: z.string().min(1).max(256),
  }),
);

export { email };
