import * as z from 'zod';
import { lazy, type Infer } from './lazy';
import { accessSettingsOutput } from './access';
import { LANGUAGES } from '../languages';
import { cursor, email, id, isoDateTime, limit, page, text } from './common';

/** `expired`: the access reached its `until` (read so from that instant on, before any job marked it). */
export const portalStatus = lazy(() => z.enum(['none', 'invited', 'active', 'revoked', 'expired']));
export type PortalStatus = Infer<typeof portalStatus>;

/** The language of the mails the contact receives (its invitation, the reminder); none: English. */
export const lang = lazy(() => z.enum(LANGUAGES).describe('The language of the mails the contact receives (none: English).'));
/**
 * The invitation email's way: `queued` in the outbox, `sent` (SES accepted it), `failed` (refused for
 * good: see the line's `deliveryError`), then SES's feedback `bounced` / `complained`.
 */
export const delivery = lazy(() => z.enum(['queued', 'sent', 'failed', 'bounced', 'complained']));
export type Delivery = Infer<typeof delivery>;

export const contact = lazy(() =>
  z
    .object({
      id: id(),
      kind: z.enum(['person', 'company']),
      name: z.string(),
      email: z.string().optional(),
      phone: z.string().optional(),
      companyId: id().optional(),
      lang: lang().optional(),
      archived: z.boolean(),
      portal: z.object({
        status: portalStatus(),
        invitedAt: isoDateTime().optional(),
        activatedAt: isoDateTime().optional(),
        revokedAt: isoDateTime().optional(),
        delivery: delivery().optional(),
        ...accessSettingsOutput(),
      }),
      version: z.number().int(),
      createdAt: isoDateTime(),
      updatedAt: isoDateTime(),
    })
    .meta({
      id: 'Contact',
      examples: [
        {
          id: '0b7c6a52-5d1e-4a8e-9f3e-2f4c9d6b1a10',
          kind: 'person',
          name: 'Brandon Freeman',
          email: 'brandon.freeman@azure-interior.example',
          companyId: '4f1d2e3c-7a6b-4c5d-8e9f-0a1b2c3d4e5f',
          archived: false,
          portal: { status: 'active', invitedAt: '2026-11-20T09:12:00.000Z', activatedAt: '2026-11-20T10:03:00.000Z', delivery: 'sent' },
          version: 4,
          createdAt: '2026-11-20T09:00:00.000Z',
          updatedAt: '2026-11-20T10:03:00.000Z',
        },
      ],
    }),
);
export type Contact = Infer<typeof contact>;

const phone = lazy(() => text(50).refine((s) => /^[0-9+()./ -]{1,50}$/.test(s), 'must be a phone number'));

export const createContactBody = lazy(() =>
  z.strictObject({
    kind: z.enum(['person', 'company']),
    name: text(200),
    email: email().optional(),
    phone: phone().optional(),
    companyId: id().optional(),
    lang: lang().optional(),
  }),
);
export type CreateContactInput = Infer<typeof createContactBody>;

export const updateContactBody = lazy(() =>
  z.strictObject({
    name: text(200).optional(),
    email: email().nullable().optional(),
    phone: phone().nullable().optional(),
    companyId: id().nullable().optional(),
    lang: lang().nullable().optional(),
  }),
);
export type UpdateContactInput = Infer<typeof updateContactBody>;

export const listContactsQuery = lazy(() =>
  z.strictObject({
    companyId: id().optional(),
    q: text(200).optional(),
    portalStatus: portalStatus().optional().describe('Only contacts with this portal status; combinable with companyId, q and archived.'),
    archived: z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .optional()
      .describe('true: archived contacts only; false (the default): the others.'),
    cursor: cursor().optional(),
    limit: limit(),
  }),
);
export type ListContactsQuery = Infer<typeof listContactsQuery>;

export const contactPath = lazy(() => z.strictObject({ id: id() }));
export const ifMatchHeader = lazy(() => z.string().regex(/^(W\/)?"?\d{1,15}"?$/, 'must be a version number'));

export const contactPage = lazy(() => page(contact()));
