/**
 * Page cursors as a client sees them: opaque URL-safe text that continues the listing it came from,
 * and every forged or foreign cursor refused with the same 400 on `cursor` — never a 500, never a
 * start key DynamoDB would be asked to use.
 */
import { decodeCursor, encodeCursor } from '../../lambdas/adapters/dynamodb/cursor';
import { Invalid } from '../../lambdas/contract/errors';
import { toProblem } from '../../lambdas/http-kit/problem';

const SCOPE = 'CUSTOMER#c1';
const ATTRIBUTES = ['pk', 'sk', 'gsi1pk'] as const;
const forge = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function refusal(cursor: string, fixed?: Record<string, string>) {
  try {
    decodeCursor(cursor, SCOPE, ATTRIBUTES, fixed);
  } catch (error) {
    return error;
  }
  return 'accepted';
}

it('a cursor is URL-safe text that continues its own listing', () => {
  const key = { pk: 'DOC#invoice#INV-1', sk: 'DOC', gsi1pk: 'CUSTOMER#c1' };
  const cursor = encodeCursor(SCOPE, key);
  expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(decodeCursor(cursor, SCOPE, ATTRIBUTES, { gsi1pk: 'CUSTOMER#c1' })).toEqual(key);
  expect(decodeCursor(undefined, SCOPE, ATTRIBUTES)).toBeUndefined();
});

it.each<[string, string, Record<string, string>?]>([
  ['JSON null', forge(null)],
  ['no key', forge({ s: SCOPE })],
  ['a null key', forge({ s: SCOPE, k: null })],
  ['an empty key', forge({ s: SCOPE, k: {} })],
  ['a key value that is not text', forge({ s: SCOPE, k: { pk: 5 } })],
  ['a key value over 1024 characters', forge({ s: SCOPE, k: { pk: 'x'.repeat(1025) } })],
  ['an attribute the listing does not use', forge({ s: SCOPE, k: { pk: 'a', other: 'b' } })],
  ["another listing's cursor", encodeCursor('CUSTOMER#c2', { pk: 'a' })],
  ['another partition than the listing reads', encodeCursor(SCOPE, { pk: 'a', gsi1pk: 'CUSTOMER#c2' }), { gsi1pk: 'CUSTOMER#c1' }],
  ['not JSON at all', 'not-a-cursor'],
  ['a number', forge(42)],
])('%s: 400 on cursor', (...[, cursor, fixed]) => {
  const error = refusal(cursor, fixed);
  expect(error).toBeInstanceOf(Invalid);
  expect(toProblem(error)).toMatchObject({ status: 400, problem: { errors: [{ path: 'cursor', message: 'The cursor is not valid for this listing.' }] } });
});

it('a key value of exactly 1024 characters is still a position', () => {
  expect(decodeCursor(forge({ s: SCOPE, k: { pk: 'x'.repeat(1024) } }), SCOPE, ATTRIBUTES)).toEqual({ pk: 'x'.repeat(1024) });
});
