/** The audit trail as staff read it (`GET /contacts/{id}/portal-access/audit`). */
import { NotFound } from '../../lambdas/contract/errors';
import { listAudit, type AuditPage } from '../../lambdas/domain/audit';
import { toProblem } from '../../lambdas/http-kit/problem';

describe('the audit trail', () => {
  const page: AuditPage = { items: [{ at: '2026-11-10T12:00:00.000Z', actor: 'staff:ann', action: 'portal.granted', contactId: 'p1', details: {} }], nextCursor: 'next' };
  const deps = (exists: boolean) => {
    const reads: unknown[][] = [];
    return { reads, deps: { audit: { list: async (...args: unknown[]) => (reads.push(args), page) }, contactExists: async (id: string) => exists && id === 'p1' } };
  };

  it("of a contact is its store's page, from the cursor, at most limit entries", async () => {
    const { deps: d, reads } = deps(true);
    await expect(listAudit(d, 'p1', 'cursor-1', 25)).resolves.toEqual(page);
    expect(reads).toEqual([['p1', 'cursor-1', 25]]);
  });

  it('of an unknown contact is a 404 "No such contact.", and nothing is read', async () => {
    const { deps: d, reads } = deps(false);
    const error = await listAudit(d, 'p1', undefined, 25).catch((e: unknown) => e);
    expect(error).toEqual(new NotFound('No such contact.'));
    expect(toProblem(error).status).toBe(404);
    expect(reads).toEqual([]);
  });
});
