/**
 * Which failures mean "try again later", never "you sent something wrong": for the one error
 * mapping (503 + Retry-After), and for adapters that retry a dependency themselves.
 */
import { Unavailable } from '../contract/errors';

/** AWS SDK errors that mean "try again later", never "you sent something wrong". */
const TRANSIENT = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalErrorException',
  'TimeoutError',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  // fetch (undici; our S3 and Cognito clients): a connection dropped or timed out, the cause of its `TypeError`.
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Why a cancelled transaction's items failed that also mean "try again later": DynamoDB cancels a
 * whole `TransactWriteItems` when one item's partition is throttled (an HTTP 400, not retried by the
 * SDK). A transaction cancelled for a condition is the caller's business, never transient.
 */
const TRANSIENT_CANCELLATIONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

function cancelledForCapacity(e: { name?: string; CancellationReasons?: unknown }): boolean {
  if (e.name !== 'TransactionCanceledException' || !Array.isArray(e.CancellationReasons)) return false;
  const codes = (e.CancellationReasons as { Code?: string }[]).map((r) => r?.Code ?? 'None').filter((code) => code !== 'None');
  return codes.length > 0 && codes.every((code) => TRANSIENT_CANCELLATIONS.has(code));
}

export function isTransient(error: unknown): boolean {
  if (error instanceof Unavailable) return true;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number }; cause?: unknown; CancellationReasons?: unknown };
  if ((e.name && TRANSIENT.has(e.name)) || (e.code && TRANSIENT.has(e.code))) return true;
  if (cancelledForCapacity(e)) return true;
  if (e.$retryable) return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  if (error instanceof AggregateError) return error.errors.some(isTransient);
  return e.cause !== undefined && e.cause !== error && isTransient(e.cause);
}
