/**
 * The EventBridge rules that feed the events function, as plain data: the CDK stack turns each into a
 * rule, and the local stack's PutEvents endpoint matches events against the very same patterns.
 * No CDK imports.
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
} as const;

/** The events this stack emits (`source: EMITTED_SOURCE`), each with an `AccessEventDetail`. */
export type AccessEventType = (typeof DETAIL_TYPES)['accessGranted' | 'accessRevoked' | 'invitationSent'];
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

/** An EventBridge event pattern: JSON arrays of values or of content filters, nested by field. */
export interface EventPattern {
  readonly [field: string]: readonly unknown[] | EventPattern;
}

export interface EventRule {
  /** Stable id: the CDK construct id and the local emulator's rule name. */
  readonly id: string;
  /** `portal`: the stack's own bus; `default`: the account's default bus (where SES publishes). */
  readonly bus: 'portal' | 'default';
  readonly description: string;
  readonly pattern: EventPattern;
}

export const EVENT_RULES: readonly EventRule[] = [
  {
    id: 'AccessRequests',
    bus: 'portal',
    description: 'Revocation requests and archived contacts from other systems revoke portal access',
    pattern: {
      source: [{ 'anything-but': EMITTED_SOURCE }],
      'detail-type': [DETAIL_TYPES.revocationRequested, DETAIL_TYPES.contactArchived],
    },
  },
  {
    id: 'MailFeedback',
    bus: 'default',
    description: 'SES bounces and complaints about invitation emails reach the access records',
    pattern: {
      source: [SES_SOURCE],
      'detail-type': [SES_DETAIL_TYPES.bounce, SES_DETAIL_TYPES.complaint],
    },
  },
];
