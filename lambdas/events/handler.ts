/**
 * The Lambda target of the stack's event rules: one EventBridge event per invocation (EventBridge
 * invokes asynchronously). What happens to an event:
 * - our own events (`source: portal.access`) are ignored;
 * - a malformed event (one it cannot act on without guessing), or one the domain refuses, throws
 *   `RejectedEvent`: Lambda's async retries, then its on-failure destination (the dead-letter
 *   queue), keep it for a human; an unknown field or an unstorable reason is not malformed (logged);
 * - an event about an unknown contact or company is logged and dropped (retrying cannot help);
 * - any other error (DynamoDB or Cognito throttling, a timeout) is thrown again, to be retried.
 */
import { DETAIL_TYPES, EMITTED_SOURCE, SES_DETAIL_TYPES, SES_SOURCE } from '../contract/events';
import { eventActor } from '../domain/audit';
import { Invalid, NotFound } from '../contract/errors';
import type { Context } from 'aws-lambda';
import { METRIC } from '../contract/metrics';
import { log, withLogContext } from '../platform/log';
import { eventDeps, type EventDeps } from '../wiring/events';
import { metrics } from '../wiring/metrics';
import { mailFeedbackOf } from './mail-feedback';
import { parseOrReject, RejectedEvent } from './rejected';
import { contactArchived, eventEnvelope, revocationRequested, type EventEnvelope } from '../contract/schemas/event-details';

export { RejectedEvent };

/** Consumes one event; answers what to log about it (ids and outcomes, never an email). */
async function consume(deps: EventDeps, event: EventEnvelope): Promise<Record<string, unknown>> {
  const type = event['detail-type'];
  const actor = eventActor(event.source);
  const what = `${type} detail`;
  switch (type) {
    case DETAIL_TYPES.revocationRequested: {
      const detail = parseOrReject(revocationRequested, event.detail, what);
      adjustedWarning(detail.adjusted, type);
      return 'contactId' in detail
        ? { contactId: detail.contactId, result: await deps.revokeAccess(detail.contactId, actor, detail.reason) }
        : { companyId: detail.companyId, result: await deps.revokeCompany(detail.companyId, actor, detail.reason) };
    }
    case DETAIL_TYPES.contactArchived: {
      const detail = parseOrReject(contactArchived, event.detail, what);
      adjustedWarning(detail.adjusted, type);
      return { contactId: detail.contactId, result: await deps.archiveContact(detail.contactId, actor) };
    }
    case SES_DETAIL_TYPES.bounce:
    case SES_DETAIL_TYPES.complaint: {
      if (event.source !== SES_SOURCE) break;
      const feedback = mailFeedbackOf(type, event.detail);
      const outcomes = (await deps.recordMailFeedback(feedback)).map(({ contactId, outcome }) => ({ contactId, outcome }));
      // The bounce rate's numerator: each invitation now marked bounced (or complained about), once.
      const marked = outcomes.filter((o) => o.outcome === 'marked').length;
      if (marked > 0) metrics.count(feedback.kind === 'bounce' ? METRIC.invitationsBounced : METRIC.invitationsComplained, marked);
      if (outcomes.some((o) => o.outcome === 'unknown')) log.warn('mail feedback about an address no portal login uses', { detailType: type });
      // A transient bounce is logged here and nothing else: SES may still deliver the invitation.
      return { bounceType: feedback.kind === 'bounce' ? feedback.bounceType : undefined, outcomes };
    }
  }
  throw new RejectedEvent(`No consumer for ${type} from ${event.source}`);
}

/** A detail read tolerantly (event-details.ts): what was ignored or cleaned, named — never a value. */
function adjustedWarning(adjusted: readonly string[], detailType: string): void {
  if (adjusted.length > 0) log.warn('event detail adjusted', { detailType, adjusted });
}

export function eventHandler(deps: () => EventDeps) {
  // Every log line of the invocation carries its request id, cold start and trace id.
  return (event: unknown, lambda?: Context): Promise<void> =>
    withLogContext({ requestId: lambda?.awsRequestId || 'event', ...(lambda?.functionName ? { function: lambda.functionName } : {}) }, () => consumeOne(deps, event));
}

async function consumeOne(deps: () => EventDeps, event: unknown): Promise<void> {
  const context: Record<string, unknown> = {};
  try {
    const envelope = parseOrReject(eventEnvelope, event, 'EventBridge event');
    Object.assign(context, { eventId: envelope.id, source: envelope.source, detailType: envelope['detail-type'] });
    if (envelope.source === EMITTED_SOURCE) {
      log.info('own event ignored', context);
      return;
    }
    log.info('event consumed', { ...context, ...(await consume(deps(), envelope)) });
  } catch (error) {
    if (error instanceof NotFound) {
      log.warn('event dropped: unknown contact or company', { ...context, error });
      return;
    }
    if (error instanceof RejectedEvent || error instanceof Invalid) {
      log.error('event rejected', { ...context, error });
      throw error instanceof RejectedEvent ? error : new RejectedEvent(`Refused: ${error.message}`);
    }
    log.error('event failed, to be retried', { ...context, error });
    throw error;
  }
}

export const handler = eventHandler(eventDeps);
