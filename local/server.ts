/**
 * The local API: Node's http serving the route table the way API Gateway's HTTP API serves it in AWS —
 * CORS preflight, the JWT authorizer of each route's principal, the payload 2.0 event, one handler per
 * area (the very Lambda handlers), and the `405`/`404` fallbacks. One log line per request.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { allowedOrigin, CORS, type CorsOrigins } from '../lambdas/contract/cors';
import { REQUEST_ID_HEADER, requestInstance } from '../lambdas/contract/problem-types';
import { responseHeadersOf, type Route } from '../lambdas/contract/routes';
import { fallback, problemResult, type HttpResult } from '../lambdas/http-kit/handler';
import { HttpError } from '../lambdas/http-kit/problem';
import { log, withLogContext } from '../lambdas/platform/log';
import { apiEvent, lambdaContext } from './api-event';
import { readBody, TooLarge } from './body';
import { handlerOf } from './handlers';
import { Unauthorized, type PoolAuthorizer } from './authorizer';
import { loggablePath, matchRoute, requestUrl } from './routing';
import { ClientBuckets } from './throttle';

/** API Gateway's own payload limit; the handlers refuse much less (256 KiB) themselves. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface ServerConfig {
  readonly authorizers: { readonly staff: PoolAuthorizer; readonly customer: PoolAuthorizer };
  /** Browser origins allowed by CORS: exactly, per path (lambdas/contract/cors.ts). */
  readonly origins: CorsOrigins;
  readonly functionPrefix: string;
  readonly quiet: boolean;
}

function send(res: ServerResponse, result: HttpResult | string | object, extraHeaders: Record<string, string>): number {
  // HTTP API payload 2.0: a result without statusCode is a 200 JSON body.
  const structured: HttpResult =
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? (result as HttpResult)
      : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: typeof result === 'string' ? result : JSON.stringify(result) };
  const status = structured.statusCode ?? 200;
  const headers: Record<string, string | number | boolean | string[]> = { ...extraHeaders };
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body = structured.body === undefined ? undefined : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  if (body && !('content-type' in headers)) headers['content-type'] = 'application/json';
  res.writeHead(status, headers as http.OutgoingHttpHeaders);
  res.end(body);
  return status;
}

function corsHeaders(origin: string | undefined, path: string, config: ServerConfig): Record<string, string> {
  const allowed = allowedOrigin(config.origins, origin, path);
  if (!allowed) return { vary: 'Origin' };
  return { 'access-control-allow-origin': allowed, vary: 'Origin', 'access-control-expose-headers': CORS.exposeHeaders.join(',') };
}

async function authorize(route: Route, req: IncomingMessage, config: ServerConfig): Promise<Record<string, string> | undefined> {
  if (route.principal === 'public') return undefined;
  return config.authorizers[route.principal].verify(req.headers.authorization);
}

/** How a request was answered: its status, and whether a Lambda handler answered it (and logged it). */
interface Answered {
  status: number;
  byHandler: boolean;
}

/** The buckets of each throttled route (route key → per-client buckets), per server. */
type Throttles = Map<string, ClientBuckets>;

async function handle(req: IncomingMessage, res: ServerResponse, config: ServerConfig, throttles: Throttles, requestId: string): Promise<Answered> {
  const url = requestUrl(req.url);
  const method = (req.method ?? 'GET').toUpperCase();
  // Every answer names its request, also those API Gateway would make itself (preflight, authorizer, throttle).
  const cors: Record<string, string> = { ...corsHeaders(req.headers.origin, url.pathname, config), [REQUEST_ID_HEADER]: requestId };
  const own = (status: number): Answered => ({ status, byHandler: false });

  // HTTP/1.1 requires a Host header (RFC 9112 §3.2); API Gateway always has one.
  if (req.httpVersion === '1.1' && req.headers.host === undefined) {
    return own(send(res, protocolProblem(400, 'An HTTP/1.1 request needs a Host header.', requestId), { connection: 'close' }));
  }

  if (method === 'OPTIONS' && req.headers['access-control-request-method']) {
    const preflight = !cors['access-control-allow-origin']
      ? cors
      : {
          ...cors,
          'access-control-allow-methods': CORS.allowMethods.join(','),
          'access-control-allow-headers': CORS.allowHeaders.join(','),
          'access-control-max-age': String(CORS.maxAgeSeconds),
        };
    return own(send(res, { statusCode: 204, headers: preflight }, {}));
  }

  let body: Buffer;
  try {
    body = await readBody(req, MAX_REQUEST_BYTES);
  } catch (error) {
    if (!(error instanceof TooLarge)) throw error;
    return own(send(res, problemResult(new HttpError('too-large', `The request body must be at most ${MAX_REQUEST_BYTES} bytes.`), requestId), { ...cors, connection: 'close' }));
  }

  const match = matchRoute(method, url.pathname);
  if (!match.route) return own(send(res, fallback(apiEvent(req, url, match, body, undefined), requestId), cors));

  if (match.route.throttle) {
    // API Gateway throttles before the authorizer and the function: so does this.
    let buckets = throttles.get(match.routeKey);
    if (!buckets) throttles.set(match.routeKey, (buckets = new ClientBuckets(match.route.throttle)));
    const verdict = buckets.take(req.socket.remoteAddress ?? 'unknown');
    if (!verdict.allowed)
      return own(send(res, problemResult(new HttpError('throttled', 'Too many requests; please retry later.', { ...responseHeadersOf(match.route.path), 'retry-after': String(verdict.retryAfterSeconds) }), requestId), cors));
  }

  let claims: Record<string, string> | undefined;
  try {
    claims = await authorize(match.route, req, config);
  } catch (error) {
    if (!(error instanceof Unauthorized)) throw error;
    return own(send(res, problemResult(new HttpError('unauthenticated', error.message), requestId), cors));
  }

  const handler = await handlerOf(match.route.fn);
  if (!handler) return own(send(res, problemResult(new HttpError('not-implemented', `The ${match.route.fn} handlers are not written yet.`), requestId), cors));
  const event = apiEvent(req, url, match, body, claims);
  // The handler's answer names the handler's own request id (its Lambda's); the server's is only for its own answers.
  const { [REQUEST_ID_HEADER]: _ours, ...corsOnly } = cors;
  const result = await handler(event, lambdaContext(`${config.functionPrefix}-${match.route.fn}`));
  return { status: send(res, result, corsOnly), byHandler: true };
}

/** Node's parser's refusals, with the status Node itself would answer (anything else is a 400). */
const CLIENT_ERRORS: Record<string, { status: number; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, detail: `The request's headers are larger than the ${http.maxHeaderSize / 1024} KiB the server reads.` },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, detail: 'The chunk extensions of the request are too large.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'The request did not arrive in time.' },
};

/**
 * An answer the server makes outside its request handling (Node's parser refused the request, or Node
 * would answer it by itself with an empty body): problem+json with a request id like every other
 * error. `about:blank`: the status says it all (RFC 9457 §4.2.1).
 */
function protocolProblem(status: number, detail: string, requestId: string = randomUUID()): { statusCode: number; headers: Record<string, string>; body: string } {
  const title = http.STATUS_CODES[status] ?? 'Bad Request';
  const body = JSON.stringify({ type: 'about:blank', title, status, detail, instance: requestInstance(requestId) });
  const headers = { 'content-type': 'application/problem+json', 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', [REQUEST_ID_HEADER]: requestId };
  return { statusCode: status, headers, body };
}

/** An answer written straight to the socket, which then closes: its parser cannot go on, or there is nothing to go on to. */
function writeRaw(socket: Duplex, result: HttpResult): { status: number; requestId: string } {
  const status = result.statusCode ?? 500;
  const body = result.body ?? '';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  headers['content-length'] = String(Buffer.byteLength(body));
  headers.connection = 'close';
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`);
  return { status, requestId: headers[REQUEST_ID_HEADER] ?? '' };
}

/** A request Node cannot read as HTTP (a malformed request line, headers over its limit, …) never reaches a handler. */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): { status: number; requestId: string } | undefined {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return undefined;
  }
  const { status, detail } = CLIENT_ERRORS[error.code ?? ''] ?? { status: 400, detail: 'The request is not valid HTTP.' };
  return writeRaw(socket, protocolProblem(status, detail));
}

/**
 * `CONNECT`, which Node hands to an event of its own instead of the request handler (and, unheard,
 * answers by closing the connection): the API tunnels nothing, so it is answered as any other method
 * the target does not support — `405` with `Allow` on a path of the table, `404` elsewhere.
 */
function answerConnect(req: IncomingMessage, socket: Duplex): { status: number; requestId: string } {
  const target = req.url ?? '/';
  const url = new URL(target.startsWith('/') ? target : `/${target}`, 'http://localhost');
  return writeRaw(socket, fallback(apiEvent(req, url, matchRoute('CONNECT', url.pathname), Buffer.alloc(0), undefined), randomUUID()));
}

export function createApiServer(config: ServerConfig): http.Server {
  const throttles: Throttles = new Map();
  // Node's own refusals of a request without Host and of an unknown Expect have no body: these answer them as problem+json.
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    withLogContext({ requestId, function: `${config.functionPrefix}-api` }, () =>
      handle(req, res, config, throttles, requestId)
        .catch((error: unknown): Answered => {
          // What API Gateway answers when a Lambda crashes; the details go to the log, never to the client.
          log.error('local api: handler failed', { error });
          return { status: res.headersSent ? 500 : send(res, problemResult(new HttpError('internal', 'An unexpected error occurred.'), requestId), {}), byHandler: false };
        })
        .then(({ status, byHandler }) => {
          if (!byHandler && !config.quiet) log.info('request', { method: req.method, path: loggablePath(req.url ?? '/'), status, durationMs: Date.now() - started });
        }),
    );
  });
  const logProtocol = (answered: { status: number; requestId: string } | undefined, fields: Record<string, unknown>) => {
    if (answered && !config.quiet) withLogContext({ requestId: answered.requestId, function: `${config.functionPrefix}-api` }, () => log.info('request', { status: answered.status, ...fields }));
  };
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => logProtocol(answerClientError(error, socket), { clientError: error.code }));
  server.on('connect', (req: IncomingMessage, socket: Duplex) => logProtocol(answerConnect(req, socket), { method: 'CONNECT' }));
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const { headers, body } = protocolProblem(417, 'The only expectation the server meets is 100-continue.', requestId);
    res.writeHead(417, { ...headers, connection: 'close' }).end(body);
    logProtocol({ status: 417, requestId }, { method: req.method, expect: req.headers.expect });
  });
  return server;
}
