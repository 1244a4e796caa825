/**
 * The console's view of the API's shapes: the generated types (the route table's schemas), widened
 * by the contract's fields that other issues are adding (API.md, marked w2: `expired`, `updated`,
 * `scope`/`types`/`until`, `delivery`, the invitation, share links, attachments, who has access).
 * Each widening is optional, so the console runs against the API as it is and as it will be.
 */
import type { components } from '../shared/generated/openapi';
import type { DocumentType, Problem } from '../shared/api';

type Schemas = components['schemas'];

export type PortalStatus = Schemas['Contact']['portal']['status'] | 'expired';
export type Delivery = NonNullable<Schemas['Contact']['portal']['delivery']> | 'queued' | 'failed';
export type Scope = 'company' | 'own';

/** Scoped and time-bound access (w2), on a contact's access and on a wizard line. */
export interface AccessLimits {
  readonly scope?: Scope;
  readonly types?: readonly DocumentType[];
  readonly until?: string;
}

export type Contact = Omit<Schemas['Contact'], 'portal'> & {
  readonly portal: Omit<Schemas['Contact']['portal'], 'status' | 'delivery'> & { readonly status: PortalStatus; readonly delivery?: Delivery } & AccessLimits;
};

export type ContactPage = { readonly items: Contact[]; readonly nextCursor?: string };

export interface Invitation {
  readonly status: 'pending' | 'accepted' | 'expired';
  readonly sentAt?: string;
  readonly expiresAt?: string;
  readonly remindedAt?: string;
}

export type WizardLine = Omit<Schemas['PortalAccessLine'], 'status' | 'delivery'> & {
  readonly status: PortalStatus;
  readonly delivery?: Delivery;
  readonly invitation?: Invitation;
} & AccessLimits;

export type Outcome = Schemas['PortalAccessResult']['outcome'] | 'updated';
export type ApplyResult = Omit<Schemas['PortalAccessResult'], 'outcome' | 'status'> & { readonly outcome: Outcome; readonly status: PortalStatus };

/** A line as sent: the limits only when the staff changed them (an API without them refuses unknown fields). */
export interface ApplyLine {
  contactId: string;
  inPortal: boolean;
  email?: string;
  scope?: Scope;
  types?: DocumentType[];
  until?: string | null;
}

export type AuditEvent = Schemas['AuditEvent'];
export type AuditPage = { readonly items: AuditEvent[]; readonly nextCursor?: string };

export type Document = Schemas['Document'];
export type DocumentPage = { readonly items: Document[]; readonly nextCursor?: string };

export interface Grant {
  readonly contactId: string;
  readonly implicit: boolean;
  readonly until?: string;
  readonly expired?: boolean;
  readonly grantedBy?: string;
  readonly grantedAt?: string;
}

export interface Reason {
  readonly kind: 'customer' | 'company' | 'grant';
  readonly until?: string;
  readonly grantedBy?: string;
  readonly grantedAt?: string;
}

/** Whether a contact would see a document if it signed in now, and why (or why not). */
export type Explanation = Schemas['Explanation'];

export interface AccessEntry {
  readonly contactId: string;
  readonly name: string;
  readonly status: PortalStatus;
  readonly reasons: readonly Reason[];
}

export interface ShareLink {
  readonly id: string;
  readonly contactId?: string;
  readonly createdBy?: string;
  readonly createdAt?: string;
  readonly expiresAt: string;
  readonly maxViews?: number;
  readonly views: number;
  readonly revokedAt?: string;
  /** Listed links only: whether the link opens its document now (false also when its document moved or its contact was archived). */
  readonly live?: boolean;
}

/** The answer to a link's creation: the only time its URL is shown. */
export type CreatedLink = ShareLink & { readonly url: string };

export interface Attachment {
  readonly id: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
}

export interface UploadTicket {
  readonly id: string;
  readonly uploadUrl: string;
  readonly expiresAt: string;
  /** Exactly these headers go with the PUT (the presigned URL signs them). */
  readonly uploadHeaders?: Record<string, string>;
}

export type { DocumentType, Problem };
