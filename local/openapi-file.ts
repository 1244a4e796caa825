/**
 * `npm run openapi [-- <file>]`: writes the OpenAPI document (the one `GET /openapi.json` answers)
 * to a file, default `.local/openapi.json`, for the linter (`npm run lint:openapi`, part of
 * `npm test`) and for generating clients without a running stack.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildOpenApi } from '../lambdas/contract/openapi';
import { ROOT } from './options';

const file = path.resolve(ROOT, process.argv[2] ?? '.local/openapi.json');
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, `${JSON.stringify(buildOpenApi(), null, 2)}\n`);
console.log(path.relative(process.cwd(), file));
