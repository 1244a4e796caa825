/**
 * The Lambda handlers of the route table's areas, imported on first use (after the local stack has
 * set the environment they read). An area whose file does not exist yet answers `501` for its routes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import type { FunctionName } from '../lambdas/contract/routes';
import type { HttpEvent, HttpResult } from '../lambdas/http-kit/handler';
import { ROOT } from './options';

export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult | string | object>;

const loaded = new Map<FunctionName, Promise<HttpHandler | undefined>>();

async function load(fn: FunctionName): Promise<HttpHandler | undefined> {
  const file = path.join(ROOT, 'lambdas', 'http', `${fn}.ts`);
  if (!fs.existsSync(file)) return undefined;
  const module = (await import(file)) as { handler?: HttpHandler };
  if (typeof module.handler !== 'function') throw new Error(`${file} exports no handler`);
  return module.handler;
}

/** The area's handler, or `undefined` while its file is not written yet. */
export function handlerOf(fn: FunctionName): Promise<HttpHandler | undefined> {
  let handler = loaded.get(fn);
  if (!handler) {
    handler = load(fn);
    // A file not there yet, or that failed to load (a syntax error mid-edit), is tried again next time.
    handler.then(
      (found) => found ?? loaded.delete(fn),
      () => loaded.delete(fn),
    );
    loaded.set(fn, handler);
  }
  return handler;
}
