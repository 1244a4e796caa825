/**
 * The EventBridge rules that feed the events function, as plain data: the CDK stack turns each into a
 * rule, and the local stack's PutEvents endpoint matches events against the very same patterns.
 * No CDK imports.
 */
import { DETAIL_TYPES, EMITTED_SOURCE, SES_DETAIL_TYPES, SES_SOURCE } from './events';

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

/** The tag SES puts on every event it publishes through a configuration set: that set's name. */
export const SES_CONFIGURATION_SET_TAG = 'ses:configuration-set';

export interface EventRulesOf {
  /** The configuration set the invitations go out through (`SES_CONFIGURATION_SET`). */
  readonly mailConfigurationSet: string;
}

/**
 * The rules of a stack. SES publishes only to the default bus, which every configuration set of the
 * account and region shares (another stage's, another application's): a bounce there is this stack's
 * only when it names this stack's configuration set, else a mail bounced in one stage would mark the
 * same address bounced in another (and stop its reminders).
 */
export const eventRules = ({ mailConfigurationSet }: EventRulesOf): readonly EventRule[] => [
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
      detail: { mail: { tags: { [SES_CONFIGURATION_SET_TAG]: [mailConfigurationSet] } } },
    },
  },
];
