import * as z from 'zod';
import { accessSettingsInput, accessSettingsOutput } from './access';
import { email, id, isoDateTime, multilineText, page, problem } from './common';
import { delivery, portalStatus } from './contacts';

/** Why an invitation could not be delivered for good: what staff can act on (a wrong address, a login in use). */
export const deliveryError = z
  .object({
    code: z.enum(['recipient_rejected', 'login_in_use']),
    detail: z.string(),
    at: isoDateTime,
  })
  .meta({ id: 'DeliveryError' });
export type DeliveryError = z.infer<typeof deliveryError>;

export const wizardLine = z
  .object({
    contactId: id,
    name: z.string(),
    email: z.string().optional(),
    inPortal: z.boolean(),
    status: portalStatus,
    delivery: delivery.optional(),
    /** With `delivery: failed`: why. */
    deliveryError: deliveryError.optional(),
    ...accessSettingsOutput,
    /** A look-alike email domain (mixed alphabets): a hint for the staff, never a refusal. */
    warning: z.string().optional(),
  })
  .meta({ id: 'PortalAccessLine' });
export type WizardLine = z.infer<typeof wizardLine>;

export const wizard = z.object({ contactId: id, lines: z.array(wizardLine) });

/** A line's email is checked per line (a bad one fails that line alone), so here it is only bounded. */
export const applyLine = z.strictObject({
  contactId: z.string().max(128),
  email: z.string().max(254).optional(),
  inPortal: z.boolean(),
  ...accessSettingsInput,
});
export type ApplyLine = z.infer<typeof applyLine>;

export const applyBody = z.strictObject({
  message: multilineText(2000).optional(),
  lines: z.array(applyLine).min(1).max(500),
});
export type ApplyInput = z.infer<typeof applyBody>;

/** `updated`: only the scope, types or end of an access changed (no new invitation). */
export const outcome = z.enum(['granted', 'regranted', 'updated', 'revoked', 'unchanged', 'failed']);
export type Outcome = z.infer<typeof outcome>;

export const applyResult = z
  .object({ contactId: z.string(), outcome, status: portalStatus, error: problem.optional() })
  .meta({ id: 'PortalAccessResult' });
export type ApplyResult = z.infer<typeof applyResult>;

export const applyResponse = z.object({ results: z.array(applyResult) });

/** `delivery: "email"` (the default): a fresh invitation through the outbox, answered 202. */
export const reinviteBody = z.strictObject({ contactId: id.optional(), message: multilineText(2000).optional(), delivery: z.enum(['email']).optional() });
export type ReinviteInput = z.infer<typeof reinviteBody>;

export const auditEvent = z
  .object({
    at: isoDateTime,
    actor: z.string(),
    action: z.string(),
    contactId: id,
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof auditEvent>;
export const auditPage = page(auditEvent);

export const acceptInvitationBody = z.strictObject({
  token: z.string().min(1).max(512),
  password: z.string().min(1).max(256),
});

export { email };
