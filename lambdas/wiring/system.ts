/** The system function (health, the OpenAPI document, the 404/405 answers): no client, no environment; the document is built once per container. */
import { buildOpenApi } from '../contract/openapi';

let openApi: unknown;

export const openApiDocument = (): unknown => (openApi ??= buildOpenApi());
