import { httpFunction } from '../http-kit/handler';
import { buildOpenApi } from '../http-kit/openapi';

/** Public routes (health, the OpenAPI document) and the fallbacks: `405` for unsupported methods, `404` for unknown paths. */
let openApi: unknown;

export const handler = httpFunction('system', {
  getHealth: async () => ({ status: 200, body: { status: 'ok' } }),
  getOpenApi: async () => {
    openApi ??= buildOpenApi();
    return { status: 200, body: openApi };
  },
});
