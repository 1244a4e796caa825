/**
 * The console's session: who is signed in, and what the API said about them. A page hands every
 * failed call to `refused`: a 403 means the user is signed in but not a portal admin, so every page
 * says "not allowed" instead of a half-broken view; a 401 means the tokens are no good any more, so
 * they are forgotten and the user goes back to sign-in (once: a 401 right after a sign-in stops at a
 * page with `Sign in`, never a redirect loop).
 */
import type { User } from 'oidc-client-ts';
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, createApi, createRawApi } from '../shared/api';
import { createAuth, type Auth } from '../shared/auth';
import type { AppConfig } from '../shared/config';
import { calls, type Calls } from './calls';
import { loadFeatures, type Features } from './features';
import { strings, type Strings } from './strings';

export interface Session {
  readonly config: AppConfig;
  readonly t: Strings;
  readonly calls: Calls;
  readonly auth: Auth;
  /** What this API offers of the contract's newer parts; undefined until its OpenAPI document is read. */
  readonly features: Features | undefined;
  /** `null` while it is not known yet. */
  readonly user: User | undefined | null;
  /** The API said 403: signed in, not a portal admin. */
  readonly forbidden: boolean;
  /** The API said 401 right after a sign-in: shown, not redirected. */
  readonly expired: boolean;
  signedIn(user: User | undefined): void;
  /** A failed API call: a 401 or 403 changes the session (above). Other failures are the page's. */
  refused(error: unknown): void;
}

/** How long after a sign-in a 401 is taken as "signing in again will not help" (no redirect loop). */
const FRESH_SIGN_IN_MS = 30_000;
const SIGNED_IN_AT = 'admin.signedInAt';

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The name the header shows: the staff user's username (Cognito's `cognito:username`), else the email. */
export function displayName(user: User | undefined | null): string | undefined {
  const profile = user?.profile as Record<string, unknown> | undefined;
  const name = profile?.['cognito:username'] ?? profile?.preferred_username ?? profile?.email;
  return typeof name === 'string' ? name : undefined;
}

export function SessionProvider({ config, children }: { config: AppConfig; children: ComponentChildren }) {
  const auth = useMemo(() => createAuth(config), [config]);
  const raw = useMemo(() => createRawApi(config.apiUrl, auth.accessToken), [config, auth]);
  const api = useMemo(() => calls(createApi(config.apiUrl, auth.accessToken), raw), [config, auth, raw]);
  const [user, setUser] = useState<User | undefined | null>(null);
  const [features, setFeatures] = useState<Features | undefined>(undefined);
  const [forbidden, setForbidden] = useState(false);
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    void auth.user().then(setUser);
    void loadFeatures(createRawApi(config.apiUrl)).then(setFeatures);
  }, [auth]);

  const session: Session = {
    config,
    t: strings,
    calls: api,
    auth,
    features,
    user,
    forbidden,
    expired,
    signedIn(next) {
      sessionStorage.setItem(SIGNED_IN_AT, String(Date.now()));
      setUser(next);
      setForbidden(false);
      setExpired(false);
    },
    refused(error) {
      if (!(error instanceof ApiError)) return;
      if (error.status === 403) {
        setForbidden(true);
        return;
      }
      if (error.status !== 401) return;
      const fresh = Date.now() - Number(sessionStorage.getItem(SIGNED_IN_AT) ?? 0) < FRESH_SIGN_IN_MS;
      void auth.forget().then(() => {
        if (fresh) {
          setUser(undefined);
          setExpired(true);
        } else {
          void auth.signIn(window.location.pathname + window.location.search);
        }
      });
    },
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
