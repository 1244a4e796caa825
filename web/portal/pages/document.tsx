/** `/documents/<type>/<id>`: one document the user may see, with its files (a 404, or the 400 of an id no document can have, says it is not there for them, nothing more). */
import { useLocation } from 'preact-iso/router';
import { ApiError, ok, type DocumentType } from '../../shared/api';
import { Notice } from '../../shared/layout';
import { useLoad } from '../../shared/load';
import { Attachments } from '../attachments';
import { DocumentView } from '../document-view';
import { useSession } from '../session';
import { Failure, Loading, SignedIn, useTitle } from './common';
import { NotFound } from './not-found';

function Shown({ type, id }: { type: DocumentType; id: string }) {
  const { t, api, refused } = useSession();
  const doc = useLoad(`${type}/${id}`, () => ok(api.GET('/portal/documents/{type}/{id}', { params: { path: { type, id } } })), refused);
  // 400: an id no document can have (a mangled address) is as absent as any other.
  const missing = doc.state === 'failed' && doc.error instanceof ApiError && (doc.error.status === 404 || doc.error.status === 400);
  // The tab says what the page says: "Document not found" only when it is not there, else the failure's title.
  useTitle(doc.state === 'done' ? doc.data.name : missing ? t.document.notFoundTitle : doc.state === 'failed' ? t.error.title : undefined);
  return (
    <>
      <p>
        <a href={`/documents/${type}`}>{t.document.backTo(t.types[type])}</a>
      </p>
      {doc.state === 'loading' && <Loading />}
      {doc.state === 'failed' &&
        (missing ? (
          <Notice title={t.document.notFoundTitle}>
            <p>{t.document.notFound}</p>
          </Notice>
        ) : (
          <Failure error={doc.error} />
        ))}
      {doc.state === 'done' && (
        <>
          <DocumentView doc={doc.data} t={t} />
          <Attachments type={type} id={id} items={doc.data.attachments} />
        </>
      )}
    </>
  );
}

export function DocumentPage({ params }: { params: { type: string; id: string } }) {
  const { t } = useSession();
  const { url } = useLocation();
  if (!Object.hasOwn(t.types, params.type)) return <NotFound />;
  return <SignedIn returnTo={url}>{() => <Shown type={params.type as DocumentType} id={params.id} />}</SignedIn>;
}
