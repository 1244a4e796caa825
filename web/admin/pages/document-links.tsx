/**
 * A document's `Share links` (when the API offers them): the links with their expiry and views, a
 * new one with an expiry date (30 days unless chosen, at most 90) and an optional maximum of views —
 * its URL shown once, with `Copy` — and `Revoke` per live link.
 */
import { useState } from 'preact/hooks';
import { useLoad } from '../../shared/load';
import { copyText } from '../clipboard';
import type { CreatedLink, Document, ShareLink } from '../model';
import { useSession } from '../session';
import { ActionStatus, Failure, Loading, useAction } from './common';

const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_DAYS = 30;
const MAX_DAYS = 90;
const dateInput = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/**
 * The end of the chosen day (local time), but never past what the API allows: the field's last
 * date, 90 days ahead, ends later that day than 90 days from now, which the API refuses (400). A
 * minute short of the limit, for a browser clock a little ahead of the API's.
 */
const linkEnd = (date: string) => new Date(Math.min(new Date(`${date}T23:59:59`).getTime(), Date.now() + MAX_DAYS * DAY_MS - 60_000)).toISOString();

function stateOf(link: ShareLink, t: ReturnType<typeof useSession>['t']): string {
  if (link.revokedAt) return t.document.linkRevoked(link.revokedAt);
  if (new Date(link.expiresAt).getTime() <= Date.now() || (link.maxViews !== undefined && link.views >= link.maxViews)) return t.document.linkExpired;
  // Dead although nothing on the link says so: the API judges it by the holder's own rule.
  if (link.live === false) return t.document.linkDead;
  return t.document.linkLive;
}

function Links({ doc }: { doc: Document }) {
  const { t, calls, refused } = useSession();
  const [reload, setReload] = useState(0);
  const [expires, setExpires] = useState(() => dateInput(Date.now() + DEFAULT_DAYS * DAY_MS));
  const [maxViews, setMaxViews] = useState('');
  const runner = useAction();
  const busy = runner.busy;
  const [created, setCreated] = useState<CreatedLink | undefined>(undefined);
  const [copied, setCopied] = useState<boolean | undefined>(undefined);
  const links = useLoad(`links:${doc.type}/${doc.id}:${reload}`, () => calls.documents.links(doc.type, doc.id), refused);

  const run = async (busyText: string, action: () => Promise<void>, doneText: string, focus?: 'news') => {
    if (await runner.run(busyText, action, () => doneText, { focus })) setReload((n) => n + 1);
  };
  const create = (event: Event) => {
    event.preventDefault();
    setCreated(undefined);
    void run(
      t.document.creatingLink,
      async () => {
        const views = Number.parseInt(maxViews, 10);
        const link = await calls.documents.createLink(doc.type, doc.id, {
          expiresAt: linkEnd(expires),
          ...(Number.isFinite(views) && views > 0 ? { maxViews: views } : {}),
        });
        setCreated(link);
        setCopied(undefined);
      },
      t.document.linkCreated,
    );
  };
  const copy = async (url: string) => setCopied(await copyText(url));

  return (
    <>
      <p class="hint">{t.document.linksIntro}</p>
      {links.state === 'loading' && <Loading />}
      {links.state === 'failed' && <Failure error={links.error} />}
      {links.state === 'done' && links.data.items.length === 0 && <p>{t.document.noLinks}</p>}
      {links.state === 'done' && links.data.items.length > 0 && (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t.document.linkCreatedAt}</th>
                <th scope="col">{t.document.linkCreatedBy}</th>
                <th scope="col">{t.document.linkExpires}</th>
                <th scope="col">{t.document.linkViews}</th>
                <th scope="col">{t.document.linkState}</th>
                <th scope="col">
                  <span class="visually-hidden">{t.document.revoke}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {links.data.items.map((link, i) => (
                <tr key={link.id}>
                  <td>{i + 1}</td>
                  <td class="nowrap">{link.createdAt ? t.dateTime(link.createdAt) : ''}</td>
                  <td>{link.createdBy ? t.history.actor(link.createdBy) : ''}</td>
                  <td class="nowrap">{t.dateTime(link.expiresAt)}</td>
                  <td>{link.maxViews === undefined ? link.views : `${link.views} / ${link.maxViews}`}</td>
                  <td>{stateOf(link, t)}</td>
                  <td>
                    {!link.revokedAt && (
                      <button type="button" class="secondary small" aria-label={t.document.revokeLink(i + 1)} disabled={busy} onClick={() => void run(t.document.revokingLink(i + 1), () => calls.documents.revokeLink(doc.type, doc.id, link.id), t.document.linkRevokedDone(i + 1), 'news')}>
                        {t.document.revoke}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ActionStatus runner={runner} />
      {created && (
        <div class="link-box">
          <label>
            {t.document.newLink}
            <input type="text" readOnly value={created.url} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button type="button" class="secondary small" onClick={() => void copy(created.url)}>
            {t.copy}
          </button>
          {copied !== undefined && (
            <p class="hint" role="status">
              {copied ? t.copied : t.copyFailed}
            </p>
          )}
        </div>
      )}
      <form class="filters" onSubmit={create}>
        <div class="field">
          <label for="link-expires">{t.document.linkExpires}</label>
          <input id="link-expires" type="date" required value={expires} min={dateInput(Date.now() + DAY_MS)} max={dateInput(Date.now() + MAX_DAYS * DAY_MS)} onInput={(e) => setExpires(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="link-views">{t.document.linkMaxViews}</label>
          <input id="link-views" type="number" min={1} step={1} value={maxViews} onInput={(e) => setMaxViews(e.currentTarget.value)} />
        </div>
        <div class="field">
          <button type="submit" disabled={busy}>
            {t.document.createLink}
          </button>
        </div>
      </form>
    </>
  );
}

export function ShareLinks({ doc }: { doc: Document }) {
  const { t, features } = useSession();
  return (
    <section aria-labelledby="share-links">
      <h2 id="share-links">{t.document.links}</h2>
      {!features && <Loading />}
      {features && !features.shareLinks && <p class="muted">{t.notOffered}</p>}
      {features?.shareLinks && <Links doc={doc} />}
    </section>
  );
}
