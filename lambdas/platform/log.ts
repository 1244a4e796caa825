/**
 * One-line JSON logs in the shape of Lambda's own JSON log format (`timestamp`, `level`, `requestId`,
 * `message`), with the invocation's context on every line: the request id (the Lambda's, which is
 * also the answer's `x-request-id`), API Gateway's request id, cold start, the X-Ray trace id and
 * the function. Written straight to stdout/stderr, not through `console`: in Lambda's JSON format the
 * runtime would wrap a console line into the `message` of a line of its own. The level follows
 * `LOG_LEVEL` (the stage's `logLevel` in AWS, where Lambda's own filter stays at INFO so that the
 * metric lines, which carry no level, always pass it; locally `silent` for none), else Lambda's
 * `applicationLogLevel` (`AWS_LAMBDA_LOG_LEVEL`).
 * Errors keep their name, message and stack, never their body.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

type Fields = Record<string, unknown>;
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

/** What every line of one invocation carries. */
export interface LogContext {
  requestId: string;
  apiRequestId?: string;
  traceId?: string;
  coldStart: boolean;
  function?: string;
}

const invocation = new AsyncLocalStorage<LogContext>();
const warm = new Set<string>();

/** The X-Ray trace's root id (`1-5759e988-bd862e3fe1be46a994272793`) from a `Root=…;Parent=…;Sampled=…` header. */
export function traceRootOf(header: string | undefined): string | undefined {
  return header?.split(';').find((part) => part.startsWith('Root='))?.slice('Root='.length) || undefined;
}

/**
 * Runs one invocation with its context on every log line. The first invocation of a function in this
 * process is its cold start. The trace id is Lambda's (`_X_AMZN_TRACE_ID`, set per invocation), or
 * the request's `x-amzn-trace-id` header (the local stack sets one).
 */
export function withLogContext<T>(context: { requestId: string; apiRequestId?: string; function?: string; traceHeader?: string }, run: () => T): T {
  const name = context.function ?? '';
  const coldStart = !warm.has(name);
  warm.add(name);
  const traceId = traceRootOf(process.env._X_AMZN_TRACE_ID) ?? traceRootOf(context.traceHeader);
  return invocation.run(
    {
      requestId: context.requestId,
      ...(context.apiRequestId ? { apiRequestId: context.apiRequestId } : {}),
      ...(traceId ? { traceId } : {}),
      coldStart,
      ...(context.function ? { function: context.function } : {}),
    },
    run,
  );
}

/** The current invocation's context, if any. */
export const logContext = (): LogContext | undefined => invocation.getStore();

function threshold(): number {
  const configured = (process.env.LOG_LEVEL || process.env.AWS_LAMBDA_LOG_LEVEL || 'INFO').toUpperCase();
  if (configured === 'SILENT') return Infinity;
  if (configured === 'TRACE') return RANK.DEBUG;
  if (configured === 'FATAL') return RANK.ERROR;
  return RANK[configured as LogLevel] ?? RANK.INFO;
}

function serialise(fields: Fields): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}

function write(level: LogLevel, message: string, fields: Fields = {}): void {
  if (RANK[level] < threshold()) return;
  const { requestId, ...context } = invocation.getStore() ?? {};
  const line = JSON.stringify({ timestamp: new Date().toISOString(), level, ...(requestId ? { requestId } : {}), message, ...context, ...serialise(fields) });
  (RANK[level] >= RANK.WARN ? process.stderr : process.stdout).write(`${line}\n`);
}

export const log = {
  debug: (message: string, fields?: Fields) => write('DEBUG', message, fields),
  info: (message: string, fields?: Fields) => write('INFO', message, fields),
  warn: (message: string, fields?: Fields) => write('WARN', message, fields),
  error: (message: string, fields?: Fields) => write('ERROR', message, fields),
};
