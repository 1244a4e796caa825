/**
 * Documents and their grants at the edges the main suite (documents.test.ts) leaves open: every
 * refusal word for word, a grant's end at the exact instant, a race lost every time, the expiry of
 * one grantee among several, and the customer never listed twice.
 */
import { Conflict, Invalid, NotFound } from '../../lambdas/contract/errors';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import {
  addGrant,
  deleteDocument,
  expireGrant,
  getDocument,
  listGrants,
  MAX_EXPLICIT_GRANTS,
  putDocument,
  removeGrant,
  StaleVersion,
  type DocumentChange,
  type DocumentDeps,
  type DocumentStore,
  type StoredDocument,
  type StoredGrant,
} from '../../lambdas/domain/documents';
import type { Document } from '../../lambdas/contract/schemas/documents';
import { toProblem } from '../../lambdas/http-kit/problem';

const NOW = new Date('2026-11-10T12:00:00.000Z');
const AT = '2026-11-01T00:00:00.000Z';
const invoice = (customerId = 'c1'): Document => ({ type: 'invoice', id: 'INV-1', customerId, name: 'Invoice', createdAt: AT, updatedAt: AT });

const contact = (id: string, archived = false): ContactRecord => ({
  id,
  kind: 'person',
  name: id,
  archived,
  portal: { status: 'none' },
  version: 1,
  createdAt: AT,
  updatedAt: AT,
});

function world(stored?: StoredDocument, grants: StoredGrant[] = [], loseEveryRace = false) {
  let current = stored;
  let granted = grants;
  const writes: DocumentChange[] = [];
  const store: DocumentStore = {
    get: async () => current,
    grants: async () => granted.map((g) => ({ ...g })),
    async write(change) {
      writes.push(change);
      if (loseEveryRace) throw new StaleVersion('lost');
      if (change.kind === 'ungrant') granted = granted.filter((g) => g.contactId !== change.grant.contactId);
      if (change.kind === 'grant') granted = [...granted.filter((g) => g.contactId !== change.grant.contactId), change.grant];
      if (change.kind === 'delete') current = undefined;
    },
    list: async () => ({ items: [] }),
  };
  const deps: DocumentDeps = {
    store,
    contacts: { get: async (id: string) => (id === 'gone' ? undefined : contact(id, id === 'archived')) } as DocumentDeps['contacts'],
    now: () => NOW,
  };
  return { deps, writes, granted: () => granted };
}

const outcome = (promise: Promise<unknown>) => promise.then(() => 'done', (error: unknown) => error);

describe('refusals, word for word', () => {
  it('a customer or grantee that is gone or archived: 400 naming the contact, on its field (an archived one said archived)', async () => {
    const { deps } = world({ document: invoice(), version: 1 });
    for (const [id, message] of [['gone', 'No such contact: gone.'], ['archived', 'Contact archived is archived: restore it first.']] as const) {
      const put = await outcome(putDocument(deps, 'invoice', 'INV-2', { customerId: id, name: 'X' }));
      expect(put).toEqual(new Invalid(message, 'customerId'));
      expect(toProblem(put)).toMatchObject({ status: 400, problem: { errors: [{ path: 'customerId', message }] } });
      expect(await outcome(addGrant(deps, 'invoice', 'INV-1', { contactId: id }, 'staff:ann'))).toEqual(new Invalid(message, 'contactId'));
    }
  });

  it('an unknown document: 404 "No such document." to read, delete, share or unshare', async () => {
    const { deps } = world();
    for (const attempt of [
      getDocument(deps, 'invoice', 'nope'),
      deleteDocument(deps, 'invoice', 'nope'),
      addGrant(deps, 'invoice', 'nope', { contactId: 'g1' }, 'staff:ann'),
      removeGrant(deps, 'invoice', 'nope', 'g1', 'staff:ann'),
    ])
      expect(await outcome(attempt)).toEqual(new NotFound('No such document.'));
  });

  it('unsharing the customer is a 409 saying to move the document; unsharing a non-grantee a 404', async () => {
    const { deps } = world({ document: invoice('c1'), version: 1 }, [{ contactId: 'g1' }]);
    expect(await outcome(removeGrant(deps, 'invoice', 'INV-1', 'c1', 'staff:ann'))).toEqual(
      new Conflict("This is the document's customer (an implicit grant); move the document to another customer instead."),
    );
    expect(await outcome(removeGrant(deps, 'invoice', 'INV-1', 'g2', 'staff:ann'))).toEqual(new NotFound('No such grant.'));
  });

  it('one grantee more than the cap: 409 naming the cap', async () => {
    const full = Array.from({ length: MAX_EXPLICIT_GRANTS }, (_, i) => ({ contactId: `g${i}` }));
    const { deps } = world({ document: invoice(), version: 1 }, full);
    expect(await outcome(addGrant(deps, 'invoice', 'INV-1', { contactId: 'one-more' }, 'staff:ann'))).toEqual(
      new Conflict(`A document can be shared explicitly with at most ${MAX_EXPLICIT_GRANTS} contacts.`),
    );
  });

  it('the cap reached with ended grants (listed expired until the job removes them): 409 saying how many ended and how to free a place', async () => {
    const ended = new Date(NOW.getTime() - 1000).toISOString();
    const full = Array.from({ length: MAX_EXPLICIT_GRANTS }, (_, i) => ({ contactId: `g${i}`, ...(i < 3 ? { until: ended } : {}) }));
    const { deps } = world({ document: invoice(), version: 1 }, full);
    expect(await outcome(addGrant(deps, 'invoice', 'INV-1', { contactId: 'one-more' }, 'staff:ann'))).toEqual(
      new Conflict(
        `A document can be shared explicitly with at most ${MAX_EXPLICIT_GRANTS} contacts; 3 of this document's grants have ended and still count until the scheduled job removes them (DELETE /documents/invoice/INV-1/grants/{contactId} removes one now).`,
      ),
    );
    // An ended grantee itself may be given the grant again: it holds its place.
    expect(await addGrant(deps, 'invoice', 'INV-1', { contactId: 'g0' }, 'staff:ann')).toMatchObject({ contactId: 'g0', implicit: false, grantedBy: 'staff:ann' });
  });
});

describe("a grant's end", () => {
  it('must be in the future: now is refused (400 on until), a millisecond later and no end at all are granted', async () => {
    const { deps, granted } = world({ document: invoice(), version: 1 });
    const refused = await outcome(addGrant(deps, 'invoice', 'INV-1', { contactId: 'g1', until: NOW.toISOString() }, 'staff:ann'));
    expect(refused).toEqual(new Invalid('until must be in the future.', 'until'));
    expect(granted()).toEqual([]);
    const soon = new Date(NOW.getTime() + 1).toISOString();
    await addGrant(deps, 'invoice', 'INV-1', { contactId: 'g1', until: soon }, 'staff:ann');
    await addGrant(deps, 'invoice', 'INV-1', { contactId: 'g2' }, 'staff:ann');
    expect(granted()).toEqual([
      { contactId: 'g1', until: soon, grantedBy: 'staff:ann', grantedAt: NOW.toISOString() },
      { contactId: 'g2', grantedBy: 'staff:ann', grantedAt: NOW.toISOString() },
    ]);
  });

  it('the job removes the grantee whose end came, not another one with its own end', async () => {
    const { deps, granted } = world({ document: invoice(), version: 1 }, [
      { contactId: 'g1', until: '2026-11-10T11:00:00.000Z' },
      { contactId: 'g2', until: '2026-11-10T11:30:00.000Z' },
    ]);
    await expect(expireGrant(deps, 'invoice', 'INV-1', 'g2', '2026-11-10T11:30:00.000Z')).resolves.toBe('removed');
    expect(granted().map((g) => g.contactId)).toEqual(['g1']);
  });
});

it('a change that loses every race gives up after 20 attempts: 409 saying to retry', async () => {
  const { deps, writes } = world({ document: invoice(), version: 1 }, [], true);
  expect(await outcome(deleteDocument(deps, 'invoice', 'INV-1'))).toEqual(new Conflict('The document is being changed concurrently; please retry.'));
  expect(writes).toHaveLength(20);
}, 30_000);

it("the customer's own explicit grant (left from before a move) is listed once, as the implicit grant", async () => {
  const { deps } = world({ document: invoice('c1'), version: 1 }, [{ contactId: 'c1', grantedBy: 'staff:old' }, { contactId: 'g1' }]);
  expect(await listGrants(deps, 'invoice', 'INV-1')).toEqual([
    { contactId: 'c1', implicit: true },
    { contactId: 'g1', implicit: false },
  ]);
});
