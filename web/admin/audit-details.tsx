/**
 * An audit entry's `details`, in words: the document it names as a link (`Ticket T1`), dates as dates,
 * statuses, scopes and types by their labels, who acted by name, a change of access as before/after —
 * never the API's keys, JSON or ISO instants. Internal ids (a share link's, a version) say nothing to
 * staff and are left out; a key this page does not know yet is still shown, as `key: value`.
 */
import type { ComponentChildren } from 'preact';
import type { DocumentType } from '../shared/api';
import type { PortalStatus, Scope } from './model';
import { useSession } from './session';
import type { Strings } from './strings';

type Details = Record<string, unknown>;

const LEFT_OUT = new Set(['linkId', 'previousVersion', 'messageId', 'feedbackId', 'withMessage', 'lines']);
const DATES = ['until', 'previousUntil', 'expiresAt', 'remindedAt', 'revokedAt'] as const;

const isType = (t: Strings, value: unknown): value is DocumentType => typeof value === 'string' && Object.hasOwn(t.type, value);
const isStatus = (t: Strings, value: unknown): value is PortalStatus => typeof value === 'string' && Object.hasOwn(t.status, value);
const isScope = (t: Strings, value: unknown): value is Scope => typeof value === 'string' && Object.hasOwn(t.scope, value);

/** Anything else, as text: an object's own keys and values, not its JSON. */
function plain(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(plain).join(', ');
  if (typeof value === 'object')
    return Object.entries(value as Details)
      .map(([key, item]) => `${key}: ${plain(item)}`)
      .join(', ');
  return String(value);
}

/** A portal access's settings (`portal.granted`, either side of `portal.updated`): scope; types; end. */
function settings(t: Strings, d: Details): string | undefined {
  // A grant's `until` alone is its end date (below), not an access's settings.
  if (d.scope === undefined && d.types === undefined) return undefined;
  const scope = isScope(t, d.scope) ? t.scope[d.scope] : plain(d.scope);
  const types = Array.isArray(d.types) ? d.types.map((type) => (isType(t, type) ? t.types[type] : plain(type))).join(', ') : t.wizard.allTypes;
  const end = typeof d.until === 'string' ? t.contact.until(d.until) : t.wizard.noEnd;
  return [scope, types, end].filter(Boolean).join('; ');
}

export function AuditDetails({ details, names }: { details: Details; names: ReadonlyMap<string, string> }) {
  const { t } = useSession();
  const w = t.history.detail;
  const items: ComponentChildren[] = [];
  const done = new Set<string>(LEFT_OUT);

  // The document (a grant's `type`/`id`, a share link's `documentType`/`documentId`), as a link to its page.
  for (const [typeKey, idKey] of [['type', 'id'], ['documentType', 'documentId']] as const) {
    const type = details[typeKey];
    const id = details[idKey];
    if (isType(t, type) && typeof id === 'string') {
      items.push(
        <a href={`/documents/${type}/${encodeURIComponent(id)}`}>
          {t.type[type]} {id}
        </a>,
      );
      done.add(typeKey).add(idKey);
    }
  }
  const access = settings(t, details);
  if (access && details.from === undefined) {
    items.push(access);
    done.add('scope').add('types').add('until');
  }
  if (details.from !== null && typeof details.from === 'object' && details.to !== null && typeof details.to === 'object') {
    items.push(w.before(settings(t, details.from as Details) ?? plain(details.from)));
    items.push(w.after(settings(t, details.to as Details) ?? plain(details.to)));
    done.add('from').add('to');
  } else if (typeof details.from === 'string' && typeof details.to === 'string') {
    items.push(w.changed(details.from, details.to));
    done.add('from').add('to');
  }
  for (const key of DATES) {
    if (done.has(key) || !(key in details)) continue;
    const value = details[key];
    items.push(typeof value === 'string' ? w.dates[key](t.dateTime(value)) : w.noDate[key]);
    done.add(key);
  }
  for (const [key, value] of Object.entries(details)) {
    if (done.has(key) || value === undefined || value === null || value === '') continue;
    if (key === 'email') items.push(w.email(plain(value)));
    else if ((key === 'grantedBy' || key === 'invitedBy') && typeof value === 'string') items.push(w[key](t.history.actor(value)));
    else if ((key === 'previousStatus' || key === 'portalStatus') && isStatus(t, value)) items.push(w[key](t.status[value]));
    else if (key === 'contactId' && typeof value === 'string') items.push(w.recipient(names.get(value) ?? value));
    else if (key === 'maxViews') items.push(w.maxViews(plain(value)));
    else if (key === 'delivery' && value === 'link') items.push(w.asLink);
    else if (key === 'reminder' && value === true) items.push(w.reminder);
    else if (key === 'reason') items.push(w.reason(plain(value)));
    else if (key === 'code') items.push(w.code(plain(value)));
    else items.push(`${key}: ${plain(value)}`);
  }
  if (items.length === 0) return null;
  return (
    <ul class="reasons">
      {items.map((item, i) => (
        <li key={i}>{item}</li>
      ))}
    </ul>
  );
}

/** The contacts an entry names (a share link's recipient), for their names. */
export const namedContacts = (details: Details): string[] => (typeof details.contactId === 'string' ? [details.contactId] : []);
