/**
 * The API Gateway HTTP API (payload 2.0) event and the Lambda context of one local request, built the
 * way API Gateway builds them, so the handlers cannot tell the local server from AWS.
 */
import { isUtf8 } from 'node:buffer';
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { LAMBDA_TIMEOUT_SECONDS } from '../lambdas/contract/runtime';
import type { Match } from './routing';

const TEXT_TYPES = /^(text\/|application\/([a-z0-9.+-]*\+)?(json|xml)|application\/(javascript|x-www-form-urlencoded))/i;

/** Repeated headers joined with commas, as API Gateway does; names lower-cased. Cookies travel apart. */
function headersOf(req: IncomingMessage): Record<string, string> {
  // No prototype, as for the query below: a header named `__proto__` stays a plain header.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') continue;
    headers[name] = Object.hasOwn(headers, name) ? `${headers[name]},${value}` : value;
  }
  return headers;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');
/** API Gateway's request time format: `12/Mar/2020:19:03:58 +0000`. */
const requestTime = (d: Date) =>
  `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;

function queryOf(search: URLSearchParams): Record<string, string> | undefined {
  // No prototype: `__proto__` or `constructor` in a query string are plain names, as in API Gateway's event.
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of search) query[name] = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
  return Object.keys(query).length > 0 ? query : undefined;
}

export function apiEvent(req: IncomingMessage, url: URL, match: Match, body: Buffer, claims: Record<string, string> | undefined): APIGatewayProxyEventV2WithJWTAuthorizer {
  const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
  const headers = headersOf(req);
  // API Gateway appends the caller to X-Forwarded-For and says how it was reached.
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  // As API Gateway: a trace id for the request (X-Ray's format), which the handlers' log lines carry.
  headers['x-amzn-trace-id'] ??= `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const cookies = (req.headers.cookie ?? '').split(/;\s*/).filter(Boolean);
  const query = queryOf(url.searchParams);
  // A text body that is not valid UTF-8 travels as base64, byte for byte: decoding it here would
  // silently turn the bad bytes into U+FFFD and hide them from the handler's own checks.
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '') && isUtf8(body);
  const now = new Date();
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: (req.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: match.routeKey,
      stage: '$default',
      time: requestTime(now),
      timeEpoch: now.getTime(),
      // Routes without an authorizer get none, as in API Gateway.
      ...(claims ? { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } } } : {}),
    },
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

/** A Lambda context whose clock runs down from the function's timeout, like the real one. */
export function lambdaContext(functionName: string, timeoutSeconds: number = LAMBDA_TIMEOUT_SECONDS): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const awsRequestId = randomUUID();
  const unsupported = () => {
    throw new Error('callback-style completion is not used by these handlers');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
