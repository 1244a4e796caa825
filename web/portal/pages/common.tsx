/** What several portal pages show: loading, a failure, the signed-out prompt, the ended access, the page title. */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { ApiError, Unreachable } from '../../shared/api';
import { Notice } from '../../shared/layout';
import { useSession } from '../session';

export function useTitle(title: string | undefined): void {
  const { t } = useSession();
  useEffect(() => {
    document.title = title ? `${title} – ${t.appName}` : t.appName;
  }, [title, t]);
}

/**
 * For a page whose URL is a credential (a share link, an invitation): a crawler that renders it is
 * told not to index it nor follow its links, as the API's answers to it say (`X-Robots-Tag`). A
 * link posted somewhere public then stays out of search results.
 */
export function useNoIndex(): void {
  useEffect(() => {
    const meta = document.createElement('meta');
    meta.name = 'robots';
    meta.content = 'noindex, nofollow';
    document.head.append(meta);
    return () => meta.remove();
  }, []);
}

export function Loading() {
  const { t } = useSession();
  return (
    <p class="loading" role="status">
      {t.loading}
    </p>
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

export function AccessEnded() {
  const { t } = useSession();
  useTitle(t.ended.title);
  return (
    <Notice title={t.ended.title}>
      <p>{t.ended.text}</p>
    </Notice>
  );
}

/** A failure as a person reads it (the 401s are the session's business, see session.tsx). */
export function Failure({ error }: { error: unknown }) {
  const { t } = useSession();
  if (error instanceof Unreachable) return <Notice title={t.error.title}><p>{t.error.unreachable}</p></Notice>;
  const detail = error instanceof ApiError && error.status < 500 ? error.problem?.detail : undefined;
  return (
    <Notice title={t.error.title}>
      <p>{detail ?? t.error.text}</p>
    </Notice>
  );
}

/**
 * The gate of every signed-in page: signed out → `Sign in` (back here afterwards); access ended →
 * that, and nothing of the page.
 */
export function SignedIn({ returnTo, children }: { returnTo: string; children: () => ComponentChildren }) {
  const { user, ended, expired } = useSession();
  if (user === null) return <Loading />;
  if (ended) return <AccessEnded />;
  if (!user) return <SignedOut returnTo={returnTo} expired={expired} />;
  return <>{children()}</>;
}

function SignedOut({ returnTo, expired }: { returnTo: string; expired: boolean }) {
  const { t } = useSession();
  // The tab's title is the app's, not that of the page the session ended on.
  useTitle(undefined);
  return (
    <section>
      <h1>{t.home.signedOutTitle}</h1>
      {expired && <p role="status">{t.home.sessionExpired}</p>}
      <p>{t.home.signedOutText}</p>
      <SignInButton returnTo={returnTo} />
    </section>
  );
}
