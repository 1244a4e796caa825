import { httpFunction } from '../http-kit/handler';
import { openApiDocument } from '../wiring/system';

/** Public routes (health, the OpenAPI document) and the fallbacks: `405` for unsupported methods, `404` for unknown paths. */
export const handler = httpFunction('system', {
  getHealth: async () => ({ status: 200, body: { status: 'ok' } }),
  getOpenApi: async () => ({ status: 200, body: openApiDocument() }),
});
