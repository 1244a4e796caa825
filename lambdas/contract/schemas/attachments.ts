import * as z from 'zod';
import { lazy, type Infer } from './lazy';
import { ATTACHMENT_CONTENT_TYPES, fileNameProblem, MAX_ATTACHMENT_BYTES, MAX_FILE_NAME_LENGTH, MIN_ATTACHMENT_BYTES } from '../attachment-types';
import { id, isoDateTime, jsonNumber } from './common';
import { characterCount } from '../text';
import { document, documentId, documentType } from './documents';

export const attachmentContentType = lazy(() => z.enum(ATTACHMENT_CONTENT_TYPES));

export const createAttachmentBody = lazy(() =>
  z
    .strictObject({
      // Checked against the content type below (its extension, its characters).
      fileName: z.string().max(MAX_FILE_NAME_LENGTH).meta({ description: 'No control or bidirectional characters, no / or \\, an extension that fits contentType' }),
      contentType: attachmentContentType(),
      size: jsonNumber().int().min(MIN_ATTACHMENT_BYTES).max(MAX_ATTACHMENT_BYTES),
    })
    .superRefine((body, ctx) => {
      // Already refused by its max, once is enough; counted as the max counts (characters, not UTF-16 units),
      // or a name of 101–200 characters such as emoji would skip every check below.
      if (characterCount(body.fileName) > MAX_FILE_NAME_LENGTH) return;
      const problem = fileNameProblem(body.fileName, body.contentType);
      if (problem) ctx.addIssue({ code: 'custom', path: ['fileName'], message: problem });
    }),
);
export type CreateAttachmentInput = Infer<typeof createAttachmentBody>;

export const attachmentPath = lazy(() => z.strictObject({ type: documentType(), id: documentId(), attachmentId: id() }));

export const attachment = lazy(() =>
  z
    .object({ id: id(), fileName: z.string(), contentType: attachmentContentType(), size: jsonNumber().int() })
    .meta({ id: 'Attachment' }),
);
export type Attachment = Infer<typeof attachment>;

export const uploadTicket = lazy(() =>
  z.object({
    id: id(),
    /** A presigned PUT: send the file as the body, with exactly `uploadHeaders` (and its own length). */
    uploadUrl: z.string(),
    expiresAt: isoDateTime(),
    uploadHeaders: z.record(z.string(), z.string()),
  }),
);
export type UploadTicket = Infer<typeof uploadTicket>;

export const attachmentList = lazy(() =>
  z.object({
    items: z.array(attachment()),
    /** Uploads announced but not completed yet (not shown in the portal); each can still be completed or deleted. */
    pending: z.array(attachment().extend({ expiresAt: isoDateTime() })),
  }),
);
export type AttachmentList = Infer<typeof attachmentList>;

export const download = lazy(() => z.object({ url: z.string(), expiresAt: isoDateTime() }));
export type Download = Infer<typeof download>;

export const portalDocument = lazy(() => document().extend({ attachments: z.array(attachment()) }).meta({ id: 'PortalDocument' }));
export type PortalDocument = Infer<typeof portalDocument>;
