/**
 * Who sees what, decided in one place (API.md, "Portal", *w2*). A portal user P whose commercial
 * entity is E (its company, or itself) sees a document D when
 *   - D's customer is P (reason `customer`), or D's customer is E and P's scope is `company`
 *     (reason `company`) — both only for the types P's access allows; or
 *   - D is explicitly granted to P and the grant has not reached its `until` (reason `grant`),
 * and P's access is active now: not archived, accepted, not revoked, not past its own `until`.
 *
 * `explain` is THE decision: the portal's document page asks it, the listing keeps only what it
 * answers visible (and reads only the streams it could answer visible for), the counts count by
 * `implicitRoute` below it, and staff's explain and "who has access" show what it answered. So the
 * portal and the explanation cannot disagree. Pure: the clock is an argument.
 */
import { DOCUMENT_TYPES, type DocumentType } from '../contract/document-types';
import type { AccessScope, Blocker, Explanation, Reason } from '../contract/schemas/access';
import type { Document } from '../contract/schemas/documents';
import type { ContactRecord, PortalStatus } from './contact-record';

/** The commercial entity whose documents a contact sees: its company, or itself. */
export const commercialEntityOf = (contact: Pick<ContactRecord, 'id' | 'companyId'>): string => contact.companyId ?? contact.id;

export interface AccessSettings {
  scope: AccessScope;
  /** The allowed types, in the canonical order; all ten when unrestricted. */
  types: readonly DocumentType[];
  until?: string;
}

type Portal = ContactRecord['portal'];

/** An explicit grant of a document to the viewer, as stored. */
export interface GrantInfo {
  until?: string;
  grantedBy?: string;
  grantedAt?: string;
}

/** The types in the order of DOCUMENT_TYPES, each once; absent means all. */
export function canonicalTypes(types: readonly DocumentType[] | undefined): DocumentType[] {
  if (types === undefined) return [...DOCUMENT_TYPES];
  const wanted = new Set(types);
  return DOCUMENT_TYPES.filter((type) => wanted.has(type));
}

export const restrictsTypes = (types: readonly DocumentType[]): boolean => types.length < DOCUMENT_TYPES.length;

export function accessSettings(portal: Portal): AccessSettings {
  return { scope: portal.scope ?? 'company', types: canonicalTypes(portal.types), ...(portal.until === undefined ? {} : { until: portal.until }) };
}

/** Whether an end has been reached at `now`: at `until` exactly it has (`until − 1 ms` has not). */
export const hasEnded = (until: string | undefined, now: Date): boolean => until !== undefined && Date.parse(until) <= now.getTime();

/** The status the API shows and the portal enforces: an invited or active access past its `until` is `expired`, job or no job. */
export function portalStatusAt(portal: Portal, now: Date): PortalStatus {
  if ((portal.status === 'invited' || portal.status === 'active') && hasEnded(portal.until, now)) return 'expired';
  return portal.status;
}

/** The access lets the contact in now. */
export const accessActive = (contact: Pick<ContactRecord, 'archived' | 'portal'>, now: Date): boolean =>
  !contact.archived && portalStatusAt(contact.portal, now) === 'active';

/** The customers whose documents the viewer may see without a grant (its scope): E and P, or only P. */
export function implicitCustomers(viewer: Pick<ContactRecord, 'id' | 'companyId' | 'portal'>): string[] {
  if (accessSettings(viewer.portal).scope === 'own') return [viewer.id];
  return [...new Set([commercialEntityOf(viewer), viewer.id])];
}

/**
 * The implicit route to a document of `customerId` and `type`: the reason it gives, or why it is
 * closed (a closed route's blockers; none when the route is open).
 */
export function implicitRoute(
  viewer: Pick<ContactRecord, 'id' | 'companyId' | 'portal'>,
  customerId: string,
  type: DocumentType,
): { reason?: 'customer' | 'company'; blockers: Blocker[] } {
  const settings = accessSettings(viewer.portal);
  const typeAllowed = settings.types.includes(type);
  const typeBlocker: Blocker[] = typeAllowed ? [] : [{ kind: 'type_not_allowed', detail: `The access is limited to ${settings.types.join(', ')}; this is a ${type}.` }];
  if (customerId === viewer.id) return typeAllowed ? { reason: 'customer', blockers: [] } : { blockers: typeBlocker };
  if (customerId === commercialEntityOf(viewer)) {
    const scopeBlocker: Blocker[] =
      settings.scope === 'own' ? [{ kind: 'scope_own', detail: "The access is limited to the contact's own documents; this one is its company's." }] : [];
    const blockers = [...scopeBlocker, ...typeBlocker];
    return blockers.length === 0 ? { reason: 'company', blockers } : { blockers };
  }
  return { blockers: [{ kind: 'other_customer', detail: "The document belongs to another customer than the contact or its company." }] };
}

const earliest = (a: string | undefined, b: string | undefined): string | undefined => (a === undefined ? b : b === undefined ? a : a < b ? a : b);

function accessBlockers(viewer: Pick<ContactRecord, 'archived' | 'portal'>, now: Date): Blocker[] {
  const blockers: Blocker[] = [];
  if (viewer.archived) blockers.push({ kind: 'archived', detail: 'The contact is archived.' });
  switch (portalStatusAt(viewer.portal, now)) {
    case 'none':
      blockers.push({ kind: 'no_access', detail: 'The contact has no portal access.' });
      break;
    case 'invited':
      blockers.push({ kind: 'invitation_pending', detail: 'The contact has not accepted its invitation yet.' });
      break;
    case 'revoked':
      blockers.push({ kind: 'revoked', detail: `The portal access was revoked${viewer.portal.revokedAt ? ` at ${viewer.portal.revokedAt}` : ''}.` });
      break;
    case 'expired':
      blockers.push({ kind: 'expired', detail: `The portal access ended at ${viewer.portal.until ?? 'its end date'}.` });
      break;
    // Stryker disable next-line ConditionalExpression,StringLiteral: an active access has no blocker; this case only says so, and matching no case does the same.
    case 'active':
      break;
  }
  return blockers;
}

/**
 * Whether `viewer` sees `document` at `now`, with every reason that lets it and every blocker that
 * stands in the way. `grant` is the viewer's explicit grant of the document, if one is stored.
 * `visible` is exactly what the portal enforces (for an active contact: its document page is 200).
 */
export function explain(input: {
  viewer: Pick<ContactRecord, 'id' | 'companyId' | 'archived' | 'portal'>;
  document: Pick<Document, 'type' | 'customerId'> | undefined;
  grant: GrantInfo | undefined;
  now: Date;
}): Explanation {
  const { viewer, document, grant, now } = input;
  const blockers = accessBlockers(viewer, now);
  if (!document) return { visible: false, reasons: [], blockers: [...blockers, { kind: 'document_missing', detail: 'No such document.' }] };
  const accessUntil = viewer.portal.until;
  const reasons: Reason[] = [];
  const route = implicitRoute(viewer, document.customerId, document.type);
  if (route.reason) reasons.push({ kind: route.reason, ...(accessUntil === undefined ? {} : { until: accessUntil }) });
  blockers.push(...route.blockers);
  if (grant) {
    if (hasEnded(grant.until, now)) blockers.push({ kind: 'grant_expired', detail: `The explicit grant ended at ${grant.until}.` });
    else {
      const until = earliest(grant.until, accessUntil);
      reasons.push({
        kind: 'grant',
        ...(until === undefined ? {} : { until }),
        ...(grant.grantedBy === undefined ? {} : { grantedBy: grant.grantedBy }),
        ...(grant.grantedAt === undefined ? {} : { grantedAt: grant.grantedAt }),
      });
    }
  }
  return { visible: accessActive(viewer, now) && reasons.length > 0, reasons, blockers };
}

/** The portal's rule for one document: `explain`'s `visible`. */
export const sees = (input: Parameters<typeof explain>[0]): boolean => explain(input).visible;
