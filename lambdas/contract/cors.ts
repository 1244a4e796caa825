/**
 * CORS, one definition for AWS and the local stack: the HTTP API's (API Gateway in
 * lib/constructs/http-api.ts, the local server in local/server.ts) and the attachments bucket's (the
 * bucket in lib/constructs/attachments-storage.ts, the local S3 emulator). Which methods and request
 * headers a browser app may use, and which response headers it may read. The origins are each
 * stage's configuration (the admin console's `adminOrigins`).
 */
export const CORS = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'],
  /** What the apps read: the version (`ETag`), a created resource (`Location`), a 405's `Allow`, a 503's `Retry-After`. */
  exposeHeaders: ['ETag', 'Location', 'Allow', 'Retry-After'],
  /** How long a browser may reuse a preflight answer. */
  maxAgeSeconds: 3600,
} as const;

export type CorsMethod = (typeof CORS.allowMethods)[number];

/**
 * The attachments bucket: the admin console's browser PUTs an upload to its presigned URL — only that
 * method, only that header. Downloads are plain navigations to a presigned URL and need no CORS.
 */
export const UPLOAD_CORS = {
  allowMethods: ['PUT'],
  allowHeaders: ['Content-Type'],
  exposeHeaders: ['ETag'],
  maxAgeSeconds: 3000,
} as const;
