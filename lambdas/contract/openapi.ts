import * as z from 'zod';
import { FUNCTIONS, ROUTES, type FunctionName, type Route } from './routes';
import { PROBLEM_KINDS, kindsOfStatus, problemTypeOf, requestInstance, type ProblemKindName } from './problem-types';
import { problem } from './schemas/common';
import { SHARED_RESPONSE_HEADERS } from './share-links';

/**
 * The OpenAPI 3.1 document, generated from the route table and the very schemas the handlers
 * validate with, so the documentation cannot drift from what the API accepts. `npm test` lints it
 * with Redocly's recommended rules, strictly (redocly.yaml). Generated clients key on the
 * operationIds and schema names: keep them stable.
 */
type Json = Record<string, unknown>;

const TAGS: Record<FunctionName, string> = {
  system: 'Health and this document',
  contacts: 'Persons and companies (staff)',
  'portal-access': 'The grant-portal-access wizard, re-invitations and the audit trail (staff)',
  documents: 'Documents published into the portal, and their explicit grants (staff)',
  portal: 'What a portal user sees (read only)',
  invitations: 'Accepting an invitation (public, by its token)',
  shared: "A shared document, by its share link's token (public)",
};

const ERROR_STATUSES: Record<number, string> = {
  400: 'Malformed JSON, schema violation, unknown field, bad cursor, path parameter or header',
  401: 'Missing, invalid or expired token, a token of the other pool, or (title "Portal access ended") portal access that is not active',
  403: 'Staff user not in portal-admins',
  404: 'Unknown resource (or one the portal user may not see)',
  405: 'The path does not support the method used (every write under /portal among them); `Allow` lists those it does',
  409: 'Conflict: email in use, stale If-Match version, Idempotency-Key reused with another body, or the state changed',
  410: 'Invitation token or share link cannot be used',
  413: 'Body over 256 KiB',
  415: 'Body is not application/json',
  429: 'Throttled',
  500: 'Unexpected error',
  503: 'A dependency is unavailable; retry after `Retry-After` seconds',
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function errorsOf(route: Route): number[] {
  const statuses = new Set([400, 405, 429, 500, 503]);
  if (route.principal !== 'public') statuses.add(401);
  if (route.principal === 'staff') statuses.add(403);
  if (route.params || route.path.startsWith('/portal/')) statuses.add(404);
  if (route.body) [413, 415].forEach((s) => statuses.add(s));
  if (WRITES.has(route.method) && route.fn !== 'invitations') statuses.add(409);
  if (route.fn === 'invitations' || route.fn === 'shared') statuses.add(410);
  return [...statuses].sort();
}

/** The kinds of problem a route can answer with a status (the examples of that response). */
function kindsOf(route: Route, status: number): ProblemKindName[] {
  const applies: Partial<Record<ProblemKindName, boolean>> = {
    // A wizard line's problem only (inside a 200 answer), never a whole answer.
    'no-email': false,
    'out-of-scope': route.fn === 'portal-access' && route.method === 'POST',
    'access-ended': route.principal === 'customer',
    'email-in-use': route.operationId === 'updateContact',
    'stale-version': (route.headers ?? []).includes('If-Match'),
    'idempotency-conflict': (route.headers ?? []).includes('Idempotency-Key'),
    'invitation-unusable': route.fn === 'invitations',
    'link-unusable': route.fn === 'shared',
  };
  return kindsOfStatus(status).filter((kind) => applies[kind] ?? true);
}

const header = (description: string, schema: Json = { type: 'string' }) => ({ description, schema });

const HEADERS = {
  XRequestId: header('The request id: also the `instance` of a problem (`urn:request:<id>`) and the `requestId` of its log lines.', { type: 'string', examples: ['6f1c2c1e-8d7a-4a39-9a4e-3b8f0e3c2d11'] }),
  ETag: header("The contact's version, quoted (`\"3\"`): send it back as `If-Match`.", { type: 'string', examples: ['"3"'] }),
  Location: header('The path of the resource created (201), or the URL a redirect leads to (302).', { type: 'string', examples: ['/contacts/0b7c6a52-5d1e-4a8e-9f3e-2f4c9d6b1a10'] }),
  RetryAfter: header('Seconds to wait before repeating the request.', { type: 'integer', minimum: 0, examples: [1] }),
  Allow: header('The methods the path supports.', { type: 'string', examples: ['GET, PATCH, DELETE'] }),
  WWWAuthenticate: header('`Bearer`: an access token is required.', { type: 'string', examples: ['Bearer'] }),
  // On every answer to a share link's holder, 200 or not (contract/share-links.ts).
  CacheControl: header('Never stored by any cache: the document must not outlive its link.', { type: 'string', const: SHARED_RESPONSE_HEADERS['cache-control'] }),
  ReferrerPolicy: header('The link is never sent on as a Referer.', { type: 'string', const: SHARED_RESPONSE_HEADERS['referrer-policy'] }),
  XRobotsTag: header('Never indexed.', { type: 'string', const: SHARED_RESPONSE_HEADERS['x-robots-tag'] }),
} as const;

/** The headers of every answer of a share link's route, by their names in the answer. */
const SHARED_HEADERS = { 'Cache-Control': 'CacheControl', 'Referrer-Policy': 'ReferrerPolicy', 'X-Robots-Tag': 'XRobotsTag' } as const;

const ref = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

/** The example of one problem kind, as the API answers it. */
function problemExample(kind: ProblemKindName): Json {
  const { status, title } = PROBLEM_KINDS[kind];
  const example: Json = { type: problemTypeOf(kind), title, status, detail: PROBLEM_KINDS[kind].when.split(';')[0], instance: requestInstance('6f1c2c1e-8d7a-4a39-9a4e-3b8f0e3c2d11') };
  if (kind === 'validation') example.errors = [{ path: 'lines.0.email', message: 'must be a valid email address with an ASCII local part' }];
  return { summary: title, value: example };
}

function errorResponse(route: Route, status: number): Json {
  const kinds = kindsOf(route, status);
  const headers: Json = { 'X-Request-Id': ref('XRequestId') };
  if (status === 401) headers['WWW-Authenticate'] = ref('WWWAuthenticate');
  if (status === 405) headers.Allow = ref('Allow');
  // A route with a rate limit of its own is throttled by the local server with `Retry-After` (API Gateway's own 429 in AWS carries none).
  if (status === 503 || (status === 429 && route.throttle)) headers['Retry-After'] = ref('RetryAfter');
  return {
    description: `${ERROR_STATUSES[status]}. Types: ${kinds.map((kind) => `\`${problemTypeOf(kind)}\``).join(', ')}`,
    headers,
    content: {
      'application/problem+json': {
        schema: { $ref: '#/components/schemas/Problem' },
        ...(kinds.length > 0 ? { examples: Object.fromEntries(kinds.map((kind) => [kind, problemExample(kind)])) } : {}),
      },
    },
  };
}

function successResponse(route: Route, status: number, convert: (s: z.ZodType, io: 'output') => Json): Json {
  const headers: Json = { 'X-Request-Id': ref('XRequestId') };
  for (const name of route.success.headers ?? []) if (name !== 'Location' || status === 201 || status === 302) headers[name] = ref(name);
  const body = route.success.body;
  return {
    description: status === 201 ? 'Created' : status === 202 ? 'Accepted' : status === 204 ? 'Done, no content' : status === 302 ? 'Found: a redirect to `Location`' : 'Success',
    headers,
    ...(body ? { content: { 'application/json': { schema: convert(body, 'output') } } } : {}),
  };
}

export function buildOpenApi(): Json {
  const components: Record<string, unknown> = { Problem: toSchema(problem(), 'output') };
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
    const responses: Record<string, unknown> = { [route.success.status]: successResponse(route, route.success.status, convert) };
    // An upsert: 200 replaced, 201 created.
    if (route.method === 'PUT') responses['201'] = successResponse(route, 201, convert);
    for (const status of errorsOf(route)) responses[status] = errorResponse(route, status);
    const also = route.alsoSuccess;
    if (also) {
      // The route's headers, the other answer's own body.
      const { content: _content, ...answer } = successResponse(route, also.status, convert);
      responses[also.status] = { ...answer, description: `Success with ${also.when}`, ...(also.body ? { content: { 'application/json': { schema: convert(also.body, 'output') } } } : {}) };
    }
    if (route.fn === 'shared')
      for (const answer of Object.values(responses) as { headers: Json }[])
        for (const [name, component] of Object.entries(SHARED_HEADERS)) answer.headers[name] = ref(component);
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.fn],
      security: route.principal === 'public' ? [] : [{ [route.principal === 'staff' ? 'staffPool' : 'customerPool']: [] }],
      ...(parameters.length ? { parameters } : {}),
      // A body without required fields may be left out (it means `{}`: http-kit/handler.ts).
      ...(route.body
        ? { requestBody: { required: !route.body.safeParse({}).success, content: { 'application/json': { schema: convert(route.body, 'input') } } } }
        : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Portal Access API',
      version: '1.0.0',
      description:
        "Read-only customer portal access to a business's documents: contacts, the grant-portal-access wizard, documents, grants and share links, the portal, invitations. " +
        'Every answer carries `X-Request-Id`; every error is `application/problem+json` whose `type` is one of the stable URIs of `Problem.type`.',
      license: { name: 'Proprietary (UNLICENSED)', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [
      { url: 'https://{apiId}.execute-api.{region}.amazonaws.com', description: "A stage's HTTP API in AWS (the stack's ApiUrl output)", variables: { apiId: { default: 'abcdef1234' }, region: { default: 'eu-west-1' } } },
      { url: 'http://127.0.0.1:{port}', description: 'The local stack (npm start)', variables: { port: { default: '3000' } } },
    ],
    tags: FUNCTIONS.map((name) => ({ name, description: TAGS[name] })),
    paths,
    components: {
      schemas: components,
      headers: HEADERS,
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
  const json = convert(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    // A parameter's description is the parameter's, not its schema's.
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}
