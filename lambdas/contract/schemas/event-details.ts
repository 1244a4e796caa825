/**
 * The shapes of the events this handler consumes. The envelope is EventBridge's own (it may grow
 * fields, so it is not strict); the details we define are strict, like every body of the API, so an
 * ambiguous event (`{ contactId, companyId }`) goes to the dead-letter path instead of being guessed at.
 * SES's notifications are AWS's shape: we read the few fields we need and tolerate the rest.
 */
import * as z from 'zod';
import { id, multilineText } from './common';

export const eventEnvelope = z.object({
  id: z.string().max(256).optional(),
  'detail-type': z.string().min(1).max(256),
  source: z.string().min(1).max(256),
  time: z.string().max(64).optional(),
  detail: z.unknown(),
});
export type EventEnvelope = z.infer<typeof eventEnvelope>;

/**
 * The sender's note for the audit trail: free text over any number of lines. It only annotates the
 * revocation, so an empty, blank or null one (a serialiser's "no value") is no reason, not a reason
 * to leave the access in place.
 */
const reason = multilineText(1000)
  .transform((s) => s.trim() || undefined)
  .nullish()
  .transform((s) => s ?? undefined);

/** `{ contactId } | { companyId }`, and an optional reason: exactly one of the two ids. */
export const revocationRequested = z
  .strictObject({ contactId: id().optional(), companyId: id().optional(), reason })
  .refine((d) => (d.contactId === undefined) !== (d.companyId === undefined), 'must name exactly one of contactId and companyId')
  .transform((d): { contactId: string; reason?: string } | { companyId: string; reason?: string } => (d.contactId !== undefined ? { contactId: d.contactId, reason: d.reason } : { companyId: d.companyId as string, reason: d.reason }));
export type RevocationRequested = z.infer<typeof revocationRequested>;

export const contactArchived = z.strictObject({ contactId: id() });

const address = z.string().max(512);
const recipients = z.array(z.object({ emailAddress: address })).max(100).default([]);
const sesMail = z.object({ messageId: z.string().max(256).optional(), destination: z.array(address).max(100).default([]) });

export const sesBounce = z.object({
  mail: sesMail,
  bounce: z.object({
    bounceType: z.string().max(64),
    bounceSubType: z.string().max(64).optional(),
    bouncedRecipients: recipients,
    feedbackId: z.string().max(256).optional(),
  }),
});

export const sesComplaint = z.object({
  mail: sesMail,
  complaint: z.object({
    complainedRecipients: recipients,
    complaintFeedbackType: z.string().max(64).optional(),
    feedbackId: z.string().max(256).optional(),
  }),
});
