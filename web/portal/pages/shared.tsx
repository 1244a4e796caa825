/**
 * `/s/<token>`: a document shared by link, without sign-in (`GET /shared/{token}`, one view counted).
 * A link that cannot be used (410, whatever the reason), or a path that names nothing (404), is
 * "no longer valid" and nothing more.
 */
import { ApiError, getUntyped, type Document } from '../../shared/api';
import { Notice } from '../../shared/layout';
import { useLoad } from '../../shared/load';
import { DocumentView } from '../document-view';
import { useSession } from '../session';
import { Failure, Loading, useTitle } from './common';

export function SharedDocument({ params }: { params: { token: string } }) {
  const { t, config } = useSession();
  const doc = useLoad(params.token, () => getUntyped<Document>(config.apiUrl, `/shared/${encodeURIComponent(params.token)}`));
  const dead = doc.state === 'failed' && doc.error instanceof ApiError && [404, 410].includes(doc.error.status);
  useTitle(doc.state === 'done' ? doc.data.name : dead ? t.shared.invalidTitle : undefined);
  if (doc.state === 'loading') return <Loading />;
  if (dead)
    return (
      <Notice title={t.shared.invalidTitle}>
        <p>{t.shared.invalid}</p>
      </Notice>
    );
  if (doc.state === 'failed') return <Failure error={doc.error} />;
  return <DocumentView doc={doc.data} t={t} />;
}
