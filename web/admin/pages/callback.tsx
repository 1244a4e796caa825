/** `/callback`: where the staff hosted UI sends the user back; trades the code for tokens once, then goes where sign-in started. */
import { useLocation } from 'preact-iso/router';
import { useEffect, useState } from 'preact/hooks';
import { Notice } from '../../shared/layout';
import { useSession } from '../session';
import { Loading, SignInButton, useTitle } from './common';

// A code can be used once: a second mount of this page must not try it again.
let exchange: Promise<string> | undefined;

export function Callback() {
  const { t, auth, signedIn } = useSession();
  const { route } = useLocation();
  const [failed, setFailed] = useState(false);
  useTitle(failed ? t.signInFailed.title : undefined);
  useEffect(() => {
    exchange ??= auth.completeSignIn();
    exchange.then(
      async (returnTo) => {
        signedIn(await auth.user());
        route(returnTo, true);
      },
      () => setFailed(true),
    );
  }, []);
  if (!failed) return <Loading />;
  return (
    <Notice title={t.signInFailed.title}>
      <p>{t.signInFailed.text}</p>
      <SignInButton returnTo="/" />
    </Notice>
  );
}
