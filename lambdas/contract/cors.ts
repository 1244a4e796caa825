/**
 * CORS of the HTTP API, one definition for API Gateway (lib/constructs/http-api.ts) and the local
 * server (local/server.ts): which methods and request headers a browser app may use, and which
 * response headers it may read. The origins are each stage's configuration.
 */
export const CORS = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'],
  /** What the apps read: the version (`ETag`), a created resource (`Location`), a 405's `Allow`, a 503's `Retry-After`, the request id for support. */
  exposeHeaders: ['ETag', 'Location', 'Allow', 'Retry-After', 'X-Request-Id'],
  /** How long a browser may reuse a preflight answer. */
  maxAgeSeconds: 3600,
} as const;

export type CorsMethod = (typeof CORS.allowMethods)[number];
