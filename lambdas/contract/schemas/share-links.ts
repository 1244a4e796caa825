import * as z from 'zod';
import { lazy, type Infer } from './lazy';
import { MAX_LINK_VIEWS } from '../share-links';
import { id, isoDateTime, jsonNumber } from './common';
import { documentId, documentType } from './documents';

export const linkId = id;

export const createLinkBody = lazy(() =>
  z.strictObject({
    /** The recipient: the link dies when that contact is archived. */
    contactId: id().optional(),
    /** In the future, at most 90 days ahead; 30 days by default. */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    maxViews: jsonNumber().int().min(1).max(MAX_LINK_VIEWS).optional(),
  }),
);
export type CreateLinkInput = Infer<typeof createLinkBody>;

export const createdLink = lazy(() =>
  z
    .object({ id: linkId(), url: z.string(), expiresAt: isoDateTime(), maxViews: jsonNumber().int().optional(), views: z.number().int() })
    .meta({ id: 'CreatedShareLink' }),
);

export const shareLink = lazy(() =>
  z
    .object({
      id: linkId(),
      contactId: id().optional(),
      createdBy: z.string(),
      createdAt: isoDateTime(),
      expiresAt: isoDateTime(),
      maxViews: jsonNumber().int().optional(),
      views: z.number().int(),
      revokedAt: isoDateTime().optional(),
      live: z.boolean().meta({ description: "Whether the link opens its document now: not revoked, expired or used up, its document still the customer's it was made for, and its recipient not archived since." }),
    })
    .meta({ id: 'ShareLink' }),
);
export type ShareLinkView = Infer<typeof shareLink>;

export const linkList = lazy(() => z.object({ items: z.array(shareLink()) }));

export const linkPath = lazy(() => z.strictObject({ type: documentType(), id: documentId(), linkId: linkId() }));

/**
 * The token is looked up, never parsed: any value (a malformed one too) that names no live link is
 * the one 410, so the answer says nothing about why.
 */
export const sharedPath = lazy(() => z.strictObject({ token: z.string() }));
export const sharedAttachmentPath = lazy(() => z.strictObject({ token: z.string(), attachmentId: id() }));
