/**
 * `/` and `/contacts`: the contacts, a page at a time — `Search` by the start of a name or email (as
 * the API offers), a company's contacts (`?companyId=`), and, when the API offers them, the portal
 * status and archived filters. The filters and the API's cursor live in the URL.
 */
import { useLocation } from 'preact-iso/router';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLoad } from '../../shared/load';
import type { ContactFilter } from '../calls';
import { ContactPicker } from '../contact-picker';
import type { PortalStatus } from '../model';
import { useNames } from '../names';
import { useSession } from '../session';
import { Failure, Loading, Pager, SignedIn, useTitle, withQuery } from './common';

const PAGE_SIZE = 25;
const SEARCH_DELAY_MS = 300;

type Query = Record<string, string | undefined>;

function Listing({ query }: { query: Query }) {
  const { t, calls, refused, features } = useSession();
  const { route } = useLocation();
  const filtersOffered = features!.contactFilters;
  const status = filtersOffered && query.portalStatus && Object.hasOwn(t.status, query.portalStatus) ? (query.portalStatus as PortalStatus) : undefined;
  const filter: ContactFilter = {
    q: query.q?.trim() || undefined,
    companyId: query.companyId,
    portalStatus: status,
    archived: filtersOffered && query.archived === 'true',
    cursor: query.cursor,
    limit: PAGE_SIZE,
  };
  const page = useLoad(JSON.stringify(filter), () => calls.contacts.list(filter), refused);
  const items = page.state === 'done' ? page.data.items : [];
  const names = useNames(calls, [query.companyId, ...items.map((c) => c.companyId)]);
  const companyName = query.companyId ? (names.get(query.companyId) ?? query.companyId) : undefined;
  useTitle(companyName ? t.contacts.company(companyName) : t.contacts.title);

  // The search follows the typing (after a pause), and the URL follows the search; an address
  // reached otherwise (the `Contacts` link, Back) sets the field.
  const [search, setSearch] = useState(query.q ?? '');
  const sent = useRef(query.q ?? '');
  const typing = search !== (query.q ?? '');
  const go = (changes: Query) => route(withQuery('/contacts', { ...query, cursor: undefined, ...changes }), true);
  const searchNow = () => {
    sent.current = search;
    go({ q: search || undefined });
  };
  useEffect(() => {
    if (search === (query.q ?? '')) return;
    const timer = setTimeout(searchNow, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search]);
  useEffect(() => {
    const q = query.q ?? '';
    if (q === sent.current) return;
    sent.current = q;
    setSearch(q);
  }, [query.q]);

  return (
    <>
      <h1>{companyName ? t.contacts.company(companyName) : t.contacts.title}</h1>
      <p class="actions">
        <a class="button" href={withQuery('/contacts/new', { kind: 'person', companyId: query.companyId })}>
          {t.contacts.newPerson}
        </a>
        <a class="button" href="/contacts/new?kind=company">
          {t.contacts.newCompany}
        </a>
      </p>
      <form
        class="filters"
        role="search"
        aria-label={t.contacts.filters}
        onSubmit={(event) => {
          event.preventDefault();
          searchNow();
        }}
      >
        <div class="field">
          <label for="search">{t.contacts.search}</label>
          {/* A text field (role textbox, as API.md's "a `Search` field" is found); the form's search landmark says what it is for. */}
          <input id="search" type="text" enterKeyHint="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} aria-describedby="search-hint" autocomplete="off" maxLength={200} />
          <p id="search-hint" class="hint">
            {t.contacts.searchHint}
          </p>
        </div>
        {filtersOffered && (
          <>
            <div class="field">
              <label for="portal-status">{t.contacts.portalStatus}</label>
              <select id="portal-status" value={status ?? ''} onChange={(e) => go({ portalStatus: e.currentTarget.value || undefined })}>
                <option value="">{t.contacts.anyStatus}</option>
                {(Object.keys(t.status) as PortalStatus[]).map((s) => (
                  <option key={s} value={s}>
                    {t.status[s]}
                  </option>
                ))}
              </select>
            </div>
            <div class="field check">
              <input id="archived" type="checkbox" checked={filter.archived} onChange={(e) => go({ archived: e.currentTarget.checked ? 'true' : undefined })} />
              <label for="archived">{t.contacts.archivedOnly}</label>
            </div>
          </>
        )}
        <div class="field">
          {query.companyId ? (
            <>
              <span class="label">{t.contacts.companyFilter}</span>
              <span>
                <a href={`/contacts/${encodeURIComponent(query.companyId)}`}>{companyName}</a> ·{' '}
                <a href={withQuery('/contacts', { ...query, companyId: undefined, cursor: undefined })}>{t.contacts.clearCompany}</a>
              </span>
            </>
          ) : (
            <>
              <label for="company-filter">{t.contacts.companyFilter}</label>
              <ContactPicker
                id="company-filter"
                hint={t.form.companyHint}
                none={t.form.noCompanyFound}
                accept={(c) => c.kind === 'company'}
                choose={(c) => t.contacts.onlyCompany(c.name)}
                onChoose={(c) => go({ companyId: c.id })}
              />
            </>
          )}
        </div>
      </form>
      {/* While the typing waits for its search, the previous list is not shown as if it answered it. */}
      {typing && <Loading label={t.searching} />}
      {!typing && page.state === 'loading' && <Loading />}
      {!typing && page.state === 'failed' && <Failure error={page.error} />}
      {!typing && page.state === 'done' && items.length === 0 && <p role="status">{t.contacts.empty}</p>}
      {!typing && page.state === 'done' && items.length > 0 && (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t.contacts.name}</th>
                <th scope="col">{t.contacts.kind}</th>
                <th scope="col">{t.contacts.email}</th>
                <th scope="col">{t.contacts.companyColumn}</th>
                <th scope="col">{t.contacts.portal}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={`/contacts/${encodeURIComponent(c.id)}`}>{c.name}</a>
                    {/* A space, not only the tag's margin: the cell reads "<name> archived", not the two run together. */}
                    {c.archived && <> <span class="tag">{t.contacts.archived}</span></>}
                  </td>
                  <td>{t.kind[c.kind]}</td>
                  <td class="wrap">{c.email ?? ''}</td>
                  <td>{c.companyId ? <a href={`/contacts/${encodeURIComponent(c.companyId)}`}>{names.get(c.companyId) ?? c.companyId}</a> : ''}</td>
                  <td>
                    <span class={`status status-${c.portal.status}`}>{t.status[c.portal.status]}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {/* `First page` also under a failure: a cursor the API refuses (a stale bookmark, 400) is no dead end. */}
      {!typing && page.state !== 'loading' && (
        <Pager
          label={t.contacts.pages}
          first={query.cursor ? withQuery('/contacts', { ...query, cursor: undefined }) : undefined}
          next={page.state === 'done' && page.data.nextCursor ? withQuery('/contacts', { ...query, cursor: page.data.nextCursor }) : undefined}
        />
      )}
    </>
  );
}

export function ContactList() {
  const { features } = useSession();
  const { url, query } = useLocation();
  return <SignedIn returnTo={url}>{() => (features ? <Listing query={query} /> : <Loading />)}</SignedIn>;
}
