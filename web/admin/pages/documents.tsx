/** `/documents`: the published documents, newest first, by customer (`?customerId=`) and type (`?type=`), a page at a time. */
import { useLocation } from 'preact-iso/router';
import type { DocumentType } from '../../shared/api';
import { useLoad } from '../../shared/load';
import { useNames } from '../names';
import { useSession } from '../session';
import { Failure, Loading, Pager, SignedIn, useTitle, withQuery } from './common';

function Listing({ query }: { query: Record<string, string | undefined> }) {
  const { t, calls, refused } = useSession();
  const { route } = useLocation();
  const type = query.type && Object.hasOwn(t.types, query.type) ? (query.type as DocumentType) : undefined;
  const filter = { customerId: query.customerId, type, cursor: query.cursor };
  const page = useLoad(JSON.stringify(filter), () => calls.documents.list(filter), refused);
  const items = page.state === 'done' ? page.data.items : [];
  const names = useNames(calls, [query.customerId, ...items.map((d) => d.customerId)]);
  const customer = query.customerId ? (names.get(query.customerId) ?? query.customerId) : undefined;
  const title = customer ? t.documents.customerOf(customer) : t.documents.title;
  useTitle(title);
  const go = (changes: Record<string, string | undefined>) => route(withQuery('/documents', { ...query, cursor: undefined, ...changes }), true);
  return (
    <>
      <h1>{title}</h1>
      <form class="filters" aria-label={t.contacts.filters} onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="type">{t.documents.type}</label>
          <select id="type" value={type ?? ''} onChange={(e) => go({ type: e.currentTarget.value || undefined })}>
            <option value="">{t.documents.anyType}</option>
            {(Object.keys(t.types) as DocumentType[]).map((k) => (
              <option key={k} value={k}>
                {t.types[k]}
              </option>
            ))}
          </select>
        </div>
        {query.customerId && (
          <p class="field">
            <a href={`/contacts/${encodeURIComponent(query.customerId)}`}>{customer}</a> · <a href={withQuery('/documents', { type })}>{t.documents.allCustomers}</a>
          </p>
        )}
      </form>
      {page.state === 'loading' && <Loading />}
      {page.state === 'failed' && <Failure error={page.error} />}
      {page.state === 'done' && items.length === 0 && <p role="status">{t.documents.empty}</p>}
      {items.length > 0 && (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t.documents.name}</th>
                <th scope="col">{t.documents.type}</th>
                <th scope="col">{t.documents.customer}</th>
                <th scope="col">{t.documents.reference}</th>
                <th scope="col">{t.documents.date}</th>
                <th scope="col" class="number">
                  {t.documents.amount}
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={`${d.type}/${d.id}`}>
                  <td>
                    <a href={`/documents/${d.type}/${encodeURIComponent(d.id)}`}>{d.name}</a>
                  </td>
                  <td>{t.type[d.type]}</td>
                  <td>
                    <a href={`/contacts/${encodeURIComponent(d.customerId)}`}>{names.get(d.customerId) ?? d.customerId}</a>
                  </td>
                  <td class="wrap">{d.reference ?? ''}</td>
                  <td class="nowrap">{d.date ? t.date(d.date) : ''}</td>
                  <td class="number">{d.amount === undefined ? '' : t.amount(d.amount, d.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {/* `First page` also under a failure: a cursor the API refuses (a stale bookmark, 400) is no dead end. */}
      {page.state !== 'loading' && (
        <Pager
          label={t.documents.pages}
          first={query.cursor ? withQuery('/documents', { ...query, cursor: undefined }) : undefined}
          next={page.state === 'done' && page.data.nextCursor ? withQuery('/documents', { ...query, cursor: page.data.nextCursor }) : undefined}
        />
      )}
    </>
  );
}

export function DocumentList() {
  const { url, query } = useLocation();
  return <SignedIn returnTo={url}>{() => <Listing query={query} />}</SignedIn>;
}
