/**
 * Route matching as API Gateway's HTTP API does it for our route table: a method + path template
 * (`/contacts/{id}`) matches a path whose segments line up, each parameter a non-empty segment.
 * What matches no route gets the route key API Gateway would give it, for `fallback()` to answer:
 * `ANY <template>` for a known path with another method (and any path under `/portal`), `$default`
 * for an unknown path.
 */
import { READ_ONLY_PREFIX, ROUTES, routeKey, type Route } from '../lambdas/contract/routes';

export interface Match {
  readonly routeKey: string;
  readonly route?: Route;
  readonly pathParameters?: Record<string, string>;
}

interface Template {
  readonly path: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(path: string): Template {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^\{([^}]+)\}$/.exec(segment);
      if (!param?.[1]) return escape(segment);
      names.push(param[1]);
      return '([^/]+)';
    })
    .join('/');
  return { path, pattern: new RegExp(`^${source}$`), names };
}

// Fewest parameters first: literal segments win over parameters, as in API Gateway.
const TEMPLATES: readonly Template[] = [...new Set(ROUTES.map((r) => r.path))].map(compile).sort((a, b) => a.names.length - b.names.length);

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchTemplate(path: string): { template: Template; params: Record<string, string> } | undefined {
  for (const template of TEMPLATES) {
    const found = template.pattern.exec(path);
    if (!found) continue;
    const params: Record<string, string> = {};
    template.names.forEach((name, i) => (params[name] = decode(found[i + 1] ?? '')));
    return { template, params };
  }
  return undefined;
}

export function matchRoute(method: string, path: string): Match {
  const found = matchTemplate(path);
  if (!found) {
    // API Gateway's catch-all under /portal: every method there is the portal's business (405 or 404).
    if (path === READ_ONLY_PREFIX || path.startsWith(`${READ_ONLY_PREFIX}/`)) return { routeKey: `ANY ${READ_ONLY_PREFIX}/{proxy+}` };
    return { routeKey: '$default' };
  }
  const route = ROUTES.find((r) => r.path === found.template.path && r.method === method);
  const pathParameters = found.template.names.length > 0 ? found.params : undefined;
  if (!route) return { routeKey: `ANY ${found.template.path}`, ...(pathParameters ? { pathParameters } : {}) };
  return { routeKey: routeKey(route), route, ...(pathParameters ? { pathParameters } : {}) };
}

/**
 * The URL of a request's target (RFC 9112 §3.2). An origin-form target is a path, also one that
 * begins with `//`: resolved against a base, `//evil.example/health` would read as a host and the
 * path `/health` — a segment silently dropped, and a route answered that the client never named.
 * The absolute form (`http://host/path`) and `*` are read as URLs.
 */
export function requestUrl(target = '/'): URL {
  return new URL(target.startsWith('/') ? `http://localhost${target}` : target, 'http://localhost');
}

/** Path parameters that are secrets (a share link's token): never written to a log line. */
const SECRET_PARAMS: readonly string[] = ['token'];

/** A template's parameter name, if the segment is one (`{token}` → `token`). */
const paramOf = (segment: string): string | undefined => /^\{([^}]+)\}$/.exec(segment)?.[1];

/** The templates that carry a secret, as segments (`['', 'shared', '{token}']`). */
const SECRET_TEMPLATES: readonly (readonly string[])[] = TEMPLATES.filter((t) => t.names.some((name) => SECRET_PARAMS.includes(name))).map((t) => t.path.split('/'));

/**
 * The request's path and query as a log line may show it: each secret path parameter replaced by
 * its name — also on a path that matches no route but lines up with a secret's template up to the
 * secret (`/shared/<token>/`, `/shared/<token>/x`: a 404 whose path still holds a live token).
 */
export function loggablePath(rawUrl: string): string {
  const url = new URL(rawUrl, 'http://localhost');
  const segments = url.pathname.split('/');
  let redacted = false;
  for (const template of SECRET_TEMPLATES) {
    template.forEach((part, i) => {
      const param = paramOf(part);
      if (!param || !SECRET_PARAMS.includes(param) || !segments[i]) return;
      const linesUp = template.slice(0, i).every((before, j) => (paramOf(before) ? segments[j] !== '' : before === segments[j]));
      if (!linesUp) return;
      segments[i] = `{${param}}`;
      redacted = true;
    });
  }
  return redacted ? segments.join('/') + url.search : rawUrl;
}
