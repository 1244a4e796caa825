/** `GET /documents/{type}/{id}/access`: who sees a document now, with every reason. */
import * as z from 'zod';
import { lazy, type Infer } from './lazy';
import { reason } from './access';
import { id, page } from './common';
import { portalStatus } from './contacts';

export const documentAccessEntry = lazy(() =>
  z
    .object({ contactId: id(), name: z.string(), status: portalStatus(), reasons: z.array(reason()) })
    .meta({ id: 'DocumentAccess' }),
);
export type DocumentAccessEntry = Infer<typeof documentAccessEntry>;

export const documentAccessPage = lazy(() => page(documentAccessEntry()));
