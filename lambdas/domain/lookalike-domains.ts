/**
 * Look-alike email domains: a label that mixes Latin with Cyrillic, Greek or Armenian letters
 * (`pаypal.com` with a Cyrillic `а`) is how a lookalike of a known domain is made. The wizard flags
 * such an address on its line for the staff to look at twice; it refuses nothing (real domains in
 * those scripts exist). A label written wholly in one other script is not flagged.
 */
import { domainToUnicode } from 'node:url';

/** Scripts whose letters pass for Latin ones. */
const CONFUSABLE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u, /\p{Script=Armenian}/u];

export const LOOKALIKE_WARNING = 'The email domain mixes alphabets (Latin with Cyrillic, Greek or Armenian letters) and may imitate another domain.';

/** Whether a (normalised, punycode) email's domain has a label mixing confusable scripts. */
export function isLookalikeDomain(email: string): boolean {
  const domain = email.slice(email.lastIndexOf('@') + 1);
  // Stryker disable next-line ConditionalExpression,StringLiteral: a shortcut; an ASCII domain decodes to itself, a single script, and is not flagged below either.
  if (!domain.includes('xn--')) return false; // pure ASCII: one script
  return domainToUnicode(domain)
    .split('.')
    .some((label) => CONFUSABLE_SCRIPTS.filter((script) => script.test(label)).length > 1);
}
