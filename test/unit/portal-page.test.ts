/**
 * A page of the portal's listing, merged from its streams: newest first whatever order the streams
 * come in, and cut at its byte budget exactly at the limit (a Lambda answer is at most 6 MB).
 */
import type { DocumentType } from '../../lambdas/contract/document-types';
import { keys } from '../../lambdas/contract/keys';
import type { Document } from '../../lambdas/contract/schemas/documents';
import { mergeNewestFirst, type OrderedDocument } from '../../lambdas/domain/visibility';

const AT = '2026-11-01T00:00:00.000Z';

function entry(type: DocumentType, id: string, date: string | undefined, data?: Record<string, unknown>): OrderedDocument {
  const document: Document = { type, id, customerId: 'c', name: `${type} ${id}`, ...(date ? { date } : {}), ...(data ? { data } : {}), createdAt: AT, updatedAt: AT };
  return { order: keys.documentOrder(type, id, date), document };
}

const ids = (page: { items: Document[] }) => page.items.map((d) => d.id);
const bytes = (e: OrderedDocument) => Buffer.byteLength(JSON.stringify(e.document));

describe('streams merged newest first', () => {
  const d1 = entry('invoice', 'd1', '2026-01-01');
  const d2 = entry('task', 'd2', '2026-01-02');
  const d3 = entry('lead', 'd3', '2026-01-03');
  const d4 = entry('invoice', 'd4', '2026-01-04');
  const d5 = entry('ticket', 'd5', '2026-01-05');

  it('the oldest stream first, the newest last, interleaved: one page newest first', () => {
    expect(ids(mergeNewestFirst([[d3, d1], [d4, d2], [d5]], 10))).toEqual(['d5', 'd4', 'd3', 'd2', 'd1']);
    expect(ids(mergeNewestFirst([[d1], [d2], [d3], [d4], [d5]], 10))).toEqual(['d5', 'd4', 'd3', 'd2', 'd1']);
    expect(ids(mergeNewestFirst([[d5, d4, d3, d2, d1]], 10))).toEqual(['d5', 'd4', 'd3', 'd2', 'd1']);
  });

  it('the same day: by type then id, as the order key says; undated ones last', () => {
    const sameDay = [entry('task', 'b', '2026-02-01'), entry('invoice', 'z', '2026-02-01'), entry('invoice', 'a', '2026-02-01')];
    const undated = entry('lead', 'u', undefined);
    expect(ids(mergeNewestFirst([[undated], [sameDay[2]!], [sameDay[0]!, sameDay[1]!]], 10))).toEqual(['b', 'z', 'a', 'u']);
  });

  it('a limit cuts the merged order, not the first stream: the position to continue from is the last one shown', () => {
    const page = mergeNewestFirst([[d3, d1], [d4, d2], [d5]], 3);
    expect(ids(page)).toEqual(['d5', 'd4', 'd3']);
    expect(page.last).toBe(d3.order);
  });
});

describe('the byte budget', () => {
  const x = entry('invoice', 'x', '2026-01-03', { blob: 'x'.repeat(1000) });
  const y = entry('invoice', 'y', '2026-01-02', { blob: 'y'.repeat(1000) });
  const z = entry('invoice', 'z', '2026-01-01', { blob: 'z'.repeat(1000) });

  it('documents that fill it exactly are all on the page', () => {
    const page = mergeNewestFirst([[x, y, z]], 10, bytes(x) + bytes(y) + bytes(z));
    expect(ids(page)).toEqual(['x', 'y', 'z']);
    expect(page.last).toBeUndefined();
  });

  it('one byte less and the last one waits for the next page', () => {
    const page = mergeNewestFirst([[x, y, z]], 10, bytes(x) + bytes(y) + bytes(z) - 1);
    expect(ids(page)).toEqual(['x', 'y']);
    expect(page.last).toBe(y.order);
  });

  it('a first document larger than the whole budget is still shown, alone', () => {
    const page = mergeNewestFirst([[x, y]], 10, bytes(x) - 1);
    expect(ids(page)).toEqual(['x']);
    expect(page.last).toBe(x.order);
  });

  it('by default a page is filled up to 5 MiB and no further (a Lambda answer is at most 6 MB)', () => {
    const limit = 5 * 1024 * 1024;
    // Newest first: b099, b098, …
    const big = Array.from({ length: 100 }, (_, i) => entry('invoice', `b${String(99 - i).padStart(3, '0')}`, '2026-01-01', { blob: 'b'.repeat(64 * 1024) }));
    const page = mergeNewestFirst([big], 100);
    const size = page.items.reduce((sum, d) => sum + Buffer.byteLength(JSON.stringify(d)), 0);
    expect(ids(page)).toEqual(big.slice(0, page.items.length).map((e) => e.document.id));
    expect(size).toBeLessThanOrEqual(limit);
    expect(size + bytes(big[page.items.length]!)).toBeGreaterThan(limit);
    expect(page.last).toBe(big[page.items.length - 1]!.order);
  });
});
