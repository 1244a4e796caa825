import * as z from 'zod';
import { ROUTES, type Route } from './routes';
import { problem } from './schemas/common';

/**
 * The OpenAPI 3.1 document, generated from the route table and the very schemas the handlers
 * validate with, so the documentation cannot drift from what the API accepts.
 */
type Json = Record<string, unknown>;

const ERROR_STATUSES: Record<number, string> = {
  400: 'Malformed JSON, schema violation, unknown field, bad cursor or path parameter',
  401: 'Missing, invalid or expired token, a token of the other pool, or (title "Portal access ended") portal access that is not active',
  403: 'Staff user not in portal-admins',
  404: 'Unknown resource (or one the portal user may not see)',
  405: 'Method not supported on this path',
  409: 'Conflict: email in use, stale If-Match version, Idempotency-Key reused with another body',
  410: 'Invitation token or share link cannot be used',
  413: 'Body over 256 KiB',
  415: 'Body is not application/json',
  429: 'Throttled',
  500: 'Unexpected error',
  503: 'A dependency is unavailable; retry',
};

function errorsOf(route: Route): number[] {
  const statuses = new Set([400, 500, 503]);
  if (route.principal !== 'public') statuses.add(401);
  if (route.principal === 'staff') statuses.add(403);
  if (route.params || route.path.startsWith('/portal/')) statuses.add(404);
  if (route.body) [413, 415].forEach((s) => statuses.add(s));
  if (['POST', 'PATCH'].includes(route.method) && route.fn !== 'invitations') statuses.add(409);
  if (route.fn === 'invitations' || route.fn === 'shared') statuses.add(410);
  statuses.add(429);
  return [...statuses].sort();
}

export function buildOpenApi(): Json {
  const components: Record<string, unknown> = { Problem: toSchema(problem, 'output') };
  const convert = (schema: z.ZodType, io: 'input' | 'output') => {
    const json = toSchema(schema, io) as Json & { $defs?: Record<string, unknown> };
    Object.assign(components, json.$defs ?? {});
    delete json.$defs;
    delete json.$schema;
    return json;
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const parameters = [
      ...objectParameters(route.params, 'path', convert),
      ...objectParameters(route.query, 'query', convert),
      ...(route.headers ?? []).map((name) => ({ name, in: 'header', required: false, schema: { type: 'string' } })),
    ];
    const responses: Record<string, unknown> = {
      [route.success.status]: route.success.body
        ? { description: 'Success', content: { 'application/json': { schema: convert(route.success.body, 'output') } } }
        : { description: 'Success' },
    };
    if (route.operationId === 'putDocument') responses['201'] = { ...(responses['200'] as Json), description: 'Created' };
    const also = route.alsoSuccess;
    if (also)
      responses[also.status] = also.body
        ? { description: `Success with ${also.when}`, content: { 'application/json': { schema: convert(also.body, 'output') } } }
        : { description: `Success with ${also.when}` };
    for (const status of errorsOf(route)) {
      responses[status] = {
        description: ERROR_STATUSES[status],
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.fn],
      security: route.principal === 'public' ? [] : [{ [route.principal === 'staff' ? 'staffPool' : 'customerPool']: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: convert(route.body, 'input') } } } }
        : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Portal Access API',
      version: '1.0.0',
      description: "Read-only customer portal access to a business's documents: contacts, the grant-portal-access wizard, documents, grants and share links, the portal, invitations.",
    },
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        staffPool: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token of the staff user pool; user in group portal-admins' },
        customerPool: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token of the customer user pool (portal user)' },
      },
    },
  };
}

function toSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  return JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/')) as Json;
}

function objectParameters(schema: z.ZodType | undefined, where: 'path' | 'query', convert: (s: z.ZodType, io: 'input') => Json) {
  if (!schema) return [];
  const json = convert(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}
