/**
 * A document's files, each with its download button. The API hands out a link that lives a minute at
 * most; the browser follows it and, told by `Content-Disposition: attachment`, saves the file under
 * its name and stays on the page. No file passes through the page's script.
 */
import { useState } from 'preact/hooks';
import { ok, type Attachment, type DocumentType } from '../shared/api';
import { Notice } from '../shared/layout';
import { useSession } from './session';

export function Attachments({ type, id, items }: { type: DocumentType; id: string; items: readonly Attachment[] }) {
  const { t, api, refused } = useSession();
  const [busy, setBusy] = useState<Attachment>();
  const [failed, setFailed] = useState<Attachment>();
  if (items.length === 0) return null;

  async function download(attachment: Attachment, button: HTMLButtonElement) {
    setBusy(attachment);
    setFailed(undefined);
    try {
      const link = await ok(api.GET('/portal/documents/{type}/{id}/attachments/{attachmentId}', { params: { path: { type, id, attachmentId: attachment.id } } }));
      window.location.assign(link.url);
    } catch (error) {
      refused(error);
      setFailed(attachment);
    } finally {
      setBusy(undefined);
      // Disabled meanwhile, the button lost the focus: it gets it back once it is enabled again.
      setTimeout(() => {
        if (document.activeElement === document.body) button.focus();
      });
    }
  }

  return (
    <section>
      <h2>{t.attachments.title}</h2>
      <ul class="files">
        {items.map((attachment) => (
          <li key={attachment.id}>
            <span class="file">
              {attachment.fileName} <span class="muted">{t.attachments.describe(attachment.contentType, attachment.size)}</span>
            </span>
            <button type="button" class="secondary" aria-label={t.attachments.download(attachment.fileName)} disabled={busy?.id === attachment.id} onClick={(e) => void download(attachment, e.currentTarget)}>
              {t.attachments.downloadButton}
            </button>
          </li>
        ))}
      </ul>
      {busy && (
        <p class="loading" role="status">
          {t.attachments.preparing(busy.fileName)}
        </p>
      )}
      {failed && (
        <Notice title={t.attachments.failedTitle}>
          <p>{t.attachments.failed(failed.fileName)}</p>
        </Notice>
      )}
    </section>
  );
}
