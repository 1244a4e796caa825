/**
 * The user pools' facts that the API, the CDK pools and the local pools must agree on: the staff
 * group the API requires, and the customer pool's password policy (checked by the domain too,
 * because the local Cognito emulator does not enforce it).
 */

/** Staff must be in this group (matched exactly) to call the staff routes. */
export const STAFF_GROUP = 'portal-admins';

export const PASSWORD_POLICY = { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true } as const;

/** How long a temporary password (set by an admin) stays valid. */
export const TEMPORARY_PASSWORD_DAYS = 7;

export const PASSWORD_REFUSED =
  `The password must have at least ${PASSWORD_POLICY.minLength} characters, with a lower-case and an upper-case letter, a digit and a symbol.`;

export const meetsPasswordPolicy = (password: string): boolean =>
  password.length >= PASSWORD_POLICY.minLength && /[a-z]/.test(password) && /[A-Z]/.test(password) && /[0-9]/.test(password) && /[^A-Za-z0-9]/.test(password);
