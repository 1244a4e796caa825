/**
 * Every `limit` of the route table, as a client writes it in a query string: plain decimal digits
 * from 1 to 100 (50 when absent); anything a number coercion would also have taken is a 400 that
 * names the parameter.
 */
import { ROUTES } from '../../lambdas/contract/routes';
import { ValidationFailed, toProblem } from '../../lambdas/http-kit/problem';

const paged = ROUTES.filter((route) => route.query && 'limit' in ((route.query as unknown as { shape?: object }).shape ?? {}));

test('the paged routes are the list routes of API.md', () => {
  expect(paged.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
    ['GET /contacts', 'GET /contacts/{id}/audit', 'GET /documents', 'GET /documents/{type}/{id}/access', 'GET /portal/documents'].sort(),
  );
});

describe.each(paged.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', (_key, route) => {
  const parse = (query: Record<string, string>) => route.query!.safeParse(query);

  test.each([
    ['1', 1],
    ['05', 5],
    ['100', 100],
  ])('limit=%s is %i', (limit, expected) => {
    expect(parse({ limit })).toMatchObject({ success: true, data: { limit: expected } });
  });

  test('no limit is 50', () => {
    expect(parse({})).toMatchObject({ success: true, data: { limit: 50 } });
  });

  test.each(['0x10', '1e1', '+5', ' 5', '5 ', '5.0', '-1', '0', '101', '', '5,6', 'Infinity', '9'.repeat(400), '１０'])('limit=%j is refused, the parameter named', (limit) => {
    const result = parse({ limit });
    expect(result.success).toBe(false);
    const { status, problem } = toProblem(new ValidationFailed(result.error!));
    expect(status).toBe(400);
    expect(problem.errors).toEqual([{ path: 'limit', message: 'must be a whole number from 1 to 100' }]);
  });
});
