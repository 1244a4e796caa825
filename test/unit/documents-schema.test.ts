/**
 * The publishing schema refuses what DynamoDB (through lib-dynamodb) could not store exactly, with
 * the path of the first such value; what it accepts, the store writes as is.
 */
import { validationProblem } from '../../lambdas/http-kit/problem';
import { documentId, MAX_ATTRIBUTE_NESTING, putDocumentBody, unstorable } from '../../lambdas/contract/schemas/documents';

const nested = (levels: number): unknown => (levels === 0 ? 'leaf' : [nested(levels - 1)]);
const pathsOf = (body: Record<string, unknown>) => {
  const result = putDocumentBody().safeParse({ customerId: 'c1', name: 'N', ...body });
  return result.success ? [] : (validationProblem(result.error).errors ?? []).map((e) => e.path);
};

describe('what a document may carry', () => {
  it.each([
    [{ amount: 1e20 }, ['amount']],
    [{ amount: Number.MAX_SAFE_INTEGER + 2 }, ['amount']],
    [{ amount: -1e126 }, ['amount']],
    [{ amount: 1e-131 }, ['amount']],
    [{ amount: Number.NaN }, ['amount']],
    [{ data: { n: 1e20 } }, ['data.n']],
    [{ data: { a: [1, 2, { b: Number.MIN_VALUE }] } }, ['data.a.2.b']],
    [{ data: { ok: 1, '': 2 } }, ['data.']],
    // Half a surrogate pair has no UTF-8: DynamoDB cannot store it as sent (as a key, the write fails).
    [{ data: { note: 'a\ud800b' } }, ['data.note']],
    [{ data: { list: ['ok', '\udc00'] } }, ['data.list.1']],
    [{ data: { outer: { '\ud800': 1 } } }, ['data.outer']],
    [{ data: { deep: nested(MAX_ATTRIBUTE_NESTING) } }, [`data.deep.${Array(MAX_ATTRIBUTE_NESTING - 1).fill('0').join('.')}`]],
  ])('refuses %j at %j', (body, paths) => {
    expect(pathsOf(body)).toEqual(paths);
  });

  it.each([
    [{ amount: Number.MAX_SAFE_INTEGER }],
    [{ amount: -Number.MAX_SAFE_INTEGER }],
    [{ amount: 1e-130 }],
    [{ amount: 0 }],
    [{ amount: -0 }],
    [{ amount: 0.1 + 0.2 }],
    [{ data: { deep: nested(MAX_ATTRIBUTE_NESTING - 1), empty: '', nothing: null, list: [], map: {} } }],
    [{ data: { '\ud83d\ude00': '\ud83d\ude00', nul: 'a\u0000b' } }],
  ])('accepts %j', (body) => {
    expect(pathsOf(body)).toEqual([]);
  });

  it('walks a wide value without recursion and reports the first problem in document order', () => {
    const wide = Array.from({ length: 100_000 }, (_, i) => (i === 70_000 || i === 90_000 ? 1e300 : i));
    expect(unstorable({ wide })).toEqual({ path: ['wide', 70_000], message: expect.stringContaining('magnitude') });
  });
});

describe('a document id', () => {
  // A URL client drops a `.` or `..` path segment (RFC 3986 §5.2.4): such a document could never be read or withdrawn.
  it.each(['.', '..', '', 'a/b', 'x'.repeat(129)])('refuses %j', (value) => {
    expect(documentId().safeParse(value).success).toBe(false);
  });

  it.each(['...', '.a', 'a.', 'a..b', '..a', 'INV:1', 'x'.repeat(128)])('accepts %j', (value) => {
    expect(documentId().safeParse(value).success).toBe(true);
  });
});
