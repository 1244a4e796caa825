/**
 * The portal's session: who is signed in, and whether the API said the access ended. A page that
 * gets a 401 hands it to `refused`: "Portal access ended" → every signed-in page says so and shows no
 * document; any other 401 → the tokens are forgotten and the page asks for a new sign-in.
 */
import type { User } from 'oidc-client-ts';
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, createApi, type Api } from '../shared/api';
import { createAuth, type Auth } from '../shared/auth';
import type { AppConfig } from '../shared/config';
import { strings, type Strings } from './strings';

export interface Session {
  readonly config: AppConfig;
  readonly t: Strings;
  readonly api: Api;
  readonly auth: Auth;
  /** `null` while it is not known yet. */
  readonly user: User | undefined | null;
  readonly ended: boolean;
  readonly expired: boolean;
  /** After the callback page signed in. */
  signedIn(user: User | undefined): void;
  /** A failed API call: a 401 changes the session (above). */
  refused(error: unknown): void;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

export function SessionProvider({ config, children }: { config: AppConfig; children: ComponentChildren }) {
  const auth = useMemo(() => createAuth(config), [config]);
  const api = useMemo(() => createApi(config.apiUrl, auth.accessToken), [config, auth]);
  const [user, setUser] = useState<User | undefined | null>(null);
  const [ended, setEnded] = useState(false);
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    void auth.user().then(setUser);
  }, [auth]);

  const session: Session = {
    config,
    t: strings,
    api,
    auth,
    user,
    ended,
    expired,
    signedIn(next) {
      setUser(next);
      setEnded(false);
      setExpired(false);
    },
    refused(error) {
      if (!(error instanceof ApiError) || error.status !== 401) return;
      if (error.accessEnded) {
        setEnded(true);
        return;
      }
      void auth.forget();
      setUser(undefined);
      setExpired(true);
    },
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
