/** The staff pool's group that the API requires (matched exactly); the CDK pool and the local pool create it. */
export const STAFF_GROUP = 'portal-admins';
