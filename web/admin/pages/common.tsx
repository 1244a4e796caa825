/** What many console pages show: the title, loading, a failure as the API explained it, an action's progress and outcome, the gate of signed-in pages, a pager. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, Unreachable } from '../../shared/api';
import { Notice } from '../../shared/layout';
import { UploadFailed } from '../upload';
import { useSession } from '../session';
import type { Strings } from '../strings';

export function useTitle(title: string | undefined): void {
  const { t } = useSession();
  useEffect(() => {
    document.title = title ? `${title} – ${t.appName}` : t.appName;
  }, [title, t]);
}

export function Loading({ label }: { label?: string }) {
  const { t } = useSession();
  return (
    <p class="loading" role="status">
      {label ?? t.loading}
    </p>
  );
}

/** The heading `Failure` gives a failure: also the page's title when the failure is all the page shows. */
export function failureTitle(t: Strings, error: unknown): string {
  if (error instanceof Unreachable) return t.error.unreachableTitle;
  if (error instanceof UploadFailed) return t.error.uploadTitle;
  if (!(error instanceof ApiError)) return t.error.title;
  return error.problem?.title ?? t.error.status(error.status);
}

/**
 * Whether a page's one thing (a contact, a document) is not there: a 404, or the 400 of an id the API
 * refuses to look up (a mangled address) — as absent as any other, and said so, not as an invalid request.
 */
export function isMissing(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || (error.status === 400 && (error.problem?.errors ?? []).some((e) => e.path === 'id')));
}

/**
 * A contact's page (its details, wizard, edit form, history) whose contact could not be loaded: a
 * missing one is "Contact not found" on every one of them, anything else as the API explained it.
 */
export function contactFailureTitle(t: Strings, error: unknown): string {
  return isMissing(error) ? t.contact.notFoundTitle : failureTitle(t, error);
}

export function ContactFailure({ error }: { error: unknown }) {
  const { t } = useSession();
  return isMissing(error) ? (
    <Notice title={t.contact.notFoundTitle}>
      <p>{t.contact.notFound}</p>
    </Notice>
  ) : (
    <Failure error={error} />
  );
}

/**
 * A failure as the API explained it: the problem's title and detail, each invalid field with its
 * message, the request's reference for support. Never a blank page, never a stack trace.
 */
export function Failure({ error, title }: { error: unknown; title?: string }) {
  const { t } = useSession();
  const heading = title ?? failureTitle(t, error);
  if (error instanceof Unreachable)
    return (
      <Notice title={heading}>
        <p>{t.error.unreachable}</p>
      </Notice>
    );
  if (error instanceof UploadFailed)
    return (
      <Notice title={heading}>
        <p>{t.error.upload}</p>
      </Notice>
    );
  if (!(error instanceof ApiError))
    return (
      <Notice title={heading}>
        <p>{t.error.text}</p>
      </Notice>
    );
  const problem = error.problem;
  const reference = (problem as { instance?: unknown } | undefined)?.instance;
  return (
    <Notice title={heading}>
      {problem?.detail && <p>{problem.detail}</p>}
      {!problem?.detail && !problem?.errors?.length && <p>{error.status >= 500 ? t.error.text : t.error.status(error.status)}</p>}
      {problem?.errors && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((e, i) => (
            <li key={i}>
              {e.path ? <code>{e.path}</code> : null} {e.message}
            </li>
          ))}
        </ul>
      )}
      {typeof reference === 'string' && <p class="hint">{t.error.reference(reference)}</p>}
    </Notice>
  );
}

/** An action that waits on the API (re-invite, share, revoke, delete, …): what it is doing, then what came of it. */
export type Action = { kind: 'idle' } | { kind: 'busy'; text: string } | { kind: 'done'; text: string } | { kind: 'failed'; error: unknown };

export interface ActionRunner {
  readonly action: Action;
  readonly busy: boolean;
  /**
   * Runs `work`, saying `busy` meanwhile and `done(result)` after, a failure as the API explained it:
   * whether it succeeded. `focus: 'news'` for an action that takes its own button away (a removed
   * row, a revoked link): the focus then goes to what it says, not back to the button.
   */
  run<T>(busy: string, work: () => Promise<T>, done: (result: T) => string, options?: { focus?: 'trigger' | 'news' }): Promise<boolean>;
  clear(): void;
  /** Where the focus goes back to when the action ends (its button, usually), if it is there. */
  readonly trigger: { current: HTMLElement | null };
}

export function useAction(): ActionRunner {
  const { refused } = useSession();
  const [action, setAction] = useState<Action>({ kind: 'idle' });
  const trigger = useRef<HTMLElement | null>(null);
  return {
    action,
    busy: action.kind === 'busy',
    trigger,
    clear: () => setAction({ kind: 'idle' }),
    async run(busy, work, done, options) {
      const focused = document.activeElement;
      trigger.current = options?.focus !== 'news' && focused instanceof HTMLElement && focused !== document.body ? focused : null;
      setAction({ kind: 'busy', text: busy });
      try {
        const result = await work();
        setAction({ kind: 'done', text: done(result) });
        return true;
      } catch (error) {
        refused(error);
        setAction({ kind: 'failed', error });
        return false;
      }
    },
  };
}

/**
 * An action's progress and outcome, read out as they happen (a status, as the wizard's `Apply` has),
 * a failure as the API explained it. A button disabled while its action runs loses the focus: once
 * the action ends, the focus goes back to that button, or here when it is gone — never left on the
 * page's body.
 */
export function ActionStatus({ runner }: { runner: ActionRunner }) {
  const here = useRef<HTMLDivElement>(null);
  const { action, trigger } = runner;
  useEffect(() => {
    if (action.kind !== 'done' && action.kind !== 'failed') return;
    const focused = document.activeElement;
    if (focused && focused !== document.body) return;
    const back = trigger.current;
    if (back?.isConnected && !(back as HTMLButtonElement).disabled) back.focus();
    else here.current?.focus();
  }, [action]);
  return (
    <div ref={here} tabIndex={-1} class="action-status">
      {(action.kind === 'busy' || action.kind === 'done') && (
        <p role="status" class={action.kind === 'done' ? 'done' : 'loading'}>
          {action.text}
        </p>
      )}
      {action.kind === 'failed' && <Failure error={action.error} />}
    </div>
  );
}

export function SignInButton({ returnTo }: { returnTo: string }) {
  const { t, auth } = useSession();
  return (
    <button type="button" onClick={() => void auth.signIn(returnTo)}>
      {t.signIn}
    </button>
  );
}

export function NotAllowed() {
  const { t } = useSession();
  useTitle(t.notAllowed.title);
  return (
    <Notice title={t.notAllowed.title}>
      <p>{t.notAllowed.text}</p>
    </Notice>
  );
}

/** The gate of every page: signed out → `Sign in` (back here afterwards); not a portal admin → "not allowed", and nothing of the page. */
export function SignedIn({ returnTo, children }: { returnTo: string; children: () => ComponentChildren }) {
  const { t, user, forbidden, expired } = useSession();
  if (user === null) return <Loading />;
  if (forbidden) return <NotAllowed />;
  if (!user)
    return (
      <section>
        <h1>{t.signedOut.title}</h1>
        {expired && <p role="status">{t.signedOut.expired}</p>}
        <p>{t.signedOut.text}</p>
        <SignInButton returnTo={returnTo} />
      </section>
    );
  return <>{children()}</>;
}

/** `First page` / `Next page` links: the API's cursor goes into the URL, so a page has an address. */
export function Pager({ label, first, next }: { label: string; first?: string; next?: string }) {
  const { t } = useSession();
  if (!first && !next) return null;
  return (
    <nav class="pager" aria-label={label}>
      {first && <a href={first}>{t.firstPage}</a>}
      {next && <a href={next}>{t.nextPage}</a>}
    </nav>
  );
}

/** A URL of this app with a query, empty values left out. */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
