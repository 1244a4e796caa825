/** The system function (health, the OpenAPI document, the 404/405 answers): no client, no environment; the document is built once per container. */
import { buildOpenApi } from '../contract/openapi';
import { ROUTES, schemasOf } from '../contract/routes';

let openApi: unknown;

export const openApiDocument = (): unknown => (openApi ??= buildOpenApi());

// The document reads every schema of the table: they are built here, in INIT, as before the table's
// schemas became lazy (contract/schemas/lazy.ts), so that the first `GET /openapi.json` pays no more
// than it did (the document itself was, and is, built by that request).
ROUTES.forEach(schemasOf);
