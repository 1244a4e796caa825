/**
 * Sign-in with the authorization code flow and PKCE through the hosted UI (Cognito's in AWS, the
 * local stand-in otherwise), by oidc-client-ts. The endpoints are given, not discovered: the page
 * then talks to the API and the hosted UI only, which is all its Content-Security-Policy allows.
 * Tokens stay in sessionStorage (this tab, until it closes); signing out revokes the refresh token
 * and ends the hosted UI's session, else the next `Sign in` would come straight back signed in.
 *
 * Tokens the API refused (`forget`) may descend from a sign-in the API no longer accepts — one from
 * before the login's email moved, or before the login changed hands — and the hosted UI's session
 * cookie, which no sign-out of the backend ends, would hand out more of the same (the API judges a
 * token by its `auth_time`). So the next sign-in of this tab asks for the password (`prompt=login`).
 */
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import type { AppConfig } from './config';
import { safeReturnPath } from './return-path';

export const CALLBACK_PATH = '/callback';

/** Set in this tab once the API refused its tokens: the next sign-in asks for the password (above). */
const REAUTHENTICATE = 'auth.reauthenticate';

export interface Auth {
  /** Off to the hosted UI; back at `returnTo` (a path of this app) once signed in. */
  signIn(returnTo?: string): Promise<void>;
  /** On the callback page: trades the code for tokens; the path to go back to. */
  completeSignIn(): Promise<string>;
  /** The signed-in user, if any and not expired (renewed with the refresh token when it can be). */
  user(): Promise<User | undefined>;
  accessToken(): Promise<string | undefined>;
  /** Revokes the refresh token, forgets the tokens here and ends the hosted UI's session (a redirect). */
  signOut(): Promise<void>;
  /** Forgets the tokens here only (an expired or refused session); the next sign-in asks for the password. */
  forget(): Promise<void>;
}


export function createAuth(config: AppConfig): Auth {
  const origin = window.location.origin;
  const manager = new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: origin + CALLBACK_PATH,
    post_logout_redirect_uri: origin + '/',
    response_type: 'code',
    // Not aws.cognito.signin.user.admin: no route requires a scope (contract/routes.ts), and the app calls no Cognito user API.
    scope: 'openid email profile',
    metadata: {
      issuer: config.authority,
      authorization_endpoint: `${config.hostedUiUrl}/oauth2/authorize`,
      token_endpoint: `${config.hostedUiUrl}/oauth2/token`,
      revocation_endpoint: `${config.hostedUiUrl}/oauth2/revoke`,
    },
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    loadUserInfo: false,
    monitorSession: false,
    // Renewal by refresh token, on demand (below): no hidden iframe, which the CSP would refuse.
    automaticSilentRenew: false,
  });

  // A page the back/forward cache kept comes back as it was left, with what a signed-in user saw and
  // without asking anyone: also after a sign-out (in it or in a later page of this tab, whose
  // sessionStorage it shares), or after the access was revoked or the staff rights withdrawn. Hidden
  // at once, it is loaded afresh: signed out, or with what the API answers now. A page kept signed
  // out, from before a sign-in in this tab (Back past the hosted UI), would offer `Sign in` to someone
  // signed in: it is loaded afresh too, once the tokens say so.
  let shownSignedIn = false;
  let shownSignedOut = false;
  const loadAfresh = () => {
    document.body.hidden = true;
    window.location.reload();
  };
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    if (shownSignedIn) loadAfresh();
    else if (shownSignedOut) void manager.getUser().then((now) => {
      if (now) loadAfresh();
    });
  });

  const user = async (): Promise<User | undefined> => {
    const current = await manager.getUser();
    if (!current) {
      shownSignedOut = true;
      return undefined;
    }
    shownSignedIn = true;
    if (!current.expired) return current;
    if (!current.refresh_token) return undefined;
    try {
      return (await manager.signinSilent()) ?? undefined;
    } catch {
      await manager.removeUser();
      return undefined;
    }
  };

  return {
    signIn: (returnTo = '/') =>
      manager.signinRedirect({ state: safeReturnPath(returnTo), ...(sessionStorage.getItem(REAUTHENTICATE) ? { prompt: 'login' } : {}) }),
    async completeSignIn() {
      try {
        const signedIn = await manager.signinRedirectCallback();
        sessionStorage.removeItem(REAUTHENTICATE);
        return safeReturnPath(signedIn.state);
      } catch (error) {
        // Back right after a sign-in goes to the hosted UI's address again; its session still on, it
        // answers at once with a new code for the sign-in already completed, whose state is used up.
        // Whoever is signed in here stays so, at the start, rather than "Sign-in did not complete".
        if (await user()) return '/';
        throw error;
      }
    },
    user,
    accessToken: async () => (await user())?.access_token,
    async signOut() {
      // The hosted UI's logout ends its session, not the refresh token (30 days for a customer): revoked
      // here, a copy of it renews nothing. A failed revocation does not keep anyone signed in.
      await manager.revokeTokens(['refresh_token']).catch(() => undefined);
      await manager.removeUser();
      const logout = new URL(`${config.hostedUiUrl}/logout`);
      logout.searchParams.set('client_id', config.clientId);
      logout.searchParams.set('logout_uri', origin + '/');
      // The browser's back/forward cache keeps this page whole as it is left: emptied, Back shows
      // nothing of it for the moment it takes to load it afresh, signed out (above).
      window.addEventListener('pagehide', () => document.body.replaceChildren(), { once: true });
      window.location.assign(logout.toString());
    },
    async forget() {
      sessionStorage.setItem(REAUTHENTICATE, '1');
      await manager.removeUser();
    },
  };
}
