/**
 * The shapes of the events this handler consumes. The envelope is EventBridge's own (it may grow
 * fields, so it is not strict). Our consumed details are read tolerantly where being strict would
 * leave an access in place: a revocation or an archive with a field we do not know (a producer's
 * `requestedBy`, `archivedAt`) or a reason we would not store as sent still happens — the unknown
 * fields are ignored and the reason is cleaned and cut — and each adjustment is named (`adjusted`,
 * never a value) for the log. What we cannot act on without guessing stays refused, for the
 * dead-letter path: no id, a malformed id, or both ids (`{ contactId, companyId }`).
 * SES's notifications are AWS's shape: we read the few fields we need and tolerate the rest.
 */
import * as z from 'zod';
import { sliceWhole } from '../text';
import { id, LONE_SURROGATE } from './common';

export const eventEnvelope = z.object({
  id: z.string().max(256).optional(),
  'detail-type': z.string().min(1).max(256),
  source: z.string().min(1).max(256),
  time: z.string().max(64).optional(),
  detail: z.unknown(),
});
export type EventEnvelope = z.infer<typeof eventEnvelope>;

/** The longest reason kept (the audit entry's `details.reason`); a longer one is cut to it, ending in `…`. */
export const REASON_MAX = 1000;
/** Control characters other than tab and line breaks, and bidi controls: each kept as a space. */
const REASON_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/**
 * The sender's note for the audit trail: free text over any number of lines. It only annotates the
 * revocation, so it never stops one: other control characters become spaces, a lone surrogate
 * U+FFFD, the text is trimmed and cut to REASON_MAX; an empty, blank or null one — or one that is
 * not text — is no reason.
 */
function reasonOf(value: unknown, adjusted: string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    adjusted.push('reason ignored: not text');
    return undefined;
  }
  const cleaned = value.replace(REASON_CONTROL, ' ').replace(LONE_SURROGATES, '\ufffd');
  if (cleaned !== value) adjusted.push('reason: control characters or lone surrogates replaced');
  const trimmed = cleaned.trim();
  if (trimmed.length <= REASON_MAX) return trimmed || undefined;
  adjusted.push(`reason cut to ${REASON_MAX} characters`);
  // Never half a surrogate pair at the cut.
  const head = sliceWhole(trimmed, REASON_MAX - 1);
  return `${head.trimEnd()}…`;
}

/** The names of a detail's fields we do not read, for the log (at most 10, each at most 64 characters). */
function unknownFields(detail: Record<string, unknown>, known: readonly string[]): string[] {
  const names = Object.keys(detail).filter((name) => !known.includes(name));
  return names.length === 0 ? [] : [`fields ignored: ${names.slice(0, 10).map((name) => name.slice(0, 64)).join(', ')}${names.length > 10 ? ', …' : ''}`];
}

/** `{ contactId } | { companyId }`, and an optional reason: exactly one of the two ids. */
export const revocationRequested = z
  .looseObject({ contactId: id().optional(), companyId: id().optional(), reason: z.unknown().optional() })
  .refine((d) => (d.contactId === undefined) !== (d.companyId === undefined), 'must name exactly one of contactId and companyId')
  .transform((d): ({ contactId: string } | { companyId: string }) & { reason?: string; adjusted: string[] } => {
    const adjusted = unknownFields(d, ['contactId', 'companyId', 'reason']);
    const reason = reasonOf(d.reason, adjusted);
    return d.contactId !== undefined ? { contactId: d.contactId, reason, adjusted } : { companyId: d.companyId as string, reason, adjusted };
  });
export type RevocationRequested = z.infer<typeof revocationRequested>;

export const contactArchived = z
  .looseObject({ contactId: id() })
  .transform((d) => ({ contactId: d.contactId, adjusted: unknownFields(d, ['contactId']) }));

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
