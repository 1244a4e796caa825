/**
 * `/contacts/<id>/portal-access`: the "Grant portal access" wizard as the contract names it — a
 * table `Contact` / `Email` / `In Portal` (a checkbox `In Portal <name>` per line, the email editable
 * on the line), a `Message`, `Apply` — then each line's outcome beside it, its delivery, and for a
 * pending invitation `Re-invite` (or a link to pass on, when the API offers it). Only the lines
 * that changed are sent (the others then say `Unchanged`); an apply of many lines shows that it is under way. A repeat of a request
 * that failed on the way (network, 5xx) carries the same Idempotency-Key: nothing happens twice.
 */
import { useLocation } from 'preact-iso/router';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type DocumentType } from '../../shared/api';
import { useLoad } from '../../shared/load';
import { newIdempotencyKey } from '../calls';
import { copyText } from '../clipboard';
import type { ApplyLine, ApplyResult, Scope, WizardLine } from '../model';
import { useSession } from '../session';
import { ActionStatus, ContactFailure, contactFailureTitle, Failure, Loading, SignedIn, useAction, useTitle } from './common';

/** What the staff changed on a line. */
interface Edit {
  inPortal?: boolean;
  email?: string;
  scope?: Scope;
  /** `[]` means all types. */
  types?: DocumentType[];
  /** `''` clears an end date. */
  until?: string;
}

type Phase = { kind: 'idle' } | { kind: 'applying'; count: number } | { kind: 'applied'; count: number; failed: number } | { kind: 'nothing' } | { kind: 'failed'; error: unknown };

/** A local date-time input's value for an ISO instant, and back. */
const toLocalInput = (iso: string | undefined) => {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : '');

function applyLineOf(line: WizardLine, edit: Edit | undefined, limitsOffered: boolean, allTypes: readonly DocumentType[]): ApplyLine | undefined {
  const inPortal = edit?.inPortal ?? line.inPortal;
  const email = edit?.email?.trim();
  const out: ApplyLine = { contactId: line.contactId, inPortal };
  let changed = inPortal !== line.inPortal;
  if (email && email !== (line.email ?? '')) {
    out.email = email;
    changed = true;
  }
  if (limitsOffered && edit) {
    if (edit.scope !== undefined && edit.scope !== (line.scope ?? 'company')) out.scope = edit.scope;
    // Every type ticked on a line without a limit is no change (the editor shows such a line all ticked).
    const unlimited = line.types === undefined && edit.types !== undefined && allTypes.every((type) => edit.types!.includes(type));
    if (edit.types !== undefined && !unlimited) out.types = edit.types.length ? edit.types : [...allTypes];
    // An emptied end date clears it (`until: null`).
    if (edit.until !== undefined && edit.until !== (line.until ?? '')) out.until = edit.until || null;
    changed ||= out.scope !== undefined || out.types !== undefined || out.until !== undefined;
  }
  return changed ? out : undefined;
}

function Limits({ line, edit, onEdit, disabled }: { line: WizardLine; edit: Edit | undefined; onEdit: (e: Edit) => void; disabled: boolean }) {
  const { t } = useSession();
  const [open, setOpen] = useState(false);
  const allTypes = Object.keys(t.types) as DocumentType[];
  const scope = edit?.scope ?? line.scope ?? 'company';
  // A line without a limit sees every type: all ticked (what is ticked is what the contact sees).
  const types = edit?.types ?? [...(line.types ?? allTypes)];
  const until = edit?.until ?? line.until ?? '';
  // Every type ticked is no limit at all: said as such, not as a list of ten.
  const typesText = types.length && types.length < allTypes.length ? types.map((type) => t.types[type]).join(', ') : t.wizard.allTypes;
  const summary = [t.scope[scope], typesText, until ? t.contact.until(until) : t.wizard.noEnd].join('; ');
  return (
    <div class="limits">
      <button type="button" class="link" aria-expanded={open} aria-label={`${t.wizard.accessOf(line.name)}: ${summary}`} onClick={() => setOpen(!open)} disabled={disabled}>
        {summary}
      </button>
      {open && (
        <div class="limits-editor">
          <label>
            <span class="visually-hidden">{t.wizard.scopeOf(line.name)}</span>
            <select value={scope} onChange={(e) => onEdit({ scope: e.currentTarget.value as Scope })} aria-label={t.wizard.scopeOf(line.name)}>
              {(Object.keys(t.scope) as Scope[]).map((s) => (
                <option key={s} value={s}>
                  {t.scope[s]}
                </option>
              ))}
            </select>
          </label>
          <fieldset>
            <legend>{t.wizard.typesOf(line.name)}</legend>
            {allTypes.map((type) => (
              <label key={type} class="inline">
                <input
                  type="checkbox"
                  checked={types.includes(type)}
                  // At least one type: the last one ticked cannot be unticked (no type at all is no access; untick In Portal for that).
                  disabled={types.length === 1 && types.includes(type)}
                  onChange={(e) => onEdit({ types: e.currentTarget.checked ? [...types, type] : types.filter((x) => x !== type) })}
                />{' '}
                {t.types[type]}
              </label>
            ))}
          </fieldset>
          <label>
            {t.wizard.untilOf(line.name)}{' '}
            <input type="datetime-local" value={toLocalInput(until)} onChange={(e) => onEdit({ until: fromLocalInput(e.currentTarget.value) })} />
          </label>
        </div>
      )}
    </div>
  );
}

function Outcome({ result }: { result?: ApplyResult }) {
  const { t } = useSession();
  if (!result) return null;
  return (
    <span class={`outcome outcome-${result.outcome}`}>
      {t.wizard.outcomes[result.outcome]}
      {result.outcome === 'failed' && result.error ? `: ${result.error.detail ?? result.error.title}` : ''}
    </span>
  );
}

/**
 * A pending invitation's own actions, on its line: `Re-invite`, and a link to pass on when the API
 * offers it — each says what it is doing, then what came of it. An apply starts the lines afresh.
 */
function LineActions({ wizardId, line, results, onChange }: { wizardId: string; line: WizardLine; results: Record<string, ApplyResult>; onChange: () => void }) {
  const { t, calls, features } = useSession();
  const runner = useAction();
  const [link, setLink] = useState<{ url: string; expiresAt: string } | undefined>(undefined);
  useEffect(() => {
    runner.clear();
    setLink(undefined);
  }, [results]);

  const reinvite = async () => {
    setLink(undefined);
    const sent = await runner.run(t.wizard.reinviting(line.name), () => calls.access.reinvite(wizardId, line.contactId, newIdempotencyKey()), () => t.wizard.reinvited(line.name));
    if (sent) onChange();
  };
  const inviteLink = async () => {
    setLink(undefined);
    const made = await runner.run(
      t.wizard.makingLink(line.name),
      async () => {
        const made = await calls.access.inviteLink(wizardId, line.contactId);
        setLink(made);
        return { copied: await copyText(made.url), expiresAt: made.expiresAt };
      },
      ({ copied, expiresAt }) => `${copied ? t.copied : t.copyFailed} ${t.wizard.linkHint(expiresAt)}`,
    );
    if (made) onChange();
  };

  return (
    <>
      <div class="line-actions">
        <button type="button" class="secondary small" aria-label={t.wizard.reinviteOf(line.name)} disabled={runner.busy} onClick={() => void reinvite()}>
          {t.wizard.reinvite}
        </button>
        {features?.inviteLink && (
          <button type="button" class="secondary small" aria-label={t.wizard.copyLinkOf(line.name)} disabled={runner.busy} onClick={() => void inviteLink()}>
            {t.wizard.copyLink}
          </button>
        )}
      </div>
      {link && (
        <div class="link-box">
          <label>
            {t.wizard.linkFor(line.name)}
            <input type="text" readOnly value={link.url} onFocus={(ev) => ev.currentTarget.select()} />
          </label>
        </div>
      )}
      <ActionStatus runner={runner} />
    </>
  );
}

function Wizard({ id }: { id: string }) {
  const { t, calls, refused, features } = useSession();
  const [reload, setReload] = useState(0);
  const contact = useLoad(`contact:${id}`, () => calls.contacts.get(id), refused);
  const wizard = useLoad(`wizard:${id}:${reload}`, () => calls.access.wizard(id), refused);
  const [edits, setEdits] = useState<Record<string, Edit>>({});
  const [message, setMessage] = useState('');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [results, setResults] = useState<Record<string, ApplyResult>>({});
  const retry = useRef<{ body: string; key: string } | undefined>(undefined);
  const news = useRef<HTMLDivElement>(null);
  const name = contact.state === 'done' ? contact.data.name : '';
  const limitsOffered = features?.accessLimits ?? false;
  useEffect(() => {
    if (phase.kind !== 'idle' && phase.kind !== 'applying') news.current?.focus();
  }, [phase]);

  // Keep the lines on screen while they are read again after an apply, and the applied edits with them
  // until the fresh lines arrive: cleared earlier, an unticked line would show ticked again for a moment.
  // A line that failed keeps its edit (the tick, the email typed): nothing was done to it, and it is
  // there to be corrected and applied again, beside the problem that says why.
  const [lines, setLines] = useState<WizardLine[] | undefined>(undefined);
  const appliedEdits = useRef<{ keep: ReadonlySet<string> } | undefined>(undefined);
  useEffect(() => {
    if (wizard.state !== 'done') return;
    setLines(wizard.data.lines);
    const applied = appliedEdits.current;
    if (applied) {
      appliedEdits.current = undefined;
      setEdits((all) => Object.fromEntries(Object.entries(all).filter(([contactId]) => applied.keep.has(contactId))));
    }
  }, [wizard]);

  // The contact or its lines cannot be read (either 404 says there is no such contact): said as on its page.
  const failed = contact.state === 'failed' ? { error: contact.error } : !lines && wizard.state === 'failed' ? { error: wizard.error } : undefined;
  useTitle(name ? t.wizard.title(name) : failed ? contactFailureTitle(t, failed.error) : undefined);

  if (failed) return <ContactFailure error={failed.error} />;
  if (!lines) return <Loading />;

  const edit = (contactId: string, change: Edit) => setEdits((all) => ({ ...all, [contactId]: { ...all[contactId], ...change } }));
  const busy = phase.kind === 'applying';

  const apply = async (event: Event) => {
    event.preventDefault();
    const changed = lines.map((line) => applyLineOf(line, edits[line.contactId], limitsOffered, Object.keys(t.types) as DocumentType[])).filter((l): l is ApplyLine => l !== undefined);
    if (changed.length === 0) return setPhase({ kind: 'nothing' });
    const body = { ...(message.trim() ? { message } : {}), lines: changed };
    const text = JSON.stringify(body);
    const key = retry.current?.body === text ? retry.current.key : newIdempotencyKey();
    retry.current = { body: text, key };
    setPhase({ kind: 'applying', count: changed.length });
    try {
      const answer = await calls.access.apply(id, body, key);
      retry.current = undefined;
      // Every line says what came of it: a line left as it was is not sent (a stale view must not undo a
      // colleague's change), and nothing was done to it — `Unchanged`, as the API says of such a line.
      const sent = new Set(changed.map((l) => l.contactId));
      const untouched = lines.filter((l) => !sent.has(l.contactId)).map((l): ApplyResult => ({ contactId: l.contactId, outcome: 'unchanged', status: l.status }));
      setResults(Object.fromEntries([...untouched, ...answer.results].map((r) => [r.contactId, r])));
      appliedEdits.current = { keep: new Set(answer.results.filter((r) => r.outcome === 'failed').map((r) => r.contactId)) };
      setPhase({ kind: 'applied', count: answer.results.length, failed: answer.results.filter((r) => r.outcome === 'failed').length });
      setReload((n) => n + 1);
    } catch (error) {
      refused(error);
      // Only a request that may have been done half-way is repeated with its key: a refusal (4xx) is final.
      if (error instanceof ApiError && error.status < 500) retry.current = undefined;
      setPhase({ kind: 'failed', error });
    }
  };

  return (
    <>
      <p>
        <a href={`/contacts/${encodeURIComponent(id)}`}>{t.wizard.back(name || id)}</a>
      </p>
      <h1>{name ? t.wizard.title(name) : t.contact.grant}</h1>
      <p>{t.wizard.intro}</p>
      <form onSubmit={apply}>
        <fieldset class="plain" disabled={busy} aria-busy={busy}>
          <div class="scroll">
            <table class="wizard">
              <thead>
                <tr>
                  <th scope="col">{t.wizard.contact}</th>
                  <th scope="col">{t.wizard.email}</th>
                  <th scope="col">{t.wizard.inPortal}</th>
                  <th scope="col">{t.wizard.status}</th>
                  {limitsOffered && <th scope="col">{t.wizard.access}</th>}
                  <th scope="col">{t.wizard.outcome}</th>
                </tr>
              </thead>
              <tbody>
                {lines.map((line) => {
                  const e = edits[line.contactId];
                  const pending = line.status === 'invited';
                  return (
                    <tr key={line.contactId}>
                      <th scope="row">{line.name}</th>
                      <td>
                        <input
                          type="email"
                          class="line-email"
                          aria-label={t.wizard.emailOf(line.name)}
                          value={e?.email ?? line.email ?? ''}
                          onInput={(ev) => edit(line.contactId, { email: ev.currentTarget.value })}
                          maxLength={254}
                          autocomplete="off"
                        />
                        {line.warning && <p class="hint warning">{line.warning}</p>}
                      </td>
                      <td class="center">
                        <input
                          type="checkbox"
                          aria-label={t.wizard.inPortalOf(line.name)}
                          checked={e?.inPortal ?? line.inPortal}
                          onChange={(ev) => edit(line.contactId, { inPortal: ev.currentTarget.checked })}
                        />
                      </td>
                      <td>
                        <span class={`status status-${line.status}`}>{t.status[line.status]}</span>
                        {line.delivery && <span class="muted"> — {t.delivery[line.delivery]}</span>}
                        {line.invitation && (
                          <span class="muted">
                            {' '}
                            — {t.wizard.invitation[line.invitation.status]}
                            {line.invitation.status === 'pending' && line.invitation.expiresAt ? `, ${t.wizard.expires(line.invitation.expiresAt)}` : ''}
                          </span>
                        )}
                        {pending && <LineActions wizardId={id} line={line} results={results} onChange={() => setReload((n) => n + 1)} />}
                      </td>
                      {limitsOffered && (
                        <td>
                          <Limits line={line} edit={e} onEdit={(change) => edit(line.contactId, change)} disabled={busy} />
                        </td>
                      )}
                      <td aria-live="polite">
                        <Outcome result={results[line.contactId]} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div class="stack">
            <label for="message">{t.wizard.message}</label>
            <textarea id="message" rows={4} maxLength={2000} value={message} onInput={(ev) => setMessage(ev.currentTarget.value)} aria-describedby="message-hint" />
            <p id="message-hint" class="hint">
              {t.wizard.messageHint}
            </p>
            <button type="submit">{t.wizard.apply}</button>
          </div>
        </fieldset>
      </form>
      <div ref={news} tabIndex={-1}>
        {phase.kind === 'applying' && (
          <div class="progress" role="status">
            <progress aria-label={t.wizard.applying(phase.count)} />
            <span>{t.wizard.applying(phase.count)}</span>
          </div>
        )}
        {phase.kind === 'applied' && (
          <p class="done" role="status">
            {t.wizard.applied(phase.count, phase.failed)}
          </p>
        )}
        {phase.kind === 'nothing' && <p role="status">{t.wizard.nothingChanged}</p>}
        {phase.kind === 'failed' && <Failure error={phase.error} />}
      </div>
    </>
  );
}

export function WizardPage({ params }: { params: { id: string } }) {
  const { url } = useLocation();
  return <SignedIn returnTo={url}>{() => <Wizard id={params.id} />}</SignedIn>;
}
