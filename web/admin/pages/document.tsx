/**
 * `/documents/<type>/<id>`: a published document — its details, its `Grants`, `Who has access`
 * (with the reasons), why a chosen contact sees it or not, its `Share links` and `Attachments`. The sections the API does not offer yet
 * say so. A change of the grants reads "who has access" again.
 */
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso/router';
import { useState } from 'preact/hooks';
import type { DocumentType } from '../../shared/api';
import { Notice } from '../../shared/layout';
import { useLoad } from '../../shared/load';
import type { Document } from '../model';
import { useNames } from '../names';
import { useSession } from '../session';
import { Failure, failureTitle, isMissing, Loading, SignedIn, useTitle } from './common';
import { Attachments } from './document-attachments';
import { Explain } from './document-explain';
import { Grants, WhoHasAccess } from './document-grants';
import { ShareLinks } from './document-links';
import { NotFound } from './not-found';

function Details({ doc }: { doc: Document }) {
  const { t, calls } = useSession();
  const names = useNames(calls, [doc.customerId]);
  const rows: [string, ComponentChildren][] = [
    [t.document.type, t.type[doc.type]],
    [t.document.customer, <a href={`/contacts/${encodeURIComponent(doc.customerId)}`}>{names.get(doc.customerId) ?? doc.customerId}</a>],
    [t.document.reference, doc.reference],
    [t.document.date, doc.date ? t.date(doc.date) : undefined],
    [t.document.state, doc.state],
    [t.document.amount, doc.amount === undefined ? undefined : t.amount(doc.amount, doc.currency)],
    [t.document.updated, t.dateTime(doc.updatedAt)],
  ];
  return (
    <>
      <h1>{doc.name}</h1>
      <h2 class="visually-hidden">{t.document.details}</h2>
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
      {doc.data && Object.keys(doc.data).length > 0 && <pre class="data-json">{JSON.stringify(doc.data, null, 2)}</pre>}
    </>
  );
}

function Shown({ type, id }: { type: DocumentType; id: string }) {
  const { t, calls, refused } = useSession();
  const doc = useLoad(`${type}/${id}`, () => calls.documents.get(type, id), refused);
  const [revision, setRevision] = useState(0);
  useTitle(doc.state === 'done' ? doc.data.name : doc.state === 'failed' ? (isMissing(doc.error) ? t.document.notFoundTitle : failureTitle(t, doc.error)) : undefined);
  if (doc.state === 'loading') return <Loading />;
  if (doc.state === 'failed')
    return isMissing(doc.error) ? (
      <Notice title={t.document.notFoundTitle}>
        <p>{t.document.notFound}</p>
      </Notice>
    ) : (
      <Failure error={doc.error} />
    );
  return (
    <>
      <Details doc={doc.data} />
      <Grants doc={doc.data} onChange={() => setRevision((n) => n + 1)} />
      <WhoHasAccess doc={doc.data} revision={revision} />
      <Explain doc={doc.data} />
      <ShareLinks doc={doc.data} />
      <Attachments doc={doc.data} />
    </>
  );
}

export function DocumentPage({ params }: { params: { type: string; id: string } }) {
  const { t } = useSession();
  const { url } = useLocation();
  if (!Object.hasOwn(t.types, params.type)) return <NotFound />;
  return <SignedIn returnTo={url}>{() => <Shown type={params.type as DocumentType} id={params.id} />}</SignedIn>;
}
