/**
 * A contact chosen by the start of its name or email (the API's `q`): results as buttons, each
 * named by what choosing it does (`Choose Azure Interior`, `Share with Deco Addict`).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Contact } from './model';
import { Failure } from './pages/common';
import { useSession } from './session';

const SEARCH_DELAY_MS = 250;
const SHOWN = 8;

export interface ContactPickerProps {
  readonly id: string;
  readonly hint: string;
  readonly none: string;
  /** Which contacts may be chosen. */
  readonly accept: (contact: Contact) => boolean;
  /** The accessible name of a result's button. */
  readonly choose: (contact: Contact) => string;
  readonly onChoose: (contact: Contact) => void;
  readonly disabled?: boolean;
}

type Found = { state: 'searching' } | { state: 'done'; items: Contact[] } | { state: 'failed'; error: unknown };

export function ContactPicker({ id, hint, none, accept, choose, onChoose, disabled }: ContactPickerProps) {
  const { t, calls, refused } = useSession();
  const [typed, setTyped] = useState('');
  const [found, setFound] = useState<Found | undefined>(undefined);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const q = typed.trim();
    if (!q) {
      setFound(undefined);
      return;
    }
    let current = true;
    setFound({ state: 'searching' });
    const timer = setTimeout(() => {
      calls.contacts.list({ q, limit: 25 }).then(
        (page) => current && setFound({ state: 'done', items: page.items.filter((c) => !c.archived && accept(c)).slice(0, SHOWN) }),
        (error: unknown) => {
          refused(error);
          // A failed search is said as such, never as "no contact starts like this".
          if (current) setFound({ state: 'failed', error });
        },
      );
    }, SEARCH_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [typed]);
  return (
    <div class="picker">
      <input id={id} type="search" ref={input} value={typed} onInput={(e) => setTyped(e.currentTarget.value)} aria-describedby={`${id}-hint`} autocomplete="off" maxLength={200} disabled={disabled} />
      <p id={`${id}-hint`} class="hint">
        {hint}
      </p>
      {found?.state === 'searching' && (
        <p class="hint" role="status">
          {t.searching}
        </p>
      )}
      {found?.state === 'done' && found.items.length === 0 && (
        <p class="hint" role="status">
          {none}
        </p>
      )}
      {found?.state === 'failed' && <Failure error={found.error} />}
      {found?.state === 'done' && found.items.length > 0 && (
        <ul class="choices">
          {found.items.map((contact) => (
            <li key={contact.id}>
              <button
                type="button"
                class="secondary"
                aria-label={choose(contact)}
                disabled={disabled}
                onClick={() => {
                  setTyped('');
                  // The chosen button goes with the results: the focus goes back to the field, not to the page's body.
                  input.current?.focus();
                  onChoose(contact);
                }}
              >
                {contact.name}
                {contact.email ? <span class="muted"> {contact.email}</span> : null}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
