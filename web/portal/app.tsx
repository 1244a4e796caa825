/** The customer portal: its routes inside the shared layout. */
import { LocationProvider, Route, Router } from 'preact-iso/router';
import type { AppConfig } from '../shared/config';
import { Layout } from '../shared/layout';
import { useFocusAfterNavigation } from '../shared/navigation-focus';
import { Callback } from './pages/callback';
import { DocumentPage } from './pages/document';
import { DocumentList } from './pages/documents';
import { Home } from './pages/home';
import { Invitation } from './pages/invitation';
import { NotFound } from './pages/not-found';
import { SharedDocument } from './pages/shared';
import { SessionProvider, useSession } from './session';

function Frame() {
  useFocusAfterNavigation();
  const { t, user, auth } = useSession();
  const email = user?.profile.email;
  return (
    <Layout appName={t.appName} skipToContent={t.skipToContent} signOutLabel={t.signOut} signedInAs={email} onSignOut={user ? () => void auth.signOut() : undefined}>
      <Router>
        <Route path="/" component={Home} />
        <Route path="/callback" component={Callback} />
        <Route path="/invitation" component={Invitation} />
        <Route path="/documents/:type" component={DocumentList} />
        <Route path="/documents/:type/:id" component={DocumentPage} />
        <Route path="/s/:token" component={SharedDocument} />
        <Route default component={NotFound} />
      </Router>
    </Layout>
  );
}

export function App({ config }: { config: AppConfig }) {
  return (
    <LocationProvider>
      <SessionProvider config={config}>
        <Frame />
      </SessionProvider>
    </LocationProvider>
  );
}
