/**
 * Contacts at the edges the main suite (contacts.test.ts) leaves open: each refusal of a company
 * says why (unknown or not a company, archived, archived meanwhile, a company in a company), other
 * failures pass through untouched, an email-only change is written, a contact that keeps losing
 * races gives up after a bound, and ids are random without an id source.
 */
import { Conflict, Invalid, NotFound } from '../../lambdas/contract/errors';
import type { ContactRecord } from '../../lambdas/domain/contact-record';
import {
  archiveContact,
  CompanyUnavailable,
  createContact,
  getContact,
  restoreContact,
  updateContact,
  type ContactStore,
  type ContactsDeps,
} from '../../lambdas/domain/contacts';
import { toProblem } from '../../lambdas/http-kit/problem';

const AT = '2026-01-01T00:00:00.000Z';
const record = (id: string, over: Partial<ContactRecord> = {}): ContactRecord => ({
  id,
  kind: 'person',
  name: id,
  archived: false,
  portal: { status: 'none' },
  version: 1,
  createdAt: AT,
  updatedAt: AT,
  ...over,
});

/** A store keeping the port's company condition; `fail` makes the next writes throw. */
function world(initial: ContactRecord[] = []) {
  const items = new Map(initial.map((c) => [c.id, structuredClone(c)]));
  const writes: string[] = [];
  const state = { fail: undefined as (() => Error) | undefined, beforeWrite: undefined as (() => void) | undefined };
  const companyOk = (id: string) => items.get(id)?.kind === 'company' && !items.get(id)?.archived;
  const write = (what: string, companyId?: string, previousCompanyId?: string) => {
    writes.push(what);
    state.beforeWrite?.();
    state.beforeWrite = undefined;
    if (state.fail) throw state.fail();
    if (companyId !== undefined && companyId !== previousCompanyId && !companyOk(companyId)) throw new CompanyUnavailable('gone');
  };
  const store: ContactStore = {
    get: async (id) => structuredClone(items.get(id)),
    list: async () => ({ items: [] }),
    listCompanyPersons: async () => ({ items: [] }),
    create: async (r) => {
      write('create', r.companyId);
      items.set(r.id, structuredClone(r));
    },
    update: async (before, after) => {
      write('update', after.companyId, before.companyId);
      items.set(before.id, structuredClone(after));
    },
    archive: async (before, at) => {
      write('archive');
      items.set(before.id, { ...before, archived: true, version: before.version + 1, updatedAt: at });
    },
    restore: async (_before, after) => {
      write('restore');
      items.set(after.id, structuredClone(after));
    },
  };
  let n = 0;
  const deps: ContactsDeps = { store, revoker: { revokeForArchive: async () => undefined }, now: () => new Date(AT), newId: () => `id-${++n}` };
  return { items, writes, state, deps };
}

const outcome = (promise: Promise<unknown>) => promise.then(() => 'done', (error: unknown) => error);
const refusedWith = (error: unknown, message: string) => {
  expect(error).toEqual(new Invalid(message, 'companyId'));
  expect(toProblem(error)).toMatchObject({ status: 400, problem: { errors: [{ path: 'companyId', message }] } });
};

describe('a person put into a company', () => {
  const ACME = record('acme', { kind: 'company', name: 'Acme' });
  const OLD = record('old', { kind: 'company', name: 'Old', archived: true });
  const ADA = record('ada');

  it.each([
    ['an unknown id', 'nope', 'companyId must name a company contact.'],
    ['a person', 'ada', 'companyId must name a company contact.'],
    ['an archived company', 'old', 'companyId names an archived company.'],
  ])('naming %s: 400 saying so, nothing written', async (_, companyId, message) => {
    const { deps, writes } = world([ACME, OLD, ADA]);
    refusedWith(await outcome(createContact(deps, { kind: 'person', name: 'Bob', companyId })), message);
    refusedWith(await outcome(updateContact(deps, 'ada', { companyId }, undefined, 'staff:x')), message);
    expect(writes).toEqual([]);
  });

  it('a company archived between the check and the write: 400, missing or archived', async () => {
    const { deps, state, items } = world([ACME, ADA]);
    const archiveAcme = () => void items.set('acme', { ...ACME, archived: true });
    state.beforeWrite = archiveAcme;
    refusedWith(await outcome(createContact(deps, { kind: 'person', name: 'Bob', companyId: 'acme' })), 'companyId names a company that is missing or archived.');
    items.set('acme', ACME);
    state.beforeWrite = archiveAcme;
    refusedWith(await outcome(updateContact(deps, 'ada', { companyId: 'acme' }, undefined, 'staff:x')), 'companyId names a company that is missing or archived.');
    expect(items.get('ada')?.companyId).toBeUndefined();
  });

  it('a company is never put into a company, on create or on update', async () => {
    const { deps, writes } = world([ACME, record('beta', { kind: 'company' })]);
    refusedWith(await outcome(createContact(deps, { kind: 'company', name: 'Sub', companyId: 'acme' })), 'A company cannot belong to a company.');
    refusedWith(await outcome(updateContact(deps, 'beta', { companyId: 'acme' }, undefined, 'staff:x')), 'A company cannot belong to a company.');
    expect(writes).toEqual([]);
  });

  it('a failure of the store other than the company passes through as it is', async () => {
    const { deps, state } = world([ACME, ADA]);
    const down = new Error('table down');
    state.fail = () => down;
    expect(await outcome(createContact(deps, { kind: 'person', name: 'Bob', companyId: 'acme' }))).toBe(down);
    expect(await outcome(updateContact(deps, 'ada', { companyId: 'acme' }, undefined, 'staff:x'))).toBe(down);
  });
});

describe('an update', () => {
  it('that changes only the email is written', async () => {
    const { deps, items } = world([record('ada', { email: 'ada@a.co' })]);
    const contact = await updateContact(deps, 'ada', { email: 'ada@b.co' }, undefined, 'staff:x');
    expect(contact).toMatchObject({ email: 'ada@b.co', version: 2 });
    expect(items.get('ada')).toMatchObject({ email: 'ada@b.co', version: 2 });
  });

  it('that keeps losing version races gives up after 20 attempts with the conflict', async () => {
    const { deps, state, writes } = world([record('ada')]);
    state.fail = () => new Conflict('changed');
    const error = await outcome(updateContact(deps, 'ada', { name: 'B' }, undefined, 'staff:x'));
    expect(error).toEqual(new Conflict('changed'));
    expect(writes).toHaveLength(20);
  });
});

describe('an unknown contact', () => {
  it('is a 404 "No such contact." to read, change, archive or restore', async () => {
    const { deps } = world();
    for (const attempt of [
      getContact(deps, 'nope'),
      updateContact(deps, 'nope', { name: 'B' }, undefined, 'staff:x'),
      archiveContact(deps, 'nope', 'staff:x'),
      restoreContact(deps, 'nope', 'staff:x'),
    ]) {
      const error = await outcome(attempt);
      expect(error).toEqual(new NotFound('No such contact.'));
    }
  });
});

describe('restoring', () => {
  it('retries a lost race, and gives up after 5 with the conflict', async () => {
    const lost = world([record('ada', { archived: true })]);
    let losses = 1;
    lost.state.fail = () => {
      if (losses-- === 0) lost.state.fail = undefined;
      return new Conflict('changed');
    };
    await expect(restoreContact(lost.deps, 'ada', 'staff:x')).resolves.toMatchObject({ archived: false });

    const { deps, state, writes } = world([record('ada', { archived: true })]);
    state.fail = () => new Conflict('changed');
    expect(await outcome(restoreContact(deps, 'ada', 'staff:x'))).toEqual(new Conflict('changed'));
    expect(writes).toHaveLength(5);
  });
});

it('without an id source, each contact gets a random UUID', async () => {
  const { deps } = world();
  const { newId: _newId, ...random } = deps;
  const a = await createContact(random, { kind: 'person', name: 'A' });
  const b = await createContact(random, { kind: 'person', name: 'B' });
  expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(b.id).not.toBe(a.id);
});
