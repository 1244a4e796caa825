/**
 * A document's `Attachments` (when the API offers them): the files, and an upload — announced to the
 * API, sent straight to the storage with the presigned PUT (with progress), then completed, which
 * checks the file before the portal shows it. Uploads never completed are listed apart, deletable.
 */
import { useRef, useState } from 'preact/hooks';
import { useLoad } from '../../shared/load';
import type { Attachment, Document } from '../model';
import { useSession } from '../session';
import { putFile } from '../upload';
import { ActionStatus, Failure, Loading, useAction } from './common';

/** What the API accepts, by extension when the browser names no type. */
const TYPES_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  txt: 'text/plain',
  text: 'text/plain',
  log: 'text/plain',
  csv: 'text/csv',
};
const contentTypeOf = (file: File) => TYPES_BY_EXTENSION[file.name.split('.').pop()?.toLowerCase() ?? ''] ?? file.type;

type Upload = { name: string; fraction: number } | undefined;

function Files({ doc }: { doc: Document }) {
  const { t, calls, refused } = useSession();
  const [reload, setReload] = useState(0);
  const [upload, setUpload] = useState<Upload>(undefined);
  const input = useRef<HTMLInputElement>(null);
  const files = useAction();
  const list = useLoad(`attachments:${doc.type}/${doc.id}:${reload}`, () => calls.documents.attachments(doc.type, doc.id), refused);

  const send = async (event: Event) => {
    event.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) return;
    setUpload({ name: file.name, fraction: 0 });
    await files.run(
      t.document.uploading(file.name),
      async () => {
        const ticket = await calls.documents.announceAttachment(doc.type, doc.id, { fileName: file.name, contentType: contentTypeOf(file), size: file.size });
        await putFile(ticket, file, (fraction) => setUpload({ name: file.name, fraction }));
        const attached = await calls.documents.completeAttachment(doc.type, doc.id, ticket.id);
        if (input.current) input.current.value = '';
        return attached;
      },
      (attached) => t.document.uploaded(attached.fileName),
    );
    setUpload(undefined);
    setReload((n) => n + 1);
  };
  const remove = async (attachment: Attachment) => {
    await files.run(t.document.deleting(attachment.fileName), () => calls.documents.deleteAttachment(doc.type, doc.id, attachment.id), () => t.document.deleted(attachment.fileName), { focus: 'news' });
    setReload((n) => n + 1);
  };

  const rows = list.state === 'done' ? [...list.data.items.map((a) => ({ ...a, pending: false })), ...(list.data.pending ?? []).map((a) => ({ ...a, pending: true }))] : [];
  return (
    <>
      {list.state === 'loading' && <Loading />}
      {list.state === 'failed' && <Failure error={list.error} />}
      {list.state === 'done' && rows.length === 0 && <p>{t.document.noAttachments}</p>}
      {rows.length > 0 && (
        <ul class="files">
          {rows.map((a) => (
            <li key={a.id}>
              <span class="wrap">{a.fileName}</span> <span class="muted">{a.contentType}, {t.document.size(a.size)}</span>
              {a.pending && <> <span class="tag">{t.document.pendingUpload}</span></>}{' '}
              <button type="button" class="secondary small" aria-label={t.document.deleteAttachment(a.fileName)} disabled={files.busy} onClick={() => void remove(a)}>
                {t.document.remove}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="filters" onSubmit={send}>
        <div class="field">
          <label for="attachment-file">{t.document.file}</label>
          <input id="attachment-file" type="file" ref={input} accept=".pdf,.png,.jpg,.jpeg,.txt,.csv,application/pdf,image/png,image/jpeg,text/plain,text/csv" required disabled={files.busy} />
        </div>
        <div class="field">
          <button type="submit" disabled={files.busy}>
            {t.document.upload}
          </button>
        </div>
      </form>
      {upload && (
        <div class="progress">
          <progress value={upload.fraction} max={1} aria-label={t.document.uploading(upload.name)} />
          <span aria-hidden="true">{Math.round(upload.fraction * 100)} %</span>
        </div>
      )}
      <ActionStatus runner={files} />
    </>
  );
}

export function Attachments({ doc }: { doc: Document }) {
  const { t, features } = useSession();
  return (
    <section aria-labelledby="attachments">
      <h2 id="attachments">{t.document.attachments}</h2>
      {!features && <Loading />}
      {features && !features.attachments && <p class="muted">{t.notOffered}</p>}
      {features?.attachments && <Files doc={doc} />}
    </section>
  );
}
