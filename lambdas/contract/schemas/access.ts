/**
 * Scoped and time-bound portal access (API.md *w2*): what a portal user sees of its company
 * (`scope`), which document types (`types`), until when (`until`); per explicit grant `until`; and
 * the answer of "why can X see Y" (`Explanation`), shared by explain and "who has access".
 */
import * as z from 'zod';
import { lazy, type Infer } from './lazy';
import { DOCUMENT_TYPES } from '../document-types';
import { instant, isoDateTime } from './common';
import { documentId, documentType } from './documents';

/** `company` (the default): the company's documents and the person's own; `own`: only the person's own. */
export const accessScope = lazy(() => z.enum(['company', 'own']));
export type AccessScope = Infer<typeof accessScope>;

/** A non-empty subset of the ten types (duplicates are merged; all ten means no restriction). */
export const accessTypes = lazy(() => z.array(documentType()).min(1).max(DOCUMENT_TYPES.length));

/** The settings a wizard line may carry: each absent one keeps what the contact has; `until: null` clears the end. */
export const accessSettingsInput = () => ({
  scope: accessScope().optional(),
  types: accessTypes().optional(),
  until: instant().nullable().optional(),
});

/** The settings as the API shows them on a line and on `Contact.portal` (once the contact has had access). */
export const accessSettingsOutput = () => ({
  scope: accessScope().optional(),
  types: z.array(documentType()).optional(),
  until: isoDateTime().optional(),
});

export const REASON_KINDS = ['customer', 'company', 'grant'] as const;
export type ReasonKind = (typeof REASON_KINDS)[number];

/** Why a contact sees a document: as its customer, as a person of its customer company, by an explicit grant. */
export const reason = lazy(() =>
  z
    .object({
      kind: z.enum(REASON_KINDS),
      /** When this reason stops counting: the earlier of the grant's end and the access's end. */
      until: isoDateTime().optional(),
      grantedBy: z.string().optional(),
      grantedAt: isoDateTime().optional(),
    })
    .meta({ id: 'AccessReason' }),
);
export type Reason = Infer<typeof reason>;

export const BLOCKER_KINDS = [
  'no_access',
  'invitation_pending',
  'revoked',
  'expired',
  'archived',
  'scope_own',
  'type_not_allowed',
  'grant_expired',
  'other_customer',
  'document_missing',
] as const;
export type BlockerKind = (typeof BLOCKER_KINDS)[number];

export const blocker = lazy(() => z.object({ kind: z.enum(BLOCKER_KINDS), detail: z.string() }).meta({ id: 'AccessBlocker' }));
export type Blocker = Infer<typeof blocker>;

export const explanation = lazy(() =>
  z
    .object({ visible: z.boolean(), reasons: z.array(reason()), blockers: z.array(blocker()) })
    .meta({ id: 'Explanation' }),
);
export type Explanation = Infer<typeof explanation>;

/** `?type=&id=`: the document to explain. */
export const explainQuery = lazy(() => z.strictObject({ type: documentType(), id: documentId() }));
export type ExplainQuery = Infer<typeof explainQuery>;
