/**
 * The languages of the mails a contact receives (`lang` on a contact, the seed's two). Adding one is
 * its code here and its copy in lambdas/domain/portal-access/mail/ (the compiler asks for it).
 */
export const LANGUAGES = ['en', 'nl'] as const;
export type Language = (typeof LANGUAGES)[number];

/** What a contact without `lang` reads, and what an unknown language falls back to. */
export const DEFAULT_LANGUAGE: Language = 'en';

export const isLanguage = (value: unknown): value is Language => (LANGUAGES as readonly unknown[]).includes(value);
