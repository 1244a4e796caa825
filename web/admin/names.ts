/**
 * Contacts' names for lists that carry only ids (a person's company, a document's customer, a
 * grant): each contact read once per page load, at most a few at a time; an id that cannot be read
 * is shown as it is.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Calls } from './calls';

const known = new Map<string, Promise<string | undefined>>();

export function useNames(calls: Calls, ids: readonly (string | undefined)[]): ReadonlyMap<string, string> {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const wanted = [...new Set(ids.filter((id): id is string => !!id))].sort();
  const key = wanted.join(',');
  useEffect(() => {
    let current = true;
    const lookups = wanted.map((id) => {
      let found = known.get(id);
      if (!found) known.set(id, (found = calls.contacts.get(id).then((c) => c.name, () => undefined)));
      return found.then((name) => [id, name] as const);
    });
    void Promise.all(lookups).then((pairs) => {
      if (current) setNames(new Map(pairs.filter((p): p is readonly [string, string] => p[1] !== undefined)));
    });
    return () => {
      current = false;
    };
  }, [key]);
  return names;
}

/** A contact's name changed here (an edit): the next lookup reads it again. */
export const forgetName = (id: string): void => void known.delete(id);
