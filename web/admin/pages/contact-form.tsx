/**
 * `/contacts/new?kind=person|company[&companyId=]` and `/contacts/<id>/edit`: a person or a company.
 * An edit sends only what changed, with the version it was opened on (`If-Match`); when someone
 * else changed the contact meanwhile (409 and a newer version), it says so and offers the current
 * version instead of overwriting it.
 */
import { useLocation } from 'preact-iso/router';
import { useState } from 'preact/hooks';
import { ApiError } from '../../shared/api';
import { Notice } from '../../shared/layout';
import { useLoad } from '../../shared/load';
import type { ContactInput } from '../calls';
import { ContactPicker } from '../contact-picker';
import type { Contact } from '../model';
import { forgetName, useNames } from '../names';
import { useSession } from '../session';
import { ContactFailure, contactFailureTitle, Failure, Loading, SignedIn, useTitle } from './common';

/** A person's company, chosen by the start of its name. */
function CompanyPicker({ value, onChange }: { value: string | undefined; onChange: (id: string | undefined) => void }) {
  const { t, calls } = useSession();
  const names = useNames(calls, [value]);
  if (value)
    return (
      <div class="chosen">
        <span id="company-chosen">{names.get(value) ?? value}</span>{' '}
        <button type="button" class="secondary" onClick={() => onChange(undefined)}>
          {t.form.removeCompany}
        </button>
      </div>
    );
  return (
    <ContactPicker
      id="company"
      hint={t.form.companyHint}
      none={t.form.noCompanyFound}
      accept={(c) => c.kind === 'company'}
      choose={(c) => t.form.chooseCompany(c.name)}
      onChoose={(c) => onChange(c.id)}
    />
  );
}

interface Fields {
  kind: 'person' | 'company';
  name: string;
  email: string;
  phone: string;
  companyId: string | undefined;
}

const fieldsOf = (c: Contact): Fields => ({ kind: c.kind, name: c.name, email: c.email ?? '', phone: c.phone ?? '', companyId: c.companyId });

/** What an edit changes: only the fields that differ, a cleared one as `null`. */
function changes(from: Fields, to: Fields): ContactInput {
  const input: ContactInput = {};
  if (to.name.trim() !== from.name) input.name = to.name.trim();
  if (to.email.trim() !== from.email) input.email = to.email.trim() || null;
  if (to.phone.trim() !== from.phone) input.phone = to.phone.trim() || null;
  if (to.kind === 'person' && to.companyId !== from.companyId) input.companyId = to.companyId ?? null;
  return input;
}

type State = { step: 'form' } | { step: 'saving' } | { step: 'failed'; error: unknown } | { step: 'stale'; current: Contact } | { step: 'unchanged' };

function Form({ original, initial }: { original?: Contact; initial: Fields }) {
  const { t, calls, refused } = useSession();
  const { route } = useLocation();
  const [fields, setFields] = useState<Fields>(initial);
  const [base, setBase] = useState<Contact | undefined>(original);
  const [state, setState] = useState<State>({ step: 'form' });
  const set = (changes: Partial<Fields>) => setFields((f) => ({ ...f, ...changes }));
  useTitle(base ? t.form.editTitle(base.name) : t.form.newTitle(fields.kind));

  const submit = async (event: Event) => {
    event.preventDefault();
    setState({ step: 'saving' });
    try {
      if (!base) {
        const created = await calls.contacts.create({
          kind: fields.kind,
          name: fields.name.trim(),
          email: fields.email.trim(),
          phone: fields.phone.trim(),
          ...(fields.kind === 'person' && fields.companyId ? { companyId: fields.companyId } : {}),
        });
        route(`/contacts/${encodeURIComponent(created.id)}`);
        return;
      }
      const input = changes(fieldsOf(base), fields);
      if (Object.keys(input).length === 0) return setState({ step: 'unchanged' });
      await calls.contacts.update(base.id, input, base.version);
      forgetName(base.id);
      route(`/contacts/${encodeURIComponent(base.id)}`);
    } catch (error) {
      refused(error);
      // A 409 is a stale version only if the contact did move on; else it is another conflict (an email in use, archived).
      if (base && error instanceof ApiError && error.status === 409) {
        const current = await calls.contacts.get(base.id).catch(() => undefined);
        if (current && current.version !== base.version) return setState({ step: 'stale', current });
      }
      setState({ step: 'failed', error });
    }
  };

  const reload = (current: Contact) => {
    setBase(current);
    setFields(fieldsOf(current));
    setState({ step: 'form' });
  };

  return (
    <section>
      <h1>{base ? t.form.editTitle(base.name) : t.form.newTitle(fields.kind)}</h1>
      {state.step === 'stale' && (
        <Notice title={t.form.conflictTitle}>
          <p>{t.form.conflict}</p>
          <button type="button" onClick={() => reload(state.current)}>
            {t.form.reload}
          </button>
        </Notice>
      )}
      {state.step === 'failed' && <Failure error={state.error} />}
      {state.step === 'unchanged' && <p role="status">{t.form.nothingChanged}</p>}
      <form class="stack" onSubmit={submit}>
        {!base && (
          <fieldset>
            <legend>{t.form.kind}</legend>
            {(['person', 'company'] as const).map((kind) => (
              <label key={kind} class="inline">
                <input type="radio" name="kind" value={kind} checked={fields.kind === kind} onChange={() => set({ kind })} /> {t.kind[kind]}
              </label>
            ))}
          </fieldset>
        )}
        <label for="name">{t.form.name}</label>
        <input id="name" name="name" required maxLength={200} value={fields.name} onInput={(e) => set({ name: e.currentTarget.value })} autocomplete="off" />
        <label for="email">{t.form.email}</label>
        <input id="email" name="email" type="email" maxLength={254} value={fields.email} onInput={(e) => set({ email: e.currentTarget.value })} autocomplete="off" />
        <label for="phone">{t.form.phone}</label>
        <input id="phone" name="phone" type="tel" maxLength={50} value={fields.phone} onInput={(e) => set({ phone: e.currentTarget.value })} autocomplete="off" />
        {fields.kind === 'person' && (
          <>
            {fields.companyId ? <span class="label">{t.form.company}</span> : <label for="company">{t.form.company}</label>}
            <CompanyPicker value={fields.companyId} onChange={(companyId) => set({ companyId })} />
          </>
        )}
        <div class="actions">
          {/* The button keeps its name while the API works; the wait is said in a status. */}
          <button type="submit" disabled={state.step === 'saving'}>
            {base ? t.save : t.form.create}
          </button>
          <a class="button secondary" href={base ? `/contacts/${encodeURIComponent(base.id)}` : '/contacts'}>
            {t.cancel}
          </a>
        </div>
      </form>
      {state.step === 'saving' && <Loading label={t.saving} />}
    </section>
  );
}

function Edit({ id }: { id: string }) {
  const { t, calls, refused } = useSession();
  const loaded = useLoad(`edit:${id}`, () => calls.contacts.get(id), refused);
  useTitle(loaded.state === 'done' ? t.form.editTitle(loaded.data.name) : loaded.state === 'failed' ? contactFailureTitle(t, loaded.error) : undefined);
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'failed') return <ContactFailure error={loaded.error} />;
  return <Form original={loaded.data} initial={fieldsOf(loaded.data)} />;
}

export function NewContact() {
  const { url, query } = useLocation();
  const kind = query.kind === 'company' ? 'company' : 'person';
  return <SignedIn returnTo={url}>{() => <Form initial={{ kind, name: '', email: '', phone: '', companyId: kind === 'person' ? query.companyId : undefined }} />}</SignedIn>;
}

export function EditContact({ params }: { params: { id: string } }) {
  const { url } = useLocation();
  return <SignedIn returnTo={url}>{() => <Edit id={params.id} />}</SignedIn>;
}
