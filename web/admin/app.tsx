/** The admin console: its routes inside the shared layout. */
import { LocationProvider, Route, Router } from 'preact-iso/router';
import type { AppConfig } from '../shared/config';
import { Layout } from '../shared/layout';
import { useFocusAfterNavigation } from '../shared/navigation-focus';
import { Callback } from './pages/callback';
import { ContactPage } from './pages/contact';
import { EditContact, NewContact } from './pages/contact-form';
import { ContactList } from './pages/contacts';
import { DocumentPage } from './pages/document';
import { DocumentList } from './pages/documents';
import { HistoryPage } from './pages/history';
import { NotFound } from './pages/not-found';
import { WizardPage } from './pages/wizard';
import { displayName, SessionProvider, useSession } from './session';

function Frame() {
  useFocusAfterNavigation();
  const { t, user, auth, forbidden } = useSession();
  const nav =
    user && !forbidden ? (
      <nav class="nav" aria-label={t.nav.label}>
        <a href="/contacts">{t.nav.contacts}</a>
        <a href="/documents">{t.nav.documents}</a>
      </nav>
    ) : undefined;
  return (
    <Layout appName={t.appName} skipToContent={t.skipToContent} signOutLabel={t.signOut} signedInAs={displayName(user)} onSignOut={user ? () => void auth.signOut() : undefined} nav={nav}>
      <Router>
        <Route path="/" component={ContactList} />
        <Route path="/callback" component={Callback} />
        <Route path="/contacts" component={ContactList} />
        <Route path="/contacts/new" component={NewContact} />
        <Route path="/contacts/:id" component={ContactPage} />
        <Route path="/contacts/:id/edit" component={EditContact} />
        <Route path="/contacts/:id/portal-access" component={WizardPage} />
        <Route path="/contacts/:id/history" component={HistoryPage} />
        <Route path="/documents" component={DocumentList} />
        <Route path="/documents/:type/:id" component={DocumentPage} />
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
