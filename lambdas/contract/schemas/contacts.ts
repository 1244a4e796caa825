import * as z from 'zod';
import { accessSettingsOutput } from './access';
import { LANGUAGES } from '../languages';
import { cursor, email, id, isoDateTime, limit, page, text } from './common';

/** `expired`: the access reached its `until` (read so from that instant on, before any job marked it). */
export const portalStatus = z.enum(['none', 'invited', 'active', 'revoked', 'expired']);
export type PortalStatus = z.infer<typeof portalStatus>;

/** The language of the mails the contact receives (its invitation, the reminder); none: English. */
export const lang = z.enum(LANGUAGES).describe('The language of the mails the contact receives (none: English).');

export const contact = z
  .object({
    id,
    kind: z.enum(['person', 'company']),
    name: z.string(),
    email: z.string().optional(),
    phone: z.string().optional(),
    companyId: id.optional(),
    lang: lang.optional(),
    archived: z.boolean(),
    portal: z.object({
      status: portalStatus,
      invitedAt: isoDateTime.optional(),
      activatedAt: isoDateTime.optional(),
      revokedAt: isoDateTime.optional(),
      delivery: z.enum(['sent', 'bounced', 'complained']).optional(),
      ...accessSettingsOutput,
    }),
    version: z.number().int(),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .meta({ id: 'Contact' });
export type Contact = z.infer<typeof contact>;

const phone = text(50).refine((s) => /^[0-9+()./ -]{1,50}$/.test(s), 'must be a phone number');

export const createContactBody = z.strictObject({
  kind: z.enum(['person', 'company']),
  name: text(200),
  email: email.optional(),
  phone: phone.optional(),
  companyId: id.optional(),
  lang: lang.optional(),
});
export type CreateContactInput = z.infer<typeof createContactBody>;

export const updateContactBody = z.strictObject({
  name: text(200).optional(),
  email: email.nullable().optional(),
  phone: phone.nullable().optional(),
  companyId: id.nullable().optional(),
  lang: lang.nullable().optional(),
});
export type UpdateContactInput = z.infer<typeof updateContactBody>;

export const listContactsQuery = z.strictObject({
  companyId: id.optional(),
  q: text(200).optional(),
  cursor: cursor.optional(),
  limit,
});
export type ListContactsQuery = z.infer<typeof listContactsQuery>;

export const contactPath = z.strictObject({ id });
export const ifMatchHeader = z.string().regex(/^(W\/)?"?\d{1,15}"?$/, 'must be a version number');

export const contactPage = page(contact);
