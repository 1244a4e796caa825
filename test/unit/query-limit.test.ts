/**
 * Every `limit` of the route table, as a client writes it in a query string: plain decimal digits
 * from 1 to 100 (50 when absent); anything a number coercion would also have taken is a 400 that
 * names the parameter.
 */
import { ROUTES } from '../../lambdas/contract/routes';
import { ValidationFailed, toProblem } from '../../lambdas/http-kit/problem';

const paged = ROUTES.filter((route) => route.query && 'limit' in ((route.query as unknown as { shape?: object }).shape ?? {}));
const REFUSED = ['0x10', '1e1', '+5', ' 5', '5 ', '5.0', '-1', '0', '101', '', '5,6', 'Infinity', '9'.repeat(400), '１０'];

test('on each list route of API.md, limit is plain digits from 1 to 100 (none: 50); the rest is 400 naming limit', () => {
  expect(paged.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
    ['GET /contacts', 'GET /contacts/{id}/audit', 'GET /documents', 'GET /documents/{type}/{id}/access', 'GET /portal/documents'].sort(),
  );
  for (const route of paged) {
    const parse = (query: Record<string, string>) => route.query!.safeParse(query);
    expect([parse({}), parse({ limit: '1' }), parse({ limit: '05' }), parse({ limit: '100' })].map((r) => r.data)).toEqual([{ limit: 50 }, { limit: 1 }, { limit: 5 }, { limit: 100 }]);
    for (const limit of REFUSED) {
      const result = parse({ limit });
      expect({ route: route.path, limit, success: result.success }).toEqual({ route: route.path, limit, success: false });
      const { status, problem } = toProblem(new ValidationFailed(result.error!));
      expect({ limit, status, errors: problem.errors }).toEqual({ limit, status: 400, errors: [{ path: 'limit', message: 'must be a whole number from 1 to 100' }] });
    }
  }
});
