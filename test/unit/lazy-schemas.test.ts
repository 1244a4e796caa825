/**
 * The route table's schemas are built on first read (contract/schemas/lazy.ts): a function's handler,
 * when its module loads (INIT), builds every input schema of its own routes and nothing else — no
 * answer schema, no input of another area's routes —; the system function's builds them all (its
 * OpenAPI document reads them). Checked by loading each handler in a fresh module
 * registry where `lazy` records every schema it builds.
 */
import type * as z from 'zod';
import { FUNCTIONS, ROUTES, inputSchemasOf, schemasOf, type FunctionName, type Route } from '../../lambdas/contract/routes';

const answersOf = (route: Route): (z.ZodType | undefined)[] => schemasOf(route).slice(inputSchemasOf(route).length);

/** Loads the handler of `fn` in a fresh registry; answers what its INIT built and the fresh table. */
function loadAlone(fn: FunctionName): { builtAtInit: Set<unknown>; routes: readonly Route[] } {
  const built = new Set<unknown>();
  let result: { builtAtInit: Set<unknown>; routes: readonly Route[] } | undefined;
  jest.isolateModules(() => {
    jest.doMock('../../lambdas/contract/schemas/lazy', () => ({
      lazy: <T>(build: () => T) => {
        let schema: T | undefined;
        return () => {
          if (schema === undefined) built.add((schema = build()));
          return schema;
        };
      },
    }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(`../../lambdas/http/${fn}`);
    const builtAtInit = new Set(built);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ROUTES: routes } = require('../../lambdas/contract/routes') as typeof import('../../lambdas/contract/routes');
    result = { builtAtInit, routes };
  });
  return result!;
}

describe('the route table, built lazily', () => {
  it('loading the system handler builds every schema of the table (the OpenAPI document reads them all)', () => {
    const { builtAtInit, routes } = loadAlone('system');
    const all = routes.flatMap(schemasOf).filter((schema) => schema !== undefined);
    expect(all.filter((schema) => !builtAtInit.has(schema))).toEqual([]);
  });

  it.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))('%s: each schema is a zod schema, the same on every read', (_key, route) => {
    for (const schema of [...inputSchemasOf(route), ...answersOf(route)]) {
      if (schema === undefined) continue;
      expect(typeof schema.safeParse).toBe('function');
    }
    expect(inputSchemasOf(route)).toEqual([route.params, route.query, route.body]);
    inputSchemasOf(route).forEach((schema, i) => expect(schema).toBe(inputSchemasOf(route)[i]));
    answersOf(route).forEach((schema, i) => expect(schema).toBe(answersOf(route)[i]));
  });

  it.each(FUNCTIONS.filter((fn) => fn !== 'system').map((fn) => [fn]))('loading the %s handler builds its own routes\' input schemas and no other', (fn) => {
    const { builtAtInit, routes } = loadAlone(fn);
    const own = routes.filter((route) => route.fn === fn);
    const ownInputs = new Set(own.flatMap(inputSchemasOf).filter((schema) => schema !== undefined));
    for (const schema of ownInputs) expect(builtAtInit.has(schema)).toBe(true);
    const others = routes.flatMap((route) => [...answersOf(route), ...(route.fn === fn ? [] : inputSchemasOf(route))]);
    const builtOthers = others.filter((schema) => schema !== undefined && !ownInputs.has(schema) && builtAtInit.has(schema));
    expect(builtOthers).toEqual([]);
    // Reading every schema of the table built new ones: the check above could see them.
    expect(others.some((schema) => schema !== undefined && !builtAtInit.has(schema))).toBe(true);
  });
});
