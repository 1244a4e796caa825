/**
 * The customer pool's password policy: the CDK pools and the local pools are created with it, and
 * the domain checks it too, because the local Cognito emulator does not enforce it.
 */
export const PASSWORD_POLICY = { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true } as const;

/** How long a temporary password (set by an admin) stays valid. */
export const TEMPORARY_PASSWORD_DAYS = 7;

export const PASSWORD_REFUSED =
  `The password must have at least ${PASSWORD_POLICY.minLength} characters, with a lower-case and an upper-case letter, a digit and a symbol.`;

export const meetsPasswordPolicy = (password: string): boolean =>
  password.length >= PASSWORD_POLICY.minLength && /[a-z]/.test(password) && /[A-Z]/.test(password) && /[0-9]/.test(password) && /[^A-Za-z0-9]/.test(password);
