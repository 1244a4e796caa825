import { Invalid } from '../contract/errors';
import type { Contact, CreateContactInput, ListContactsQuery, UpdateContactInput } from '../contract/schemas/contacts';
import { archiveContact, createContact, getContact, listContacts, restoreContact, updateContact } from '../domain/contacts';
import { httpFunction, type HttpRequest } from '../http-kit/handler';
import { actorOf } from '../http-kit/principal';
import { contactsDeps } from '../wiring/contacts';
import { verifyStaffRights } from '../wiring/staff-rights';

/** The staff's contacts routes; archiving revokes the contact's portal access (the wiring's revoker), a new email moves a live login (its login mover). */
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
    const contact = await createContact(contactsDeps(), req.body);
    return withTags(contact, 201, { location: `/contacts/${contact.id}` });
  },
  listContacts: async (req: HttpRequest<unknown, ListContactsQuery>) => ({
    status: 200,
    body: await listContacts(contactsDeps(), req.query),
  }),
  getContact: async (req: HttpRequest<unknown, unknown, IdParams>) => withTags(await getContact(contactsDeps(), req.params.id), 200),
  updateContact: async (req: HttpRequest<UpdateContactInput, unknown, IdParams>) => {
    const ifMatch = parseIfMatch(req.headers['if-match']);
    return withTags(await updateContact(contactsDeps(), req.params.id, req.body, ifMatch, actorOf(req.principal)), 200);
  },
  archiveContact: async (req: HttpRequest<unknown, unknown, IdParams>) => {
    await archiveContact(contactsDeps(), req.params.id, actorOf(req.principal));
    return { status: 204 };
  },
  restoreContact: async (req: HttpRequest<unknown, unknown, IdParams>) => withTags(await restoreContact(contactsDeps(), req.params.id, actorOf(req.principal)), 200),
}, { staffRights: verifyStaffRights });
