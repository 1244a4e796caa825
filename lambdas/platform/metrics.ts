/**
 * Business metrics as CloudWatch Embedded Metric Format: one JSON line on stdout per data point,
 * which CloudWatch Logs turns into a metric (no SDK, no API call, nothing to flush). Written
 * straight to stdout like the logs (platform/log.ts), so that Lambda's JSON log format does not
 * wrap it: EMF must be the line itself. The invocation's request and trace ids ride along as
 * properties, so a data point leads back to its request.
 */
import type { MetricName, MetricUnit } from '../contract/metrics';
import { logContext } from './log';

export interface Metrics {
  /** One more of `name` (or `n` more). */
  count(name: MetricName, n?: number): void;
  /** A measured value (an age, a duration). */
  value(name: MetricName, value: number, unit: MetricUnit): void;
}

/** `silent` (the tests' stacks) emits nothing, as for the logs. */
const silent = () => (process.env.LOG_LEVEL ?? '').toLowerCase() === 'silent';

export function emfLine(namespace: string, dimensions: Record<string, string>, name: MetricName, value: number, unit: MetricUnit, at = Date.now()): string {
  const context = logContext();
  return JSON.stringify({
    _aws: { Timestamp: at, CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: unit }] }] },
    ...dimensions,
    [name]: value,
    ...(context ? { requestId: context.requestId, ...(context.traceId ? { traceId: context.traceId } : {}) } : {}),
  });
}

export function createMetrics(namespace: string, dimensions: () => Record<string, string>): Metrics {
  const emit = (name: MetricName, value: number, unit: MetricUnit) => {
    if (!Number.isFinite(value) || silent()) return;
    process.stdout.write(`${emfLine(namespace, dimensions(), name, value, unit)}\n`);
  };
  return {
    count: (name, n = 1) => emit(name, n, 'Count'),
    value: (name, value, unit) => emit(name, value, unit),
  };
}
