import { httpFunction, type HttpRequest } from '../http-kit/handler';
import { verifyStaffRights } from '../adapters/staff-rights';
import { actorOf } from '../http-kit/principal';
import { DynamoContactStore } from '../adapters/dynamodb/contacts-store';
import { portalAccessRevoker } from '../adapters/portal-access';
import { archiveContact, createContact, getContact, listContacts, updateContact, type ContactsDeps } from '../domain/contacts';
import { Invalid } from '../domain/errors';
import type { Contact, CreateContactInput, ListContactsQuery, UpdateContactInput } from '../schemas/contacts';

/** The staff's contacts routes. Dependencies are built once per container, on first use. */
let deps: ContactsDeps | undefined;

function contacts(): ContactsDeps {
  // Archiving revokes the contact's portal access through the portal-access domain.
  deps ??= { store: new DynamoContactStore(), revoker: portalAccessRevoker() };
  return deps;
}

type IdParams = { id: string };

/** `If-Match` as a version: `3`, `"3"` or `W/"3"`; `*` (any version) sets no precondition. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?("?)(\d{1,15})\1\s*$/.exec(header);
  if (!match?.[2]) throw new Invalid('If-Match must be a contact version, such as "3".', 'If-Match');
  return Number(match[2]);
}

const withTags = (contact: Contact, status: number, extra: Record<string, string> = {}) => ({
  status,
  body: contact,
  headers: { etag: `"${contact.version}"`, ...extra },
});

export const handler = httpFunction('contacts', {
  createContact: async (req: HttpRequest<CreateContactInput>) => {
    const contact = await createContact(contacts(), req.body);
    return withTags(contact, 201, { location: `/contacts/${contact.id}` });
  },
  listContacts: async (req: HttpRequest<unknown, ListContactsQuery>) => ({
    status: 200,
    body: await listContacts(contacts(), req.query),
  }),
  getContact: async (req: HttpRequest<unknown, unknown, IdParams>) => withTags(await getContact(contacts(), req.params.id), 200),
  updateContact: async (req: HttpRequest<UpdateContactInput, unknown, IdParams>) => {
    const ifMatch = parseIfMatch(req.headers['if-match']);
    return withTags(await updateContact(contacts(), req.params.id, req.body, ifMatch), 200);
  },
  archiveContact: async (req: HttpRequest<unknown, unknown, IdParams>) => {
    await archiveContact(contacts(), req.params.id, actorOf(req.principal));
    return { status: 204 };
  },
}, { staffRights: verifyStaffRights });

/** For tests and the lead's wiring: replace the dependencies (e.g. the real portal-access revoker). */
export function useContactsDeps(next: ContactsDeps | undefined): void {
  deps = next;
}
