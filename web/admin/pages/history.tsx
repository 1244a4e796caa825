/** `/contacts/<id>/history`: the contact's audit trail, newest first, a page at a time, each entry with who acted (a staff user, an event's source, the invitee). */
import { useLocation } from 'preact-iso/router';
import { useLoad } from '../../shared/load';
import { AuditDetails, namedContacts } from '../audit-details';
import type { AuditEvent, Outcome } from '../model';
import { useNames } from '../names';
import { useSession } from '../session';
import { ContactFailure, Failure, isMissing, Loading, Pager, SignedIn, useTitle, withQuery } from './common';

/** A company's wizard apply (`portal.applied`): each line's contact and outcome, as the wizard showed them. */
interface AppliedLine {
  readonly contactId: string;
  readonly outcome: Outcome;
  readonly reason?: string;
}
const appliedLines = (entry: AuditEvent): AppliedLine[] | undefined =>
  entry.action === 'portal.applied' && Array.isArray(entry.details.lines) ? (entry.details.lines as AppliedLine[]) : undefined;

function Trail({ id, cursor }: { id: string; cursor?: string }) {
  const { t, calls, refused } = useSession();
  const contact = useLoad(`contact:${id}`, () => calls.contacts.get(id), refused);
  const page = useLoad(`audit:${id}:${cursor ?? ''}`, () => calls.access.audit(id, cursor), refused);
  const name = contact.state === 'done' ? contact.data.name : id;
  const names = useNames(calls, page.state === 'done' ? page.data.items.flatMap((entry) => appliedLines(entry)?.map((line) => line.contactId) ?? namedContacts(entry.details)) : []);
  // No such contact (its 404, or its trail's): said as on its page, not as a history titled with the address's id.
  const missing = contact.state === 'failed' && isMissing(contact.error) ? contact : page.state === 'failed' && isMissing(page.error) ? page : undefined;
  useTitle(missing ? t.contact.notFoundTitle : t.history.title(name));
  const here = `/contacts/${encodeURIComponent(id)}/history`;
  if (missing) return <ContactFailure error={missing.error} />;
  return (
    <>
      <p>
        <a href={`/contacts/${encodeURIComponent(id)}`}>{t.wizard.back(name)}</a>
      </p>
      <h1>{t.history.title(name)}</h1>
      {page.state === 'loading' && <Loading />}
      {page.state === 'failed' && <Failure error={page.error} />}
      {page.state === 'done' && page.data.items.length === 0 && <p>{t.history.empty}</p>}
      {page.state === 'done' && page.data.items.length > 0 && (
        <div class="scroll">
          <table class="history">
            <thead>
              <tr>
                <th scope="col">{t.history.when}</th>
                <th scope="col">{t.history.who}</th>
                <th scope="col">{t.history.what}</th>
                <th scope="col">{t.history.details}</th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((entry, i) => (
                <tr key={`${entry.at}:${i}`}>
                  <td class="nowrap">
                    <time dateTime={entry.at}>{t.dateTime(entry.at)}</time>
                  </td>
                  <td>
                    {t.history.actor(entry.actor)}
                    {t.history.actorKind(entry.actor) && <span class="muted"> ({t.history.actorKind(entry.actor)})</span>}
                  </td>
                  <td>{t.history.actions[entry.action] ?? entry.action}</td>
                  <td class="wrap">
                    {appliedLines(entry) ? (
                      <ul class="reasons">
                        {appliedLines(entry)!.map((line) => (
                          <li key={line.contactId}>
                            {names.get(line.contactId) ?? line.contactId}: {t.wizard.outcomes[line.outcome] ?? line.outcome}
                            {line.reason ? ` — ${line.reason}` : ''}
                          </li>
                        ))}
                        {entry.details.withMessage === true && <li>{t.history.withMessage}</li>}
                      </ul>
                    ) : (
                      <AuditDetails details={entry.details} names={names} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {/* `First page` also under a failure: a cursor the API refuses (a stale bookmark, 400) is no dead end. */}
      {page.state !== 'loading' && (
        <Pager label={t.history.pages} first={cursor ? here : undefined} next={page.state === 'done' && page.data.nextCursor ? withQuery(here, { cursor: page.data.nextCursor }) : undefined} />
      )}
    </>
  );
}

export function HistoryPage({ params }: { params: { id: string } }) {
  const { url, query } = useLocation();
  return <SignedIn returnTo={url}>{() => <Trail id={params.id} cursor={query.cursor} />}</SignedIn>;
}
