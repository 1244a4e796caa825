import * as z from 'zod';
import { DOCUMENT_TYPES } from '../document-types';
import { cursor, id, isoDateTime, limit, page, text } from './common';

export const documentType = z.enum(DOCUMENT_TYPES);
export const documentId = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1–128 of A-Za-z0-9._:-');

/** Free-form JSON of the source system, at most 64 KiB serialised. */
export const documentData = z
  .record(z.string(), z.unknown())
  .refine((d) => Buffer.byteLength(JSON.stringify(d)) <= 64 * 1024, 'must be at most 64 KiB of JSON');

export const document = z
  .object({
    type: documentType,
    id: documentId,
    customerId: id,
    name: z.string(),
    reference: z.string().optional(),
    state: z.string().optional(),
    date: z.string().optional(),
    amount: z.number().optional(),
    currency: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .meta({ id: 'Document' });
export type Document = z.infer<typeof document>;

export const putDocumentBody = z.strictObject({
  customerId: id,
  name: text(500),
  reference: text(200).optional(),
  state: text(100).optional(),
  /** ISO date or date-time; the portal lists newest first by it. */
  date: z.iso.date().or(z.iso.datetime({ offset: true })).optional(),
  amount: z.number().finite().optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code').optional(),
  data: documentData.optional(),
});
export type PutDocumentInput = z.infer<typeof putDocumentBody>;

export const documentPath = z.strictObject({ type: documentType, id: documentId });
export const grantPath = z.strictObject({ type: documentType, id: documentId, contactId: id });
export const grantBody = z.strictObject({ contactId: id });

export const listDocumentsQuery = z.strictObject({
  customerId: id.optional(),
  type: documentType.optional(),
  cursor: cursor.optional(),
  limit,
});
export type ListDocumentsQuery = z.infer<typeof listDocumentsQuery>;

export const documentPage = page(document);
export const grantList = z.object({ items: z.array(z.object({ contactId: id, implicit: z.boolean() })) });

export const portalDocumentsQuery = z.strictObject({ type: documentType.optional(), cursor: cursor.optional(), limit });
export type PortalDocumentsQuery = z.infer<typeof portalDocumentsQuery>;

export const portalMe = z.object({
  contact: z.object({ id, name: z.string(), email: z.string().optional() }),
  company: z.object({ id, name: z.string() }).optional(),
  counts: z.record(documentType, z.number().int()),
});
