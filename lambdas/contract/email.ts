/**
 * Email addresses as they are stored, guarded and searched: trimmed, lower-cased, an ASCII local
 * part, an internationalised domain in punycode (SES sends to that form). One definition for the
 * schemas, the wizard's lines, contact search and SES feedback.
 */
import { domainToASCII } from 'node:url';

const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const ASCII = /^[\x00-\x7f]*$/;

export function normaliseEmail(raw: string): string | undefined {
  const value = raw.trim();
  const at = value.lastIndexOf('@');
  if (at <= 0 || value.indexOf('@') !== at) return undefined;
  // ASCII before the case changes: the Kelvin sign (U+212A) lower-cases to `k`.
  if (!ASCII.test(value.slice(0, at))) return undefined;
  const local = value.slice(0, at).toLowerCase();
  const domain = domainToASCII(value.slice(at + 1).toLowerCase());
  if (local.length > 64 || !LOCAL_PART.test(local)) return undefined;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l))) return undefined;
  const result = `${local}@${domain}`;
  return result.length <= 254 ? result : undefined;
}

/** Email search prefixes are normalised like stored emails: lower-case, an internationalised domain in punycode. */
export function emailPrefixOf(q: string): string {
  const value = q.trim().toLowerCase();
  const at = value.lastIndexOf('@');
  const domain = value.slice(at + 1);
  if (ASCII.test(domain)) return value;
  return `${value.slice(0, at + 1)}${domainToASCII(domain) || domain}`;
}
