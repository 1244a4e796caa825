/**
 * Every API call the console makes, by what it does. Routes in the route table go through the
 * typed client (a change of the API breaks the type check, not the page); the contract's routes and
 * fields that other issues are adding (API.md, w2) go through the raw client, by the contract's
 * words, until they land in the route table.
 */
import { ok, type Api, type RawApi } from '../shared/api';
import type {
  AccessEntry,
  ApplyLine,
  ApplyResult,
  Attachment,
  AuditPage,
  Contact,
  ContactPage,
  CreatedLink,
  Document,
  DocumentPage,
  DocumentType,
  Explanation,
  Grant,
  PortalStatus,
  ShareLink,
  UploadTicket,
  WizardLine,
} from './model';

export interface ContactFilter {
  readonly q?: string;
  readonly companyId?: string;
  readonly portalStatus?: PortalStatus;
  readonly archived?: boolean;
  readonly cursor?: string;
  readonly limit?: number;
}

export interface ContactInput {
  kind?: 'person' | 'company';
  name?: string;
  email?: string | null;
  phone?: string | null;
  companyId?: string | null;
}

export interface LinkInput {
  contactId?: string;
  expiresAt?: string;
  maxViews?: number;
}

const path = (...parts: string[]) => parts.map(encodeURIComponent).join('/');
const doc = (type: DocumentType, id: string) => `/documents/${path(type, id)}`;
/** A fresh Idempotency-Key (a repeat of the same request reuses its key). */
export const newIdempotencyKey = (): string => crypto.randomUUID();

export function calls(api: Api, raw: RawApi) {
  return {
    contacts: {
      /** `portalStatus` and `archived` are w2 (contact filters): the raw client when either is set. */
      list(filter: ContactFilter): Promise<ContactPage> {
        const { portalStatus, archived, ...typed } = filter;
        const query = Object.fromEntries(Object.entries(typed).filter(([, v]) => v !== undefined && v !== ''));
        if (portalStatus || archived) return raw<ContactPage>('/contacts', { query: { ...query, portalStatus, archived: archived ? 'true' : undefined } });
        return ok(api.GET('/contacts', { params: { query } })) as Promise<ContactPage>;
      },
      get: (id: string) => ok(api.GET('/contacts/{id}', { params: { path: { id } } })) as Promise<Contact>,
      create: (input: ContactInput & { kind: 'person' | 'company'; name: string }) =>
        ok(api.POST('/contacts', { body: stripNulls(input) as { kind: 'person' | 'company'; name: string } })) as Promise<Contact>,
      /** With the version the form was opened on: a stale one is 409. */
      update: (id: string, input: ContactInput, version: number) =>
        ok(api.PATCH('/contacts/{id}', { params: { path: { id }, header: { 'If-Match': `"${version}"` } }, body: input })) as Promise<Contact>,
      archive: (id: string) => ok(api.DELETE('/contacts/{id}', { params: { path: { id } } })),
      /** w2 (restore). */
      restore: (id: string) => raw<Contact>(`/contacts/${path(id)}/restore`, { method: 'POST' }),
    },
    access: {
      wizard: (id: string) => ok(api.GET('/contacts/{id}/portal-access', { params: { path: { id } } })) as Promise<{ contactId: string; lines: WizardLine[] }>,
      /** Raw: a line may carry the w2 limits (`scope`, `types`, `until`), which the typed body does not know yet. */
      apply: (id: string, body: { message?: string; lines: ApplyLine[] }, idempotencyKey: string) =>
        raw<{ results: ApplyResult[] }>(`/contacts/${path(id)}/portal-access`, { method: 'POST', body, headers: { 'Idempotency-Key': idempotencyKey } }),
      reinvite: (id: string, contactId: string, idempotencyKey: string) =>
        ok(api.POST('/contacts/{id}/portal-access/reinvite', { params: { path: { id } }, body: { contactId }, headers: { 'Idempotency-Key': idempotencyKey } })),
      /** w2 (`delivery: "link"`): a fresh link for the staff to pass on, no email. */
      inviteLink: (id: string, contactId: string) =>
        raw<{ url: string; expiresAt: string }>(`/contacts/${path(id)}/portal-access/reinvite`, { method: 'POST', body: { contactId, delivery: 'link' } }),
      explain: (contactId: string, type: DocumentType, id: string) =>
        ok(api.GET('/contacts/{id}/portal-access/explain', { params: { path: { id: contactId }, query: { type, id } } })) as Promise<Explanation>,
      audit: (id: string, cursor?: string) =>
        ok(api.GET('/contacts/{id}/audit', { params: { path: { id }, query: { limit: 20, ...(cursor ? { cursor } : {}) } } })) as Promise<AuditPage>,
    },
    documents: {
      list: (filter: { customerId?: string; type?: DocumentType; cursor?: string }) => {
        const query = Object.fromEntries(Object.entries({ ...filter, limit: 20 }).filter(([, v]) => v !== undefined && v !== ''));
        return ok(api.GET('/documents', { params: { query } })) as Promise<DocumentPage>;
      },
      get: (type: DocumentType, id: string) => ok(api.GET('/documents/{type}/{id}', { params: { path: { type, id } } })) as Promise<Document>,
      grants: (type: DocumentType, id: string) => ok(api.GET('/documents/{type}/{id}/grants', { params: { path: { type, id } } })) as Promise<{ items: Grant[] }>,
      /** `until` is w2: the raw client when it is set. */
      addGrant: (type: DocumentType, id: string, contactId: string, until?: string) =>
        until
          ? raw<void>(`${doc(type, id)}/grants`, { method: 'POST', body: { contactId, until } })
          : ok(api.POST('/documents/{type}/{id}/grants', { params: { path: { type, id } }, body: { contactId } })),
      removeGrant: (type: DocumentType, id: string, contactId: string) =>
        ok(api.DELETE('/documents/{type}/{id}/grants/{contactId}', { params: { path: { type, id, contactId } } })),
      /** w2 (who has access). */
      access: (type: DocumentType, id: string, cursor?: string) =>
        raw<{ items: AccessEntry[]; nextCursor?: string }>(`${doc(type, id)}/access`, { query: { cursor, limit: 50 } }),
      links: (type: DocumentType, id: string) => ok(api.GET('/documents/{type}/{id}/links', { params: { path: { type, id } } })) as Promise<{ items: ShareLink[] }>,
      createLink: (type: DocumentType, id: string, input: LinkInput) =>
        ok(api.POST('/documents/{type}/{id}/links', { params: { path: { type, id } }, body: input })) as Promise<CreatedLink>,
      revokeLink: (type: DocumentType, id: string, linkId: string) => ok(api.DELETE('/documents/{type}/{id}/links/{linkId}', { params: { path: { type, id, linkId } } })),
      /** w2 (attachments). */
      attachments: (type: DocumentType, id: string) => raw<{ items: Attachment[]; pending?: (Attachment & { expiresAt: string })[] }>(`${doc(type, id)}/attachments`),
      announceAttachment: (type: DocumentType, id: string, file: { fileName: string; contentType: string; size: number }) =>
        raw<UploadTicket>(`${doc(type, id)}/attachments`, { method: 'POST', body: file }),
      completeAttachment: (type: DocumentType, id: string, attachmentId: string) =>
        raw<Attachment>(`${doc(type, id)}/attachments/${path(attachmentId)}/complete`, { method: 'POST' }),
      deleteAttachment: (type: DocumentType, id: string, attachmentId: string) => raw<void>(`${doc(type, id)}/attachments/${path(attachmentId)}`, { method: 'DELETE' }),
    },
  };
}

export type Calls = ReturnType<typeof calls>;

/** A create body leaves out what is empty (the API's create has no `null`). */
function stripNulls<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined && v !== '')) as Partial<T>;
}
