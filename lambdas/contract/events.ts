/**
 * The events of the portal bus: the source this stack emits with, the detail-types it consumes and
 * emits, and SES's feedback on the default bus. The rules that route them: event-rules.ts.
 */

/** The `source` of every event this stack emits; rules never feed those back to it. */
export const EMITTED_SOURCE = 'portal.access';

/** Detail-types on the portal bus: consumed ones come from other systems, emitted ones from us. */
export const DETAIL_TYPES = {
  revocationRequested: 'PortalAccessRevocationRequested',
  contactArchived: 'ContactArchived',
  accessGranted: 'PortalAccessGranted',
  accessRevoked: 'PortalAccessRevoked',
  invitationSent: 'PortalInvitationSent',
  /** An access reached its `until` (emitted by the scheduled job within minutes; `at` is the `until`). */
  accessExpired: 'PortalAccessExpired',
  /** A pending invitation's link expired unused (the scheduled job; `at` is its `expiresAt`); the contact stays invited. */
  invitationExpired: 'PortalInvitationExpired',
} as const;

/** The events this stack emits (`source: EMITTED_SOURCE`), each with an `AccessEventDetail`. */
export type AccessEventType = (typeof DETAIL_TYPES)['accessGranted' | 'accessRevoked' | 'invitationSent' | 'accessExpired' | 'invitationExpired'];
export interface AccessEventDetail {
  contactId: string;
  email: string;
  at: string;
}

/** SES's own detail-types for its sending events on the default bus (`source: aws.ses`). */
export const SES_SOURCE = 'aws.ses';
export const SES_DETAIL_TYPES = {
  bounce: 'Email Bounced',
  complaint: 'Email Complaint Received',
} as const;
