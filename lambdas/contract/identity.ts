/** The staff pool's group that the API requires (matched exactly); the CDK pool and the local pool create it. */
export const STAFF_GROUP = 'portal-admins';

/** The audit trail's actor for a staff user — `staff:<username>` — and the username read back from one. */
export const staffActor = (username: string): string => `staff:${username}`;
export const staffUsernameOf = (actor: string | undefined): string | undefined =>
  actor?.startsWith('staff:') && actor.length > 'staff:'.length ? actor.slice('staff:'.length) : undefined;
