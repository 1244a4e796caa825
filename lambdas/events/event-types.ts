/** The detail-types this handler consumes (SES's are AWS's own names for its EventBridge notifications). */
export const EMITTED_SOURCE = 'portal.access';
export const EVENT_TYPES = {
  revocationRequested: 'PortalAccessRevocationRequested',
  contactArchived: 'ContactArchived',
  sesSource: 'aws.ses',
  sesBounce: 'Email Bounced',
  sesComplaint: 'Email Complaint Received',
} as const;
