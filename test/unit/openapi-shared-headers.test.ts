/**
 * The OpenAPI document declares the headers every answer of a share link's routes carries (the
 * integration suite checks the answers themselves: share-links.test.ts), with their fixed values.
 */
import { buildOpenApi } from '../../lambdas/contract/openapi';
import { ROUTES } from '../../lambdas/contract/routes';
import { SHARED_RESPONSE_HEADERS } from '../../lambdas/contract/share-links';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, { $ref: string }> }> }>>; components: { headers: Record<string, { schema: { const?: string } }> } };

const doc = buildOpenApi() as unknown as Doc;
const NAMES = { 'cache-control': 'Cache-Control', 'referrer-policy': 'Referrer-Policy', 'x-robots-tag': 'X-Robots-Tag' } as const;

test('every answer of the share-link routes, 200, 302 or a problem, declares Cache-Control, Referrer-Policy and X-Robots-Tag with their values', () => {
  const shared = ROUTES.filter((route) => route.fn === 'shared');
  expect(shared.length).toBe(2);
  for (const route of shared) {
    const responses = Object.entries(doc.paths[route.path]![route.method.toLowerCase()]!.responses);
    expect(responses.map(([status]) => status)).toEqual(expect.arrayContaining([String(route.success.status), '410', '429']));
    for (const [status, answer] of responses) {
      for (const [lower, name] of Object.entries(NAMES)) {
        const ref = answer.headers?.[name]?.$ref;
        const component = ref ? doc.components.headers[ref.replace('#/components/headers/', '')] : undefined;
        expect({ path: route.path, status, name, value: component?.schema.const }).toEqual({ path: route.path, status, name, value: SHARED_RESPONSE_HEADERS[lower] });
      }
    }
  }
});

test('no other route declares them', () => {
  for (const route of ROUTES.filter((r) => r.fn !== 'shared'))
    for (const answer of Object.values(doc.paths[route.path]![route.method.toLowerCase()]!.responses)) expect(Object.keys(answer.headers ?? {})).not.toContain('X-Robots-Tag');
});
