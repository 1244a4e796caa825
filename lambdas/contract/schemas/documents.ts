import * as z from 'zod';
import { lazy, type Infer } from './lazy';
import { DOCUMENT_TYPES, type DocumentType } from '../document-types';
import { cursor, id, INEXACT_DATA_NUMBER, instant, isoDateTime, jsonNumber, limit, LONE_SURROGATE, page, problem, text } from './common';

export const documentType = lazy(() => z.enum(DOCUMENT_TYPES));
/**
 * The source system's id, 1–128 of A-Za-z0-9._:-, but not `.` or `..`: every URL client drops such a
 * path segment (RFC 3986 §5.2.4), so a document by that id could be published (in a batch) but never
 * read, shared or withdrawn again.
 */
export const documentId = lazy(() => z.string().regex(/^(?!\.{1,2}$)[A-Za-z0-9._:-]{1,128}$/, 'must be 1–128 of A-Za-z0-9._:-, and not . or ..'));

/**
 * What DynamoDB (through lib-dynamodb's marshalling) stores exactly, so that a document that passes
 * the schema is never a 500 at the write: a finite number whose magnitude is 0 or between 1e-130
 * and ±Number.MAX_SAFE_INTEGER (every double beyond that is an integer lib-dynamodb refuses to
 * marshal, and DynamoDB's own range ends at 9.99…e125; below 1e-130 it underflows). Its 38 digits
 * hold any double's shortest form, which is what JavaScript writes.
 */
export const STORABLE_NUMBER = { maxMagnitude: Number.MAX_SAFE_INTEGER, minMagnitude: 1e-130 } as const;
const NUMBER_RANGE = `must be 0 or of magnitude 1e-130 to ${Number.MAX_SAFE_INTEGER} (larger integers cannot be stored exactly)`;
/** The same in `data`, where a string may stand instead. */
const DATA_NUMBER_RANGE = `must be 0 or of magnitude 1e-130 to ${Number.MAX_SAFE_INTEGER} (larger integers cannot be stored exactly; send them as strings)`;

export const isStorableNumber = (n: number): boolean =>
  Number.isFinite(n) && (n === 0 || (Math.abs(n) >= STORABLE_NUMBER.minMagnitude && Math.abs(n) <= STORABLE_NUMBER.maxMagnitude));

/**
 * Nesting DynamoDB allows in an attribute's value: 31 lists or maps (it counts the item as the
 * first of its 32 levels). A body nested at most 32 levels (http-kit/body.ts) cannot exceed it.
 */
export const MAX_ATTRIBUTE_NESTING = 31;

/**
 * The first value under `root` that DynamoDB could not store exactly, with its path; iterative, linear.
 * A string or key holding half a surrogate pair has no UTF-8, which is what DynamoDB stores: as a key
 * the write fails (DynamoDB Local: InternalFailure, answered 503 as if a retry could help), as a value
 * it could not come back as sent, and strict JSON clients refuse the `\ud800` escape it is answered as.
 */
export function unstorable(root: unknown): { path: (string | number)[]; message: string } | undefined {
  interface Frame {
    value: unknown;
    key?: string | number;
    parent?: Frame;
    depth: number;
  }
  const pathOf = (frame: Frame) => {
    const path: (string | number)[] = [];
    for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) path.push(f.key);
    return path.reverse();
  };
  const stack: Frame[] = [{ value: root, depth: 0 }];
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { value } = frame;
    if (typeof value === 'number' && !isStorableNumber(value)) return { path: pathOf(frame), message: Number.isNaN(value) ? INEXACT_DATA_NUMBER : DATA_NUMBER_RANGE };
    if (typeof value === 'string' && LONE_SURROGATE.test(value)) return { path: pathOf(frame), message: 'must be valid Unicode' };
    if (typeof value !== 'object' || value === null) continue;
    if (frame.depth >= MAX_ATTRIBUTE_NESTING) return { path: pathOf(frame), message: `must be nested at most ${MAX_ATTRIBUTE_NESTING} levels deep` };
    const depth = frame.depth + 1;
    // Pushed in reverse, so that the first problem in document order is the one reported.
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], key: i, parent: frame, depth });
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const child = { value: (value as Record<string, unknown>)[key], key, parent: frame, depth };
      if (key === '') return { path: pathOf(child), message: 'must not have an empty key' };
      // At the object's path: the key itself, echoed in the problem's path, would carry the lone half back.
      if (LONE_SURROGATE.test(key)) return { path: pathOf(frame), message: 'must not have a key that is not valid Unicode' };
      stack.push(child);
    }
  }
  return undefined;
}

const storable = <T extends z.ZodType>(schema: T) =>
  schema.superRefine((value, ctx) => {
    const found = unstorable(value);
    if (found) ctx.addIssue({ code: 'custom', message: found.message, path: found.path });
  });

/** Free-form JSON of the source system, at most 64 KiB serialised, all of it storable. */
export const documentData = lazy(() =>
  storable(
    z.record(z.string(), z.unknown()).refine((d) => Buffer.byteLength(JSON.stringify(d)) <= 64 * 1024, 'must be at most 64 KiB of JSON'),
  ),
);

export const document = lazy(() =>
  z
    .object({
      type: documentType(),
      id: documentId(),
      customerId: id(),
      name: z.string(),
      reference: z.string().optional(),
      state: z.string().optional(),
      date: z.string().optional(),
      amount: z.number().optional(),
      currency: z.string().optional(),
      data: z.record(z.string(), z.unknown()).optional(),
      createdAt: isoDateTime(),
      updatedAt: isoDateTime(),
    })
    .meta({ id: 'Document' }),
);
export type Document = Infer<typeof document>;

export const putDocumentBody = lazy(() =>
  z.strictObject({
    customerId: id(),
    name: text(500),
    reference: text(200).optional(),
    state: text(100).optional(),
    /** ISO date or date-time; the portal lists newest first by it. */
    date: z.iso.date().or(z.iso.datetime({ offset: true })).optional(),
    amount: jsonNumber().refine(isStorableNumber, NUMBER_RANGE).optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code').optional(),
    data: documentData().optional(),
  }),
);
export type PutDocumentInput = Infer<typeof putDocumentBody>;

export const documentPath = lazy(() => z.strictObject({ type: documentType(), id: documentId() }));
export const grantPath = lazy(() => z.strictObject({ type: documentType(), id: documentId(), contactId: id() }));
/** `until`: the grant ends then (a date-time in the future). */
export const grantBody = lazy(() => z.strictObject({ contactId: id(), until: instant().optional() }));
export type GrantInput = Infer<typeof grantBody>;

export const listDocumentsQuery = lazy(() =>
  z.strictObject({
    customerId: id().optional(),
    type: documentType().optional(),
    cursor: cursor().optional(),
    limit: limit(),
  }),
);
export type ListDocumentsQuery = Infer<typeof listDocumentsQuery>;

export const documentPage = lazy(() => page(document()));
export const grant = lazy(() =>
  z
    .object({
      contactId: id(),
      implicit: z.boolean(),
      until: isoDateTime().optional(),
      /** The grant reached its `until` (it no longer counts; the scheduled job removes it an hour later, EXPIRED_GRANT_KEPT_SECONDS). */
      expired: z.boolean().optional(),
      grantedBy: z.string().optional(),
      grantedAt: isoDateTime().optional(),
    })
    .meta({ id: 'Grant' }),
);
export type Grant = Infer<typeof grant>;
export const grantList = lazy(() => z.object({ items: z.array(grant()) }));

export const portalDocumentsQuery = lazy(() => z.strictObject({ type: documentType().optional(), cursor: cursor().optional(), limit: limit() }));
export type PortalDocumentsQuery = Infer<typeof portalDocumentsQuery>;

/** A count per document type, every type present (0 when none): an object with ten properties, so that generated clients type each. */
const countsByType = lazy(() =>
  z
    .object(Object.fromEntries(DOCUMENT_TYPES.map((type) => [type, z.number().int().min(0)])) as Record<DocumentType, z.ZodNumber>)
    .meta({ id: 'DocumentCounts', description: 'How many documents of each type the portal user sees.' }),
);

export const portalMe = lazy(() =>
  z.object({
    contact: z.object({ id: id(), name: z.string(), email: z.string().optional() }),
    company: z.object({ id: id(), name: z.string() }).optional(),
    counts: countsByType(),
  }),
);

/** `POST /documents/batch`: up to 100 documents; each one is checked on its own (a bad one fails alone). */
export const BATCH_MAX_DOCUMENTS = 100;
export const batchBody = lazy(() => {
  // Its documents are checked one by one with `batchDocument` (parseBatchDocument): built with the body's
  // schema, so that the function that reads this one builds both in INIT (http-kit/handler.ts).
  batchDocument();
  return z.strictObject({ documents: z.array(z.unknown()).min(1).max(BATCH_MAX_DOCUMENTS) });
});
export type BatchInput = Infer<typeof batchBody>;

/** One document of a batch: its `PUT`'s path parameters and body, together. */
const batchDocument = lazy(() => putDocumentBody().extend({ type: documentType(), id: documentId() }));
export type BatchDocument = Infer<typeof batchDocument>;

/** A batch line as its `PUT` would validate it, its problems at `documents.<index>.<field>`. */
export function parseBatchDocument(value: unknown, index: number): { success: true; data: BatchDocument } | { success: false; error: z.ZodError } {
  const result = batchDocument().safeParse(value);
  if (result.success) return { success: true, data: result.data };
  return { success: false, error: new z.ZodError(result.error.issues.map((issue) => ({ ...issue, path: ['documents', index, ...issue.path] }))) };
}

export const batchResult = lazy(() =>
  z
    .object({
      type: z.string(),
      id: z.string(),
      outcome: z.enum(['created', 'replaced', 'failed']),
      error: problem().optional(),
    })
    .meta({ id: 'BatchResult' }),
);
export type BatchResult = Infer<typeof batchResult>;
export const batchResponse = lazy(() => z.object({ results: z.array(batchResult()) }));
