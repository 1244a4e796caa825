import * as z from 'zod';
import { ATTACHMENT_CONTENT_TYPES, fileNameProblem, MAX_ATTACHMENT_BYTES, MAX_FILE_NAME_LENGTH, MIN_ATTACHMENT_BYTES } from '../attachment-types';
import { id, isoDateTime } from './common';
import { document, documentId, documentType } from './documents';

export const attachmentContentType = z.enum(ATTACHMENT_CONTENT_TYPES);

export const createAttachmentBody = z
  .strictObject({
    // Checked against the content type below (its extension, its characters).
    fileName: z.string().max(MAX_FILE_NAME_LENGTH).meta({ description: 'No control or bidirectional characters, no / or \\, an extension that fits contentType' }),
    contentType: attachmentContentType,
    size: z.number().int().min(MIN_ATTACHMENT_BYTES).max(MAX_ATTACHMENT_BYTES),
  })
  .superRefine((body, ctx) => {
    if (body.fileName.length > MAX_FILE_NAME_LENGTH) return; // already refused by its max, once is enough
    const problem = fileNameProblem(body.fileName, body.contentType);
    if (problem) ctx.addIssue({ code: 'custom', path: ['fileName'], message: problem });
  });
export type CreateAttachmentInput = z.infer<typeof createAttachmentBody>;

export const attachmentPath = z.strictObject({ type: documentType, id: documentId, attachmentId: id });

export const attachment = z
  .object({ id, fileName: z.string(), contentType: attachmentContentType, size: z.number().int() })
  .meta({ id: 'Attachment' });
export type Attachment = z.infer<typeof attachment>;

export const uploadTicket = z.object({
  id,
  /** A presigned PUT: send the file as the body, with exactly `uploadHeaders` (and its own length). */
  uploadUrl: z.string(),
  expiresAt: isoDateTime,
  uploadHeaders: z.record(z.string(), z.string()),
});
export type UploadTicket = z.infer<typeof uploadTicket>;

export const attachmentList = z.object({
  items: z.array(attachment),
  /** Uploads announced but not completed yet (not shown in the portal); each can still be completed or deleted. */
  pending: z.array(attachment.extend({ expiresAt: isoDateTime })),
});
export type AttachmentList = z.infer<typeof attachmentList>;

export const download = z.object({ url: z.string(), expiresAt: isoDateTime });
export type Download = z.infer<typeof download>;

export const portalDocument = document.extend({ attachments: z.array(attachment) }).meta({ id: 'PortalDocument' });
export type PortalDocument = z.infer<typeof portalDocument>;
