/**
 * `/s/<token>`: a document shared by link, without sign-in (`GET /shared/{token}`, one view counted),
 * with its files as plain links (the API answers each with a redirect to a short-lived download and
 * counts no view). A link that cannot be used (410, whatever the reason), or a path that names
 * nothing (404), is "no longer valid" and nothing more.
 */
import { ApiError, getUntyped, type Attachment, type Document } from '../../shared/api';
import { Notice } from '../../shared/layout';
import { useLoad } from '../../shared/load';
import { DocumentView } from '../document-view';
import { useSession } from '../session';
import { Failure, Loading, useNoIndex, useTitle } from './common';

export function SharedDocument({ params }: { params: { token: string } }) {
  const { t, config } = useSession();
  useNoIndex();
  const path = `/shared/${encodeURIComponent(params.token)}`;
  const doc = useLoad(params.token, () => getUntyped<Document & { attachments?: Attachment[] }>(config.apiUrl, path));
  const dead = doc.state === 'failed' && doc.error instanceof ApiError && [404, 410].includes(doc.error.status);
  // Any other failure (the route is rate-limited: a 429) is named in the tab as on the page.
  useTitle(doc.state === 'done' ? doc.data.name : dead ? t.shared.invalidTitle : doc.state === 'failed' ? t.error.title : undefined);
  if (doc.state === 'loading') return <Loading />;
  if (dead)
    return (
      <Notice title={t.shared.invalidTitle}>
        <p>{t.shared.invalid}</p>
      </Notice>
    );
  if (doc.state === 'failed') return <Failure error={doc.error} />;
  const files = doc.data.attachments ?? [];
  return (
    <>
      <DocumentView doc={doc.data} t={t} />
      {files.length > 0 && (
        <section>
          <h2>{t.attachments.title}</h2>
          <ul class="files">
            {files.map((attachment) => (
              <li key={attachment.id}>
                <span class="file">
                  {attachment.fileName} <span class="muted">{t.attachments.describe(attachment.contentType, attachment.size)}</span>
                </span>
                {/* In AWS the API is on the page's own origin (`/api/*`): the router would take the click for one of its own pages
                    (and show "not found"); it leaves a link with a target to the browser. `_top` is this very window. */}
                <a href={`${config.apiUrl}${path}/attachments/${encodeURIComponent(attachment.id)}`} target="_top" aria-label={t.attachments.download(attachment.fileName)}>
                  {t.attachments.downloadButton}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
