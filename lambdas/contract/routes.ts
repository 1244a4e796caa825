/**
 * The route table: every route of the HTTP API, once. The CDK stack builds API Gateway's routes and
 * Lambda functions from it, the local server serves it, the OpenAPI document is generated from it,
 * and each handler validates its input with the schemas named here. No CDK imports: it is bundled
 * into the Lambda functions too.
 */
import * as z from 'zod';
import { pageQuery } from './schemas/common';
import * as contacts from './schemas/contacts';
import * as access from './schemas/portal-access';
import * as documents from './schemas/documents';
import * as attachments from './schemas/attachments';
import { explainQuery, explanation } from './schemas/access';
import { documentAccessPage } from './schemas/document-access';
import * as links from './schemas/share-links';
import { lazy, type Lazy } from './schemas/lazy';
import { SHARED_RESPONSE_HEADERS, SHARED_THROTTLE } from './share-links';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call a route: staff of the `portal-admins` group, a portal user, or anyone. */
export type Principal = 'staff' | 'customer' | 'public';

// No route requires an OAuth scope of its token. API.md: an ID token is `401`, also in AWS. API
// Gateway's JWT authorizer checks the signature, issuer, expiry and audience (`aud`, else
// `client_id`), which a Cognito ID token passes (its `aud` is the client id); a route scope would then
// make it answer `403` (an ID token has no `scope`). So the function's own check answers it `401`
// (http-kit/principal.ts: `token_use` must be `access`).

/** One Lambda function per area; each serves all of the area's routes. */
export const FUNCTIONS = ['system', 'contacts', 'portal-access', 'documents', 'portal', 'invitations', 'shared'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export interface Route {
  readonly operationId: string;
  readonly method: Method;
  /** API Gateway path syntax: `/contacts/{id}`. */
  readonly path: string;
  readonly fn: FunctionName;
  readonly principal: Principal;
  readonly summary: string;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** The success status, its body schema (none for 202/204) and the headers it carries besides the request id. */
  readonly success: { readonly status: number; readonly body?: z.ZodType; readonly headers?: readonly SuccessHeader[] };
  /** Another success, when the request asks for it (a re-invite's link instead of its email). */
  readonly alsoSuccess?: { readonly status: number; readonly body?: z.ZodType; readonly when: string };
  /** Request headers the route reads, for the documentation. */
  readonly headers?: readonly string[];
  /** A rate limit of its own (API Gateway's route throttling in AWS; per client IP locally). */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

/** Headers of a success answer: the contact's version (`ETag`), the created resource or a redirect's target (`Location`). */
export type SuccessHeader = 'ETag' | 'Location';

const idempotencyKey = 'Idempotency-Key';

/** A route as the table below writes it: its schemas as lazy ones (schemas/lazy.ts), built on first read. */
type Schema = Lazy<z.ZodType>;
interface RouteSpec extends Omit<Route, 'params' | 'query' | 'body' | 'success' | 'alsoSuccess'> {
  readonly params?: Schema;
  readonly query?: Schema;
  readonly body?: Schema;
  readonly success: Omit<Route['success'], 'body'> & { readonly body?: Schema };
  readonly alsoSuccess?: Omit<NonNullable<Route['alsoSuccess']>, 'body'> & { readonly body?: Schema };
}

/** The schemas as getters that build them on first read (and keep them): a bundle builds only the schemas it reads. */
function withSchemas<T extends object>(facts: T, schemas: Partial<Record<'params' | 'query' | 'body', Schema>>): T {
  for (const [key, schema] of Object.entries(schemas)) if (schema) Object.defineProperty(facts, key, { enumerable: true, get: lazy(schema) });
  return facts;
}

function route({ params, query, body, success, alsoSuccess, ...facts }: RouteSpec): Route {
  const { body: successBody, ...successFacts } = success;
  const answers: Pick<Route, 'success' | 'alsoSuccess'> = { success: withSchemas({ ...successFacts }, { body: successBody }) };
  if (alsoSuccess) {
    const { body: alsoBody, ...alsoFacts } = alsoSuccess;
    Object.assign(answers, { alsoSuccess: withSchemas({ ...alsoFacts }, { body: alsoBody }) });
  }
  return withSchemas({ ...facts, ...answers }, { params, query, body });
}

/** A route's input schemas (path, query, body), built by this read: a function reads its own routes' in INIT (http-kit/handler.ts). */
export const inputSchemasOf = (route: Route): (z.ZodType | undefined)[] => [route.params, route.query, route.body];
/** Every schema of a route, its answers' too, built by this read (the system function's INIT: the OpenAPI document reads them all). */
export const schemasOf = (route: Route): (z.ZodType | undefined)[] => [...inputSchemasOf(route), route.success.body, route.alsoSuccess?.body];

export const ROUTES: readonly Route[] = [
  route({ operationId: 'getHealth', method: 'GET', path: '/health', fn: 'system', principal: 'public', summary: 'Liveness', success: { status: 200, body: () => z.object({ status: z.literal('ok') }) } }),
  route({ operationId: 'getOpenApi', method: 'GET', path: '/openapi.json', fn: 'system', principal: 'public', summary: 'This document', success: { status: 200, body: () => z.record(z.string(), z.unknown()) } }),

  route({ operationId: 'createContact', method: 'POST', path: '/contacts', fn: 'contacts', principal: 'staff', summary: 'Create a person or company', body: contacts.createContactBody, success: { status: 201, body: contacts.contact, headers: ['ETag', 'Location'] } }),
  route({ operationId: 'listContacts', method: 'GET', path: '/contacts', fn: 'contacts', principal: 'staff', summary: 'List contacts: by company, name or email prefix, portal status; archived ones apart', query: contacts.listContactsQuery, success: { status: 200, body: contacts.contactPage } }),
  route({ operationId: 'getContact', method: 'GET', path: '/contacts/{id}', fn: 'contacts', principal: 'staff', summary: 'Get a contact', params: contacts.contactPath, success: { status: 200, body: contacts.contact, headers: ['ETag'] } }),
  route({ operationId: 'updateContact', method: 'PATCH', path: '/contacts/{id}', fn: 'contacts', principal: 'staff', summary: 'Change a contact (optionally If-Match: <version>); a new email moves its portal login', params: contacts.contactPath, body: contacts.updateContactBody, headers: ['If-Match'], success: { status: 200, body: contacts.contact, headers: ['ETag'] } }),
  route({ operationId: 'archiveContact', method: 'DELETE', path: '/contacts/{id}', fn: 'contacts', principal: 'staff', summary: 'Archive a contact and revoke its portal access', params: contacts.contactPath, success: { status: 204 } }),
  route({ operationId: 'restoreContact', method: 'POST', path: '/contacts/{id}/restore', fn: 'contacts', principal: 'staff', summary: 'Restore an archived contact (its portal access stays revoked)', params: contacts.contactPath, success: { status: 200, body: contacts.contact, headers: ['ETag'] } }),

  route({ operationId: 'getPortalAccess', method: 'GET', path: '/contacts/{id}/portal-access', fn: 'portal-access', principal: 'staff', summary: 'The grant-portal-access wizard: its lines', params: contacts.contactPath, success: { status: 200, body: access.wizard } }),
  route({ operationId: 'applyPortalAccess', method: 'POST', path: '/contacts/{id}/portal-access', fn: 'portal-access', principal: 'staff', summary: 'Apply the wizard: grant, re-grant or revoke each line', params: contacts.contactPath, body: access.applyBody, headers: [idempotencyKey], success: { status: 200, body: access.applyResponse } }),
  route({ operationId: 'reinvite', method: 'POST', path: '/contacts/{id}/portal-access/reinvite', fn: 'portal-access', principal: 'staff', summary: 'A fresh invitation, mailed (202) or as a link for staff to pass on (200); the old link dies', params: contacts.contactPath, body: access.reinviteBody, headers: [idempotencyKey], success: { status: 202 }, alsoSuccess: { status: 200, body: access.reinviteLink, when: 'delivery: "link" — the link, shown this once; no email (the link is never stored: a repeat of its Idempotency-Key is 409, the link handed out still works)' } }),
  route({ operationId: 'explainPortalAccess', method: 'GET', path: '/contacts/{id}/portal-access/explain', fn: 'portal-access', principal: 'staff', summary: 'Whether the contact would see a document if it signed in now: every reason and every blocker', params: contacts.contactPath, query: explainQuery, success: { status: 200, body: explanation } }),
  route({ operationId: 'listAudit', method: 'GET', path: '/contacts/{id}/audit', fn: 'portal-access', principal: 'staff', summary: "A contact's audit trail, newest first", params: contacts.contactPath, query: pageQuery, success: { status: 200, body: access.auditPage } }),

  route({ operationId: 'putDocument', method: 'PUT', path: '/documents/{type}/{id}', fn: 'documents', principal: 'staff', summary: 'Publish (upsert) a document', params: documents.documentPath, body: documents.putDocumentBody, success: { status: 200, body: documents.document, headers: ['Location'] } }),
  route({ operationId: 'publishDocuments', method: 'POST', path: '/documents/batch', fn: 'documents', principal: 'staff', summary: 'Publish (upsert) up to 100 documents, each on its own as its PUT would', body: documents.batchBody, success: { status: 200, body: documents.batchResponse } }),
  route({ operationId: 'getDocument', method: 'GET', path: '/documents/{type}/{id}', fn: 'documents', principal: 'staff', summary: 'Get a document', params: documents.documentPath, success: { status: 200, body: documents.document } }),
  route({ operationId: 'deleteDocument', method: 'DELETE', path: '/documents/{type}/{id}', fn: 'documents', principal: 'staff', summary: 'Withdraw a document from the portal', params: documents.documentPath, success: { status: 204 } }),
  route({ operationId: 'listDocuments', method: 'GET', path: '/documents', fn: 'documents', principal: 'staff', summary: 'List documents, by customer and type', query: documents.listDocumentsQuery, success: { status: 200, body: documents.documentPage } }),
  route({ operationId: 'addGrant', method: 'POST', path: '/documents/{type}/{id}/grants', fn: 'documents', principal: 'staff', summary: 'Share a document with one more contact', params: documents.documentPath, body: documents.grantBody, success: { status: 201, body: documents.grant } }),
  route({ operationId: 'removeGrant', method: 'DELETE', path: '/documents/{type}/{id}/grants/{contactId}', fn: 'documents', principal: 'staff', summary: 'Stop sharing a document with a contact', params: documents.grantPath, success: { status: 204 } }),
  route({ operationId: 'listDocumentAccess', method: 'GET', path: '/documents/{type}/{id}/access', fn: 'documents', principal: 'staff', summary: 'Every invited or active contact who sees the document now, with every reason', params: documents.documentPath, query: pageQuery, success: { status: 200, body: documentAccessPage } }),
  route({ operationId: 'listGrants', method: 'GET', path: '/documents/{type}/{id}/grants', fn: 'documents', principal: 'staff', summary: "A document's grants", params: documents.documentPath, success: { status: 200, body: documents.grantList } }),

  // Attachments: a presigned PUT per file, checked on `complete` before it shows in the portal.
  route({ operationId: 'createAttachment', method: 'POST', path: '/documents/{type}/{id}/attachments', fn: 'documents', principal: 'staff', summary: 'Announce an attachment: a presigned PUT for its file (15 min)', params: documents.documentPath, body: attachments.createAttachmentBody, success: { status: 201, body: attachments.uploadTicket } }),
  route({ operationId: 'completeAttachment', method: 'POST', path: '/documents/{type}/{id}/attachments/{attachmentId}/complete', fn: 'documents', principal: 'staff', summary: 'Check the upload, then show it in the portal', params: attachments.attachmentPath, success: { status: 200, body: attachments.attachment } }),
  route({ operationId: 'listAttachments', method: 'GET', path: '/documents/{type}/{id}/attachments', fn: 'documents', principal: 'staff', summary: "A document's attachments and uploads under way", params: documents.documentPath, success: { status: 200, body: attachments.attachmentList } }),
  route({ operationId: 'deleteAttachment', method: 'DELETE', path: '/documents/{type}/{id}/attachments/{attachmentId}', fn: 'documents', principal: 'staff', summary: 'Delete an attachment and its file', params: attachments.attachmentPath, success: { status: 204 } }),

  route({ operationId: 'getPortalMe', method: 'GET', path: '/portal/me', fn: 'portal', principal: 'customer', summary: 'The signed-in portal user, its company and document counts', success: { status: 200, body: documents.portalMe } }),
  route({ operationId: 'listPortalDocuments', method: 'GET', path: '/portal/documents', fn: 'portal', principal: 'customer', summary: 'Documents the portal user may see, newest date first', query: documents.portalDocumentsQuery, success: { status: 200, body: documents.documentPage } }),
  route({ operationId: 'getPortalDocument', method: 'GET', path: '/portal/documents/{type}/{id}', fn: 'portal', principal: 'customer', summary: 'One document the portal user may see, with its attachments', params: documents.documentPath, success: { status: 200, body: attachments.portalDocument } }),
  route({ operationId: 'downloadPortalAttachment', method: 'GET', path: '/portal/documents/{type}/{id}/attachments/{attachmentId}', fn: 'portal', principal: 'customer', summary: 'A short-lived download link of an attachment', params: attachments.attachmentPath, success: { status: 200, body: attachments.download } }),

  // Share links (w2): staff manage them with the documents; the link's holder reads through a function of its own.
  route({ operationId: 'createLink', method: 'POST', path: '/documents/{type}/{id}/links', fn: 'documents', principal: 'staff', summary: 'Create a share link (its URL is shown only in this answer)', params: documents.documentPath, body: links.createLinkBody, success: { status: 201, body: links.createdLink } }),
  route({ operationId: 'listLinks', method: 'GET', path: '/documents/{type}/{id}/links', fn: 'documents', principal: 'staff', summary: "A document's share links, newest first (no tokens)", params: documents.documentPath, success: { status: 200, body: links.linkList } }),
  route({ operationId: 'revokeLink', method: 'DELETE', path: '/documents/{type}/{id}/links/{linkId}', fn: 'documents', principal: 'staff', summary: 'Revoke a share link at once', params: links.linkPath, success: { status: 204 } }),
  route({ operationId: 'getShared', method: 'GET', path: '/shared/{token}', fn: 'shared', principal: 'public', summary: 'The document of a share link, with its attachments (one view counted)', params: links.sharedPath, throttle: SHARED_THROTTLE, success: { status: 200, body: attachments.portalDocument } }),
  route({ operationId: 'getSharedAttachment', method: 'GET', path: '/shared/{token}/attachments/{attachmentId}', fn: 'shared', principal: 'public', summary: "A redirect to the download of the shared document's attachment (no view counted)", params: links.sharedAttachmentPath, throttle: SHARED_THROTTLE, success: { status: 302, headers: ['Location'] } }),

  route({ operationId: 'acceptInvitation', method: 'POST', path: '/invitations/accept', fn: 'invitations', principal: 'public', summary: 'Accept an invitation: set the password, activate the access', body: access.acceptInvitationBody, success: { status: 204 } }),
];

/** API Gateway's route key (`GET /contacts/{id}`) of a route. */
export const routeKey = (route: Pick<Route, 'method' | 'path'>): string => `${route.method} ${route.path}`;

export function findRoute(key: string): Route | undefined {
  return ROUTES.find((route) => routeKey(route) === key);
}

/** Every path of the table with the methods it supports: other methods there are `405` with `Allow`. */
export function allowedMethods(): Map<string, Method[]> {
  const byPath = new Map<string, Method[]>();
  for (const route of ROUTES) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route.method]);
  return byPath;
}

/**
 * Headers on every answer to a path of the table, success or problem, whoever makes it: the route's
 * function, the `405` fallback, the local server's throttle (a share link's no-store, no-referrer,
 * noindex, as the OpenAPI document declares them on each of its answers).
 */
export const responseHeadersOf = (path: string): Readonly<Record<string, string>> =>
  ROUTES.some((route) => route.path === path && route.fn === 'shared') ? SHARED_RESPONSE_HEADERS : {};

/** Paths under which every method not in the table is refused (`405`), not only the table's own paths. */
export const READ_ONLY_PREFIX = '/portal';
