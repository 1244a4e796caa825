/** `/`: signed out, `Sign in`; signed in, the contact's name and one link per document type it has (`Invoices 3`). */
import { ok, type DocumentType } from '../../shared/api';
import { useLoad } from '../../shared/load';
import { useSession } from '../session';
import { Failure, Loading, SignedIn, useTitle } from './common';

function MyDocuments() {
  const { t, api, refused } = useSession();
  const me = useLoad('me', () => ok(api.GET('/portal/me')), refused);
  useTitle(me.state === 'done' ? me.data.contact.name : undefined);
  if (me.state === 'loading') return <Loading />;
  if (me.state === 'failed') return <Failure error={me.error} />;
  const { contact, company, counts } = me.data;
  const types = (Object.keys(t.types) as DocumentType[]).filter((type) => ((counts as Partial<Record<DocumentType, number>>)[type] ?? 0) > 0);
  return (
    <>
      <h1>{contact.name}</h1>
      {company && <p class="muted">{t.home.company(company.name)}</p>}
      <h2>{t.home.yourDocuments}</h2>
      {types.length === 0 ? (
        <p>{t.home.noDocuments}</p>
      ) : (
        <ul class="tiles">
          {types.map((type) => (
            <li key={type}>
              <a href={`/documents/${type}`}>
                {t.types[type]} <span class="count">{(counts as Record<DocumentType, number>)[type]}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function Home() {
  // Each state sets the tab's title itself (the name, "Your portal access has ended", the app's while signed out or loading).
  return <SignedIn returnTo="/">{() => <MyDocuments />}</SignedIn>;
}
