import { ACCESS_EVENT_SOURCE } from '../../lambdas/adapters/eventbridge/access-events';
import { matchesPattern } from '../../local/event-pattern';
import { eventRules, SES_CONFIGURATION_SET_TAG } from '../../lambdas/contract/event-rules';
import { DETAIL_TYPES, EMITTED_SOURCE, SES_DETAIL_TYPES, SES_SOURCE } from '../../lambdas/contract/events';

const CONFIGURATION_SET = 'portal-access-test';
const EVENT_RULES = eventRules({ mailConfigurationSet: CONFIGURATION_SET });
/** SES's detail of a mail sent through a configuration set (SES tags each event with the set's name). */
const sentThrough = (configurationSet: string) => ({ mail: { messageId: 'm-1', destination: ['a@example.com'], tags: { [SES_CONFIGURATION_SET_TAG]: [configurationSet] } } });

/** Which rules (by id) an event on a bus triggers, with the local stack's EventBridge matcher. */
const triggered = (bus: 'portal' | 'default', source: string, detailType: string, detail: object = sentThrough(CONFIGURATION_SET)) =>
  EVENT_RULES.filter((rule) => rule.bus === bus && matchesPattern(rule.pattern as Record<string, unknown>, { source, 'detail-type': detailType, detail })).map(
    (rule) => rule.id,
  );

describe('event rules', () => {
  it('the events this stack emits carry the source the rules exclude', () => {
    expect(ACCESS_EVENT_SOURCE).toBe(EMITTED_SOURCE);
  });

  it.each([DETAIL_TYPES.revocationRequested, DETAIL_TYPES.contactArchived])('%s from another system reaches the events function', (type) => {
    expect(triggered('portal', 'crm.billing', type)).toEqual(['AccessRequests']);
  });

  it('never feeds the stack its own events back, nor its emitted detail-types', () => {
    expect(triggered('portal', EMITTED_SOURCE, DETAIL_TYPES.revocationRequested)).toEqual([]);
    for (const type of [DETAIL_TYPES.accessGranted, DETAIL_TYPES.accessRevoked, DETAIL_TYPES.invitationSent]) {
      expect(triggered('portal', EMITTED_SOURCE, type)).toEqual([]);
      expect(triggered('portal', 'crm.billing', type)).toEqual([]);
    }
  });

  it('takes SES bounces and complaints from the default bus only, and only from SES', () => {
    expect(triggered('default', SES_SOURCE, SES_DETAIL_TYPES.bounce)).toEqual(['MailFeedback']);
    expect(triggered('default', SES_SOURCE, SES_DETAIL_TYPES.complaint)).toEqual(['MailFeedback']);
    expect(triggered('default', SES_SOURCE, 'Email Delivered')).toEqual([]);
    expect(triggered('default', 'spoofer', SES_DETAIL_TYPES.bounce)).toEqual([]);
    expect(triggered('portal', SES_SOURCE, SES_DETAIL_TYPES.bounce)).toEqual([]);
  });

  it("takes only the feedback on mail sent through the stack's own configuration set: another stage's or application's bounce on the shared default bus is not its", () => {
    expect(triggered('default', SES_SOURCE, SES_DETAIL_TYPES.bounce, sentThrough('portal-access-prod'))).toEqual([]);
    expect(triggered('default', SES_SOURCE, SES_DETAIL_TYPES.complaint, sentThrough('newsletter'))).toEqual([]);
    expect(triggered('default', SES_SOURCE, SES_DETAIL_TYPES.bounce, { mail: { messageId: 'm-1', destination: ['a@example.com'] } })).toEqual([]);
  });

  it('rule ids are unique (they name CDK constructs and local rules)', () => {
    expect(new Set(EVENT_RULES.map((rule) => rule.id)).size).toBe(EVENT_RULES.length);
  });
});
