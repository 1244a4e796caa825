import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { allowedMethods, findRoute, inputSchemasOf, READ_ONLY_PREFIX, responseHeadersOf, ROUTES, type FunctionName, type Route } from '../contract/routes';
import { REQUEST_ID_HEADER } from '../contract/problem-types';
import { HANDLER_TIMEOUT_MS, LAMBDA_TIMEOUT_SECONDS } from '../contract/runtime';
import { parseJsonBody } from './body';
import { HttpError, toProblem, ValidationFailed } from './problem';
import { principalOf, type Principal } from './principal';
import { log, withLogContext } from '../platform/log';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export interface HttpRequest<B = unknown, Q = unknown, P = unknown> {
  readonly route: Route;
  readonly principal: Principal;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly requestId: string;
  /** Aborted shortly before the Lambda's own timeout. */
  readonly signal: AbortSignal;
  /** What the area's `authorize` hook answered for this principal (the portal: the caller's contact). */
  readonly caller: unknown;
}

/**
 * What `authorize` may answer when its check is still running (so that the request's own reads can
 * start beside it): the kit awaits `checked` before it answers a bad parameter, so a refusal still wins.
 */
export interface PendingCheck {
  readonly checked: Promise<unknown>;
}

const pendingCheckOf = (caller: unknown): Promise<unknown> | undefined =>
  typeof caller === 'object' && caller !== null && 'checked' in caller ? (caller as PendingCheck).checked : undefined;

export interface HttpFunctionOptions {
  /**
   * Runs right after the token's principal is known and before any input is parsed: a refusal here
   * (the portal's revoked access) wins over a bad parameter. It may answer a `PendingCheck` before
   * its check is done; the operation then awaits the check itself before it answers anything.
   */
  readonly authorize?: (principal: Principal) => Promise<unknown>;
  /**
   * Re-checks a staff token's user against the staff pool (still enabled, still in `portal-admins`),
   * before `authorize` and before any input is parsed. Required of every function with staff routes.
   */
  readonly staffRights?: (username: string, sub: string) => Promise<void>;
  /** Headers on every answer of the function, success or problem alike (a share link's no-referrer, noindex). */
  readonly responseHeaders?: Readonly<Record<string, string>>;
}

export interface HttpResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

// The requests are typed by the handler that reads them, from the route's schemas (`z.infer`).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Operation = (request: HttpRequest<any, any, any>) => Promise<HttpResponse>;

const SECURITY_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

function json(requestId: string, status: number, body: unknown, headers: Record<string, string> = {}, type = 'application/json'): HttpResult {
  return {
    statusCode: status,
    headers: { ...SECURITY_HEADERS, ...(body === undefined ? {} : { 'content-type': type }), ...headers, [REQUEST_ID_HEADER]: requestId },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

/** Any error as problem+json, with the request id in the body (`instance`) and the `x-request-id` header. */
export function problemResult(error: unknown, requestId: string): HttpResult {
  const { status, problem, headers } = toProblem(error, requestId);
  // The cause goes to the log (with the request id on the line), never to the client.
  if (status >= 500) log.error('request failed', { error });
  return json(requestId, status, problem, headers, 'application/problem+json');
}

/** The query of a route that declares none. */
const NO_QUERY = z.strictObject({});
/**
 * The body of a route that declares none (a restore, a delete, a read): nothing, or `{}`. Any other
 * body is refused as it would be where one is due — 413, 415, 400 for what does not parse or a field
 * it does not know — rather than ignored while the route acts.
 */
const NO_BODY = z.strictObject({});

function parseWith(schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new ValidationFailed(result.error);
  return result.data;
}

/**
 * No body at all, or an empty one, is `{}` where the route's body has no required field (a
 * re-invite, a share link, a PATCH): a client that sends nothing gets the defaults. Elsewhere it is
 * a 400 that names each required field.
 */
function parseBody(schema: z.ZodType, value: unknown): unknown {
  const result = schema.safeParse(value === undefined ? {} : value);
  if (result.success) return result.data;
  throw new ValidationFailed(result.error, value === undefined ? 'The request needs a JSON body.' : undefined);
}

/** The request's body as its route reads it: `undefined` for a route that takes none (and got none, or `{}`). */
function bodyOf(route: Route, value: unknown): unknown {
  if (route.body) return parseBody(route.body, value);
  parseBody(NO_BODY, value);
  return undefined;
}

/** `405` for a method a path of the table does not support (and any write under `/portal`), `404` for an unknown path. */
export function fallback(event: HttpEvent, requestId: string): HttpResult {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.routeKey.replace(/^ANY /, '');
  const allowed = allowedMethods().get(path) ?? (path.startsWith(READ_ONLY_PREFIX) ? ['GET'] : undefined);
  if (!allowed || event.routeKey === '$default' || (method === 'GET' && allowed.includes('GET')))
    return problemResult(new HttpError('not-found', 'No such resource.'), requestId);
  return problemResult(new HttpError('method-not-allowed', `${method} is not supported here.`, { ...responseHeadersOf(path), allow: allowed.join(', ') }), requestId);
}

/** The request id of an invocation: the Lambda's (the one on its every log line), else API Gateway's. */
export const requestIdOf = (event: HttpEvent, context: Context): string => context.awsRequestId || event.requestContext.requestId;

/** One log line per request: what was asked, what was answered (the problem's type), how long it took. */
function logRequest(event: HttpEvent, result: HttpResult, started: number): void {
  let type: string | undefined;
  if (result.headers?.['content-type'] === 'application/problem+json' && typeof result.body === 'string') {
    try {
      type = (JSON.parse(result.body) as { type?: string }).type;
    } catch {
      type = undefined;
    }
  }
  log.info('request', { routeKey: event.routeKey, method: event.requestContext.http.method, status: result.statusCode, ...(type ? { problem: type } : {}), durationMs: Date.now() - started });
}

/**
 * The Lambda handler of one area of the route table: normalises headers, finds the route by
 * API Gateway's route key, checks the principal, validates path, query and body with the route's
 * schemas, calls the area's operation and renders the answer, or any error as problem+json.
 */
export function httpFunction(fn: FunctionName, operations: Record<string, Operation>, options: HttpFunctionOptions = {}) {
  // A staff token alone is not enough (it outlives the user's removal): no staff route without the re-check.
  const { staffRights } = options;
  if (!staffRights && ROUTES.some((route) => route.fn === fn && route.principal === 'staff'))
    throw new Error(`The ${fn} function serves staff routes: it needs the staffRights option`);
  // The schemas that validate this function's requests are built here, in INIT, not by each route's first
  // request; other areas' schemas and the answers' (only the OpenAPI document reads those) never are.
  for (const route of ROUTES) if (route.fn === fn) inputSchemasOf(route);
  const core = async (event: HttpEvent, context: Context, { signal }: { signal: AbortSignal }): Promise<HttpResult> => {
    const requestId = requestIdOf(event, context);
    const route = findRoute(event.routeKey);
    if (!route || route.fn !== fn) return fallback(event, requestId);
    const operation = operations[route.operationId];
    if (!operation) return problemResult(new HttpError('not-implemented', `${route.operationId} is not implemented yet.`), requestId);
    const headers = event.headers ?? {};
    const principal = principalOf(route.principal, event.requestContext.authorizer?.jwt?.claims);
    if (principal.kind === 'staff') await staffRights?.(principal.username, principal.userId);
    const caller = options.authorize ? await options.authorize(principal) : undefined;
    let input: Pick<HttpRequest, 'params' | 'query' | 'body'>;
    try {
      input = {
        params: parseWith(route.params, event.pathParameters),
        // A route without a query takes none: an unknown query field is refused as anywhere else.
        query: parseWith(route.query ?? NO_QUERY, event.queryStringParameters),
        body: bodyOf(route, parseJsonBody(event.body, event.isBase64Encoded, headers['content-type'], headers['content-encoding'])),
      };
    } catch (error) {
      await pendingCheckOf(caller);
      throw error;
    }
    const request: HttpRequest = {
      route,
      principal,
      ...input,
      headers,
      requestId,
      signal,
      caller,
    };
    const response = await operation(request);
    return json(requestId, response.status, response.body, response.headers);
  };

  const { responseHeaders } = options;
  const withHeaders = (request: { response?: HttpResult | null }) => {
    if (request.response) request.response = { ...request.response, headers: { ...request.response.headers, ...responseHeaders } };
  };

  const middleware = middy<HttpEvent, HttpResult>({
    timeoutEarlyInMillis: LAMBDA_TIMEOUT_SECONDS * 1000 - HANDLER_TIMEOUT_MS,
    timeoutEarlyResponse: () => {
      throw Object.assign(new Error('handler timed out'), { name: 'TimeoutError' });
    },
  }).use(httpHeaderNormalizer());
  // Runs after the problem mapping below: middy runs `after` and `onError` in the reverse order of `use`.
  if (responseHeaders) middleware.use({ after: withHeaders, onError: withHeaders });
  const handler = middleware
    .use({
      onError: (request) => {
        request.response = problemResult(request.error, requestIdOf(request.event, request.context));
      },
    })
    .handler(core);

  // Every line of the invocation carries its ids, cold start and trace; one line sums the request up.
  return (event: HttpEvent, context: Context): Promise<HttpResult> =>
    withLogContext(
      { requestId: requestIdOf(event, context), apiRequestId: event.requestContext.requestId, function: context.functionName, traceHeader: event.headers?.['x-amzn-trace-id'] },
      async () => {
        const started = Date.now();
        const result = await handler(event, context);
        logRequest(event, result, started);
        return result;
      },
    );
}
