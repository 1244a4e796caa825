/**
 * The security headers of the web apps, once for CloudFront (the response-headers policy) and the
 * local static server. No CDK imports. The Content-Security-Policy lets a page load only its own
 * files and talk only to its own origin (`/config.json`), the API and the hosted UI (token endpoint):
 * no inline script or style, no framing, no plugins, forms post to the page's own origin only.
 */
export interface CspOrigins {
  /** The HTTP API's origin; none when the page reaches the API on its own origin (CloudFront's `/api/*`). */
  readonly api?: string;
  /** The hosted UI's origin (Cognito's domain, or the local stand-in). */
  readonly hostedUi: string;
  /** Further origins the page sends to: the admin console's presigned uploads (the attachments bucket). */
  readonly uploads?: readonly string[];
}

export function contentSecurityPolicy(origins: CspOrigins): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    ['connect-src', "'self'", origins.api, origins.hostedUi, ...(origins.uploads ?? [])].filter(Boolean).join(' '),
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** The other headers, every response. (HSTS only over HTTPS, i.e. from CloudFront.) */
export const WEB_HEADERS = {
  referrerPolicy: 'no-referrer',
  contentTypeOptions: 'nosniff',
  frameOptions: 'DENY',
  /** `X-Robots-Tag`: the apps are private, and an invitation's or a share link's page holds its token in its URL. */
  robots: 'noindex, nofollow',
  hstsMaxAgeSeconds: 2 * 365 * 24 * 3600,
} as const;

/**
 * How long a browser keeps what it loaded: a page (`index.html`) is checked again on every load, so a
 * deployment reaches everyone at once; the hashed files it names (`/assets/…`) never change under their
 * names and are kept for good. `/config.json` is fetched with `no-store` by the page itself.
 */
export const WEB_CACHE_CONTROL = {
  page: 'no-cache',
  hashedAsset: 'public, max-age=31536000, immutable',
} as const;

/** The origin (scheme, host, port) of a URL: what CSP source lists and CORS compare. */
export const originOf = (url: string): string => new URL(url).origin;
