import { HttpError } from './problem';
import { Invalid } from '../contract/errors';

export const MAX_BODY_BYTES = 256 * 1024;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(contentType.trim());

/**
 * The JSON body of a request: 413 over 256 KiB, 415 when it is not JSON, 400 when it does not
 * parse or carries a key that could pollute prototypes. `undefined` when there is no body at all.
 */
export function parseJsonBody(raw: string | undefined, isBase64: boolean, contentType: string | undefined): unknown {
  if (raw === undefined || raw === '') return undefined;
  const bytes = isBase64 ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new HttpError(413, 'Content Too Large', `The body must be at most ${MAX_BODY_BYTES} bytes.`);
  if (!isJson(contentType)) throw new HttpError(415, 'Unsupported Media Type', 'The body must be application/json.', { 'accept-post': 'application/json' });
  let value: unknown;
  try {
    // Strict UTF-8 (RFC 8259 §8.1): a lossy decode would turn invalid bytes into U+FFFD and accept them.
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch {
    throw new HttpError(400, 'Bad Request', 'The body is not valid JSON.');
  }
  assertNoForbiddenKeys(value, []);
  return value;
}

function assertNoForbiddenKeys(value: unknown, path: string[]): void {
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw new Invalid(`The key "${key}" is not allowed.`, [...path, key].join('.'));
    assertNoForbiddenKeys(child, [...path, key]);
  }
}
