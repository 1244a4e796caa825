/**
 * The business metrics of every Lambda: `metrics.count(METRIC.x)` from an entry point or the
 * wiring, one EMF line each (platform/metrics.ts), in namespace `PortalAccess` with the stage
 * (`PORTAL_STAGE`) as dimension. The domain reports what happened through its ports, and the ports
 * below count it, so no domain module knows about metrics: an emitted lifecycle event is counted by
 * its type, a mail SES refused by the mailer.
 */
import { envOr } from '../contract/env';
import { DETAIL_TYPES, type AccessEventType } from '../contract/events';
import { METRIC, METRICS_DIMENSION, METRICS_NAMESPACE, type MetricName } from '../contract/metrics';
import type { AccessEvents, InvitationMailer } from '../domain/portal-access/ports';
import { createMetrics } from '../platform/metrics';

export const metrics = createMetrics(METRICS_NAMESPACE, () => ({ [METRICS_DIMENSION]: envOr('stage', 'local') }));

/** The metric each lifecycle event counts. */
const COUNTED_EVENTS: Partial<Record<AccessEventType, MetricName>> = {
  [DETAIL_TYPES.accessGranted]: METRIC.grants,
  [DETAIL_TYPES.accessRevoked]: METRIC.revocations,
  [DETAIL_TYPES.invitationSent]: METRIC.invitationsSent,
};

/** The events port, counting each event the domain emits (whether or not EventBridge takes it). */
export function countingEvents(events: AccessEvents): AccessEvents {
  return {
    emit: async (type, detail) => {
      const metric = COUNTED_EVENTS[type];
      if (metric) metrics.count(metric);
      await events.emit(type, detail);
    },
  };
}

/** The mailer port, counting each invitation SES did not take. */
export function countingMailer(mailer: InvitationMailer): InvitationMailer {
  return {
    send: async (mail, signal) => {
      try {
        await mailer.send(mail, signal);
      } catch (error) {
        metrics.count(METRIC.invitationsFailed);
        throw error;
      }
    },
  };
}
