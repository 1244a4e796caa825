/**
 * The customer pool's password policy: the CDK pools and the local pools are created with it, and
 * the domain checks it too, because the local Cognito emulator does not enforce it.
 */
import { LONE_SURROGATE } from './text';

export const PASSWORD_POLICY = { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true } as const;

/** How long a temporary password (set by an admin) stays valid. */
export const TEMPORARY_PASSWORD_DAYS = 7;

export const PASSWORD_REFUSED =
  `The password must have at least ${PASSWORD_POLICY.minLength} characters, with a lower-case and an upper-case letter, a digit and a symbol (such as ! ? # - or a space inside), and no space at either end.`;

/** Cognito's symbols: only these (and a space that is neither first nor last) count as the policy's symbol. */
const SYMBOL = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/;
/**
 * Cognito refuses white space at either end and a line break anywhere (its pattern `^[\S]+.*[\S]+$`,
 * `\s` and `.` as Java reads them: `.` stops at U+0085, U+2028 and U+2029 too, refused here anywhere).
 */
const UNSETTABLE = /^[ \t\n\v\f\r]|[ \t\n\v\f\r]$|[\n\r\u0085\u2028\u2029]/;

export const meetsPasswordPolicy = (password: string): boolean =>
  password.length >= PASSWORD_POLICY.minLength &&
  !UNSETTABLE.test(password) &&
  // Half a surrogate pair has no UTF-8: no keyboard, nor the hosted UI's form, can send it again to sign in.
  !LONE_SURROGATE.test(password) &&
  /[a-z]/.test(password) &&
  /[A-Z]/.test(password) &&
  /[0-9]/.test(password) &&
  SYMBOL.test(password);
