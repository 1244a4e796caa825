/**
 * CORS, once for the CDK HTTP API and the local server: which browser origins may call which paths,
 * with which methods and headers. No CDK imports (the local server reads it too).
 *
 * The admin console's origins may call every route; the customer portal's origins only the routes a
 * portal page calls. API Gateway's HTTP API has one CORS configuration for the whole API, so in AWS
 * both lists are allowed API-wide (`apiWideOrigins`); that costs nothing here, because the API uses no
 * ambient credentials (no cookies): a bearer token of the right pool is what a staff route needs, and
 * a page of the portal's origin holds none. The local server is exact (`allowedOrigin`).
 */
export interface CorsOrigins {
  /** The admin console's origins. */
  readonly admin: readonly string[];
  /** The customer portal's origins. */
  readonly portal: readonly string[];
}

export const CORS = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match'],
  exposeHeaders: ['location', 'etag', 'allow', 'retry-after'],
  maxAgeSeconds: 600,
} as const;

/** What a portal page calls: its own routes, accepting an invitation, a shared link. */
export const PORTAL_PATHS: readonly string[] = ['/portal/*', '/invitations/accept', '/shared/*'];

const matches = (pattern: string, path: string) => (pattern.endsWith('/*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern);

/** The origin to answer in `Access-Control-Allow-Origin` for a request to `path`, or undefined. */
export function allowedOrigin(origins: CorsOrigins, origin: string | undefined, path: string): string | undefined {
  if (!origin) return undefined;
  if (origins.admin.includes(origin)) return origin;
  if (origins.portal.includes(origin) && PORTAL_PATHS.some((p) => matches(p, path))) return origin;
  return undefined;
}

/** API Gateway's one list for the whole API (see above). */
export const apiWideOrigins = (origins: CorsOrigins): string[] => [...new Set([...origins.admin, ...origins.portal])];
