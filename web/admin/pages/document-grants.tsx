/** A document's `Grants` (its customer, implicitly; up to 30 contacts more, each removable) and `Who has access` now, with the reasons. */
import { useState } from 'preact/hooks';
import { useLoad } from '../../shared/load';
import { ContactPicker } from '../contact-picker';
import type { AccessEntry, Contact, Document } from '../model';
import { useNames } from '../names';
import { useSession } from '../session';
import { ActionStatus, Failure, Loading, useAction } from './common';

/** An ISO instant for the end of a chosen day (a date input), local time. */
const endOfDay = (date: string) => (date ? new Date(`${date}T23:59:59`).toISOString() : undefined);

export function Grants({ doc, onChange }: { doc: Document; onChange: () => void }) {
  const { t, calls, refused, features } = useSession();
  const [reload, setReload] = useState(0);
  const [until, setUntil] = useState('');
  const runner = useAction();
  const busy = runner.busy;
  const grants = useLoad(`grants:${doc.type}/${doc.id}:${reload}`, () => calls.documents.grants(doc.type, doc.id), refused);
  const items = grants.state === 'done' ? grants.data.items : [];
  const names = useNames(calls, items.map((g) => g.contactId));

  const change = async (busyText: string, action: () => Promise<unknown>, doneText: string, focus?: 'news') => {
    if (await runner.run(busyText, action, () => doneText, { focus })) {
      setReload((n) => n + 1);
      onChange();
    }
  };
  const share = (contact: Contact) =>
    change(t.document.sharing(contact.name), () => calls.documents.addGrant(doc.type, doc.id, contact.id, features?.grantUntil ? endOfDay(until) : undefined), t.document.shared(contact.name));
  // A grant that ended is listed (`ended`) until the job removes it, an hour later; its contact can be given it again meanwhile.
  const sharedNow = (contactId: string) => items.some((g) => g.contactId === contactId && !g.expired);
  const remove = (contactId: string, name: string) => change(t.document.removing(name), () => calls.documents.removeGrant(doc.type, doc.id, contactId), t.document.removed(name), 'news');

  return (
    <section aria-labelledby="grants">
      <h2 id="grants">{t.document.grants}</h2>
      <p class="hint">{t.document.grantsIntro}</p>
      {grants.state === 'loading' && <Loading />}
      {grants.state === 'failed' && <Failure error={grants.error} />}
      {items.length > 0 && (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t.wizard.contact}</th>
                <th scope="col">{t.document.grantKind}</th>
                <th scope="col">
                  <span class="visually-hidden">{t.document.remove}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((grant) => {
                const name = names.get(grant.contactId) ?? grant.contactId;
                return (
                  <tr key={grant.contactId}>
                    <td>
                      <a href={`/contacts/${encodeURIComponent(grant.contactId)}`}>{name}</a>
                    </td>
                    <td>
                      {grant.implicit ? t.document.implicit : t.document.explicit}
                      {grant.until && <span class="muted"> — {grant.expired ? t.document.grantExpired : t.document.grantedUntil(grant.until)}</span>}
                    </td>
                    <td>
                      {!grant.implicit && (
                        <button type="button" class="secondary small" aria-label={t.document.removeOf(name)} disabled={busy} onClick={() => void remove(grant.contactId, name)}>
                          {t.document.remove}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {grants.state === 'done' && items.length === 0 && <p>{t.document.noGrants}</p>}
      <ActionStatus runner={runner} />
      <div class="stack">
        <label for="share-with">{t.document.shareWith}</label>
        <ContactPicker
          id="share-with"
          hint={t.document.shareWithHint}
          none={t.document.noContactFound}
          accept={(c) => c.id !== doc.customerId && !sharedNow(c.id)}
          choose={(c) => t.document.chooseContact(c.name)}
          onChoose={(c) => void share(c)}
          disabled={busy}
        />
        {features?.grantUntil && (
          <>
            <label for="grant-until">{t.document.grantUntil}</label>
            <input id="grant-until" type="date" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
          </>
        )}
      </div>
    </section>
  );
}

export function WhoHasAccess({ doc, revision }: { doc: Document; revision: number }) {
  const { t, calls, refused, features } = useSession();
  const offered = features?.whoHasAccess ?? false;
  const key = `access:${doc.type}/${doc.id}:${revision}:${offered}`;
  const access = useLoad(key, () => (offered ? calls.documents.access(doc.type, doc.id) : Promise.resolve(undefined)), refused);
  // The pages after the first, appended as asked for (`More contacts with access`); forgotten when the first page is loaded again.
  const [more, setMore] = useState<{ key: string; items: AccessEntry[]; nextCursor?: string }>();
  const runner = useAction();
  const later = more?.key === key ? more : undefined;
  const first = access.state === 'done' ? access.data : undefined;
  const items = first ? [...first.items, ...(later?.items ?? [])] : [];
  const nextCursor = later ? later.nextCursor : first?.nextCursor;
  const showMore = (cursor: string) =>
    runner.run(
      t.document.loadingMoreWithAccess,
      async () => {
        const page = await calls.documents.access(doc.type, doc.id, cursor);
        setMore({ key, items: [...(later?.items ?? []), ...page.items], ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
        return page.items.length;
      },
      t.document.moreWithAccessShown,
    );
  return (
    <section aria-labelledby="who-has-access">
      <h2 id="who-has-access">{t.document.whoHasAccess}</h2>
      {!features && <Loading />}
      {features && !offered && <p class="muted">{t.notOffered}</p>}
      {offered && <p class="hint">{t.document.whoIntro}</p>}
      {access.state === 'loading' && offered && <Loading />}
      {access.state === 'failed' && <Failure error={access.error} />}
      {first && items.length === 0 && <p>{t.document.nobody}</p>}
      {items.length > 0 && (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t.wizard.contact}</th>
                <th scope="col">{t.wizard.status}</th>
                <th scope="col">{t.document.reasons}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <tr key={entry.contactId}>
                  <td>
                    <a href={`/contacts/${encodeURIComponent(entry.contactId)}`}>{entry.name}</a>
                  </td>
                  <td>{t.status[entry.status]}</td>
                  <td>
                    <ul class="reasons">
                      {entry.reasons.map((reason, i) => (
                        <li key={i}>{t.document.reason(reason)}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor && (
        <button type="button" disabled={runner.busy} onClick={() => void showMore(nextCursor)}>
          {t.document.moreWithAccess}
        </button>
      )}
      <ActionStatus runner={runner} />
    </section>
  );
}
