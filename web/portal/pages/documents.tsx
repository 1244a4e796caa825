/** `/documents/<type>`: the documents of one type the user may see, newest first, a page at a time (the API's cursor in the URL). */
import { useLocation } from 'preact-iso/router';
import { ok, type DocumentType } from '../../shared/api';
import { useLoad } from '../../shared/load';
import { useSession } from '../session';
import { Failure, Loading, SignedIn, useTitle } from './common';
import { NotFound } from './not-found';

const PAGE_SIZE = 20;

function Listing({ type, cursor }: { type: DocumentType; cursor?: string }) {
  const { t, api, refused } = useSession();
  const page = useLoad(`${type}:${cursor ?? ''}`, () => ok(api.GET('/portal/documents', { params: { query: { type, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })), refused);
  const label = t.types[type];
  useTitle(label);
  return (
    <>
      <p>
        <a href="/">{t.list.allDocuments}</a>
      </p>
      <h1>{label}</h1>
      {page.state === 'loading' && <Loading />}
      {page.state === 'failed' && <Failure error={page.error} />}
      {page.state === 'done' && page.data.items.length === 0 && <p>{t.list.empty}</p>}
      {page.state === 'done' && page.data.items.length > 0 && (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t.list.name}</th>
                <th scope="col">{t.list.reference}</th>
                <th scope="col">{t.list.date}</th>
                <th scope="col">{t.list.state}</th>
                <th scope="col" class="number">
                  {t.list.amount}
                </th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((doc) => (
                <tr key={doc.id}>
                  <td>
                    <a href={`/documents/${doc.type}/${encodeURIComponent(doc.id)}`}>{doc.name}</a>
                  </td>
                  <td class="wrap">{doc.reference ?? ''}</td>
                  <td>{doc.date ? t.date(doc.date) : ''}</td>
                  <td class="wrap">{doc.state ?? ''}</td>
                  <td class="number">{doc.amount === undefined ? '' : t.amount(doc.amount, doc.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {/* `First page` also under a failure: a page's cursor is the signed-in contact's own (a colleague's link to page 2 is refused, 400). */}
      {page.state !== 'loading' && (cursor || (page.state === 'done' && page.data.nextCursor)) && (
        <nav class="pager" aria-label={label}>
          {cursor && <a href={`/documents/${type}`}>{t.list.firstPage}</a>}
          {page.state === 'done' && page.data.nextCursor && <a href={`/documents/${type}?cursor=${encodeURIComponent(page.data.nextCursor)}`}>{t.list.nextPage}</a>}
        </nav>
      )}
    </>
  );
}

export function DocumentList({ params }: { params: { type: string } }) {
  const { t } = useSession();
  const { query, url } = useLocation();
  if (!Object.hasOwn(t.types, params.type)) return <NotFound />;
  const type = params.type as DocumentType;
  return <SignedIn returnTo={url}>{() => <Listing type={type} cursor={query.cursor} />}</SignedIn>;
}
