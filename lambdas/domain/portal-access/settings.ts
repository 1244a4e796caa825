/**
 * Scoped and time-bound access on a wizard line: `scope`, `types`, `until`. A line's absent setting
 * keeps what the contact has; `until: null` clears the end. Stored canonically on the contact's
 * `portal` (a default is stored as its absence), so "did this line change anything" is a comparison.
 */
import { canonicalTypes, restrictsTypes } from '../access-policy';
import type { ContactRecord } from '../contact-record';
import type { DocumentType } from '../../contract/document-types';
import type { AccessScope } from '../../contract/schemas/access';

/** The settings as stored on `portal`: `scope` only when `own`, `types` only when restricted, `until` only when set. */
export interface StoredSettings {
  scope?: 'own';
  types?: DocumentType[];
  until?: string;
}

/** What a line asks for; each absent field keeps the contact's. */
export interface SettingsChange {
  scope?: AccessScope;
  types?: DocumentType[];
  until?: string | null;
}

function canonical(settings: { scope?: AccessScope; types?: readonly DocumentType[]; until?: string }): StoredSettings {
  const types = canonicalTypes(settings.types);
  return {
    ...(settings.scope === 'own' ? { scope: 'own' as const } : {}),
    ...(restrictsTypes(types) ? { types } : {}),
    ...(settings.until === undefined ? {} : { until: settings.until }),
  };
}

export const storedSettings = (portal: ContactRecord['portal']): StoredSettings => canonical(portal);

export function changedSettings(current: StoredSettings, change: SettingsChange): StoredSettings {
  const until = change.until === null ? undefined : (change.until ?? current.until);
  return canonical({ scope: change.scope ?? current.scope ?? 'company', types: change.types ?? current.types, ...(until === undefined ? {} : { until }) });
}

export const sameSettings = (a: StoredSettings, b: StoredSettings): boolean =>
  a.scope === b.scope && a.until === b.until && (a.types ?? []).join(',') === (b.types ?? []).join(',');

/** The settings as an audit entry's details name them (defaults spelled out). */
export const describeSettings = (s: StoredSettings): Record<string, unknown> => ({
  scope: s.scope ?? 'company',
  types: s.types ?? 'all',
  until: s.until ?? null,
});
