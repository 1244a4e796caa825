/**
 * A portal request starts its reads with a guess of who is asking (what this container saw of the
 * same login last time). When the guess is wrong — the login now belongs to another contact — what
 * the guess's reads found must never reach the checked viewer: not its grant of a document, not its
 * company, not its counts.
 */
import { DOCUMENT_TYPES, type DocumentType } from '../../lambdas/contract/document-types';
import { NotFound } from '../../lambdas/contract/errors';
import type { Document } from '../../lambdas/contract/schemas/documents';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import type { PortalCaller } from '../../lambdas/domain/portal-session';
import { portalDocument, portalMe, type VisibilityStore } from '../../lambdas/domain/visibility';

const AT = '2026-11-01T00:00:00.000Z';
const NOW = new Date('2026-11-10T12:00:00.000Z');
const contact = (id: string, over: Partial<ContactRecord> = {}): ContactRecord => ({
  id,
  kind: 'person',
  name: `Contact ${id}`,
  archived: false,
  portal: { status: 'active' },
  login: { email: `${id}@example.com`, username: id, sub: 'sub-shared' },
  version: 1,
  createdAt: AT,
  updatedAt: AT,
  ...over,
});
const INVOICE: Document = { type: 'invoice', id: 'INV-1', customerId: 'other', name: 'Invoice', createdAt: AT, updatedAt: AT };

/** The login's former holder (the container's guess) holds an explicit grant, a company and documents; the checked viewer has none of it. */
const GUESS = contact('former', { companyId: 'acme', grantsReceived: 1, documentsAsCustomer: 2 });
const VIEWER = contact('current', { email: 'current@example.com', companyId: 'beta', grantsReceived: 1, documentsAsCustomer: 0 });

const store: VisibilityStore = {
  stream: async () => [],
  document: async (type, id) => (type === INVOICE.type && id === INVOICE.id ? INVOICE : undefined),
  grant: async (_type, _id, contactId) => (contactId === 'former' ? {} : undefined),
  counts: async (customerId): Promise<Partial<Record<DocumentType, number>>> => (customerId === 'former' || customerId === 'acme' ? { invoice: 2 } : {}),
  grantCounts: async (contactId) => (contactId === 'former' ? [{ type: 'invoice', customerId: 'other', n: 3 }] : [{ type: 'invoice', customerId: 'third', n: 1 }]),
  endedGrants: async (contactId) => (contactId === 'former' ? [{ type: 'invoice', customerId: 'other' }] : []),
};
const contacts = { get: async (id: string) => (id === 'acme' || id === 'beta' ? contact(id, { kind: 'company', name: id === 'acme' ? 'Acme' : 'Beta' }) : undefined) };

/** The check answers after the guess's reads have started. */
const wrongGuess = (): PortalCaller => {
  const viewer = new Promise<ContactRecord>((resolve) => setTimeout(() => resolve(VIEWER), 5));
  return { now: NOW, guess: GUESS, viewer, checked: viewer };
};
const zero = Object.fromEntries(DOCUMENT_TYPES.map((type) => [type, 0]));

it("a document only the guess was granted is not found for the checked viewer", async () => {
  await expect(portalDocument(store, { now: NOW, guess: GUESS, viewer: Promise.resolve(GUESS), checked: Promise.resolve(GUESS) }, 'invoice', 'INV-1')).resolves.toEqual(INVOICE);
  await expect(portalDocument(store, wrongGuess(), 'invoice', 'INV-1')).rejects.toEqual(new NotFound('No such document.'));
});

it("the checked viewer's own summary: its name and email, its company, its own grant counted", async () => {
  await expect(portalMe({ documents: store, contacts }, wrongGuess())).resolves.toEqual({
    contact: { id: 'current', name: 'Contact current', email: 'current@example.com' },
    company: { id: 'beta', name: 'Beta' },
    counts: { ...zero, invoice: 1 },
  });
});

it("the guess's own summary, when it is right: its company and its counts", async () => {
  const right: PortalCaller = { now: NOW, guess: GUESS, viewer: Promise.resolve(GUESS), checked: Promise.resolve(GUESS) };
  await expect(portalMe({ documents: store, contacts }, right)).resolves.toEqual({
    contact: { id: 'former', name: 'Contact former', email: 'former@example.com' },
    company: { id: 'acme', name: 'Acme' },
    counts: { ...zero, invoice: 6 },
  });
});

it('a viewer that holds no grant, without a guess: its company counted, nothing else', async () => {
  const plain = contact('plain', { companyId: 'acme', grantsReceived: 0, documentsAsCustomer: 0 });
  const first: PortalCaller = { now: NOW, guess: undefined, viewer: Promise.resolve(plain), checked: Promise.resolve(plain) };
  await expect(portalMe({ documents: store, contacts }, first)).resolves.toEqual({
    contact: { id: 'plain', name: 'Contact plain', email: 'plain@example.com' },
    company: { id: 'acme', name: 'Acme' },
    counts: { ...zero, invoice: 2 },
  });
});
