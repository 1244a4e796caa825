/**
 * `/contacts/<id>`: a contact — its details, its company or its persons, its portal access — and
 * what staff do with it: `Grant portal access` (the wizard), `Edit`, `Archive` / `Restore`,
 * `History`, its `Documents`.
 */
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso/router';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useLoad } from '../../shared/load';
import type { Contact } from '../model';
import { forgetName, useNames } from '../names';
import { useSession } from '../session';
import { ActionStatus, ContactFailure, contactFailureTitle, Failure, Loading, SignedIn, useAction, useTitle, withQuery } from './common';

export function PortalSummary({ contact }: { contact: Contact }) {
  const { t } = useSession();
  const p = contact.portal;
  const notes = [
    p.invitedAt && p.status === 'invited' ? t.contact.invitedAt(p.invitedAt) : undefined,
    p.activatedAt && p.status === 'active' ? t.contact.activatedAt(p.activatedAt) : undefined,
    p.revokedAt && p.status === 'revoked' ? t.contact.revokedAt(p.revokedAt) : undefined,
    p.delivery ? t.delivery[p.delivery] : undefined,
    p.scope && p.status !== 'none' ? t.scope[p.scope] : undefined,
    // Every type is "All types", as the wizard says it; fewer are "only" those.
    p.types?.length ? (p.types.length < Object.keys(t.types).length ? t.contact.types(p.types.map((type) => t.types[type])) : t.wizard.allTypes) : undefined,
    p.until ? t.contact.until(p.until) : undefined,
  ].filter(Boolean);
  return (
    <span>
      <span class={`status status-${p.status}`}>{t.status[p.status]}</span>
      {notes.length > 0 && <span class="muted"> — {notes.join('; ')}</span>}
    </span>
  );
}

function Persons({ company }: { company: Contact }) {
  const { t, calls, refused } = useSession();
  const persons = useLoad(`persons:${company.id}:${company.version}`, () => calls.contacts.list({ companyId: company.id, limit: 50 }), refused);
  return (
    <section aria-labelledby="persons">
      <h2 id="persons">{t.contact.persons}</h2>
      {persons.state === 'loading' && <Loading />}
      {persons.state === 'failed' && <Failure error={persons.error} />}
      {persons.state === 'done' && persons.data.items.length === 0 && <p>{t.contact.noPersons}</p>}
      {persons.state === 'done' && persons.data.items.length > 0 && (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t.contacts.name}</th>
                <th scope="col">{t.contacts.email}</th>
                <th scope="col">{t.contacts.portal}</th>
              </tr>
            </thead>
            <tbody>
              {persons.data.items.map((person) => (
                <tr key={person.id}>
                  <td>
                    <a href={`/contacts/${encodeURIComponent(person.id)}`}>{person.name}</a>
                    {person.archived && <span class="tag">{t.contacts.archived}</span>}
                  </td>
                  <td class="wrap">{person.email ?? ''}</td>
                  <td>
                    <PortalSummary contact={person} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="actions">
        {!company.archived && <a href={withQuery('/contacts/new', { kind: 'person', companyId: company.id })}>{t.contact.addPerson}</a>}
        {persons.state === 'done' && persons.data.nextCursor && <a href={withQuery('/contacts', { companyId: company.id })}>{t.contact.morePersons}</a>}
      </p>
    </section>
  );
}

function Shown({ id }: { id: string }) {
  const { t, calls, refused, features } = useSession();
  const { route } = useLocation();
  const [version, setVersion] = useState(0);
  const [confirming, setConfirming] = useState(false);
  const runner = useAction();
  const archiveButton = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  // The question takes the focus (on its safe answer); a `Cancel` gives it back to `Archive`. Done at
  // once with the change (a layout effect), so that the next key pressed already goes there.
  useLayoutEffect(() => {
    if (confirming) cancelButton.current?.focus();
    else if (asked.current && !runner.busy) archiveButton.current?.focus();
    asked.current = confirming;
  }, [confirming]);
  const loaded = useLoad(`${id}:${version}`, () => calls.contacts.get(id), refused);
  const contact = loaded.state === 'done' ? loaded.data : undefined;
  const names = useNames(calls, [contact?.companyId]);
  useTitle(contact?.name ?? (loaded.state === 'failed' ? contactFailureTitle(t, loaded.error) : undefined));

  if (loaded.state === 'loading' && !contact) return <Loading />;
  if (loaded.state === 'failed') return <ContactFailure error={loaded.error} />;
  const c = contact!;

  const act = async (busy: string, action: () => Promise<unknown>, done: string) => {
    setConfirming(false);
    // Its button goes with the change (Archive ↔ Restore): the focus goes to what it says.
    if (await runner.run(busy, action, () => done, { focus: 'news' })) {
      forgetName(c.id);
      setVersion((v) => v + 1);
    }
  };
  const rows: [string, ComponentChildren][] = [
    [t.contact.kind, t.kind[c.kind]],
    [t.contact.email, c.email],
    [t.contact.phone, c.phone],
    [t.contact.company, c.companyId ? <a href={`/contacts/${encodeURIComponent(c.companyId)}`}>{names.get(c.companyId) ?? c.companyId}</a> : undefined],
    [t.contact.state, c.archived ? t.contact.archived : t.contact.current],
    [t.contact.portal, <PortalSummary contact={c} />],
  ];
  return (
    <>
      <h1>{c.name}</h1>
      <div class="actions">
        {!c.archived && (
          <button type="button" onClick={() => route(`/contacts/${encodeURIComponent(c.id)}/portal-access`)}>
            {t.contact.grant}
          </button>
        )}
        {!c.archived && (
          <a class="button secondary" href={`/contacts/${encodeURIComponent(c.id)}/edit`}>
            {t.contact.edit}
          </a>
        )}
        <a class="button secondary" href={`/contacts/${encodeURIComponent(c.id)}/history`}>
          {t.contact.history}
        </a>
        <a class="button secondary" href={withQuery('/documents', { customerId: c.id })}>
          {t.contact.documents}
        </a>
        {!c.archived && (
          <button type="button" class="secondary danger" ref={archiveButton} aria-expanded={confirming} onClick={() => setConfirming(true)} disabled={runner.busy}>
            {t.contact.archive}
          </button>
        )}
        {c.archived && features?.restore && (
          <button type="button" class="secondary" onClick={() => void act(t.contact.restoring, () => calls.contacts.restore(c.id), t.contact.restoredDone)} disabled={runner.busy}>
            {t.contact.restore}
          </button>
        )}
      </div>
      {confirming && (
        <div
          class="confirm"
          role="alertdialog"
          aria-labelledby="archive-question"
          onKeyDown={(e) => {
            if (e.key === 'Escape') setConfirming(false);
          }}
        >
          <p id="archive-question">{t.contact.archiveConfirm(c.name, c.kind === 'company')}</p>
          <button type="button" class="danger" onClick={() => void act(t.contact.archiving, () => calls.contacts.archive(c.id), t.contact.archivedDone)}>
            {t.contact.archiveYes}
          </button>
          <button type="button" class="secondary" ref={cancelButton} onClick={() => setConfirming(false)}>
            {t.cancel}
          </button>
        </div>
      )}
      <ActionStatus runner={runner} />
      <h2 class="visually-hidden">{t.contact.details}</h2>
      <dl class="fields">
        {rows
          .filter(([, value]) => value !== undefined && value !== '')
          .map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
      </dl>
      {c.kind === 'company' && <Persons company={c} />}
    </>
  );
}

export function ContactPage({ params }: { params: { id: string } }) {
  const { url } = useLocation();
  return <SignedIn returnTo={url}>{() => <Shown id={params.id} />}</SignedIn>;
}
