/**
 * The staff-rights check of every function that serves staff routes: the staff pool behind it
 * (STAFF_USER_POOL_ID), the window from STAFF_RECHECK_SECONDS (default 30, at most 60), built once
 * per container, on first use. The entry points hand it to their `httpFunction`.
 */
import { env, envOr } from '../contract/env';
import { staffRights } from '../domain/staff-rights';
import { log } from '../platform/log';
import { CognitoStaffDirectory } from '../adapters/cognito/staff-directory';
import { cognitoClient } from './clients';
import { perContainer } from './container';

const DEFAULT_WINDOW_SECONDS = '30';
const MAX_SECONDS = 60;

const staffRightsCheck = perContainer(() => {
  const seconds = Number(envOr('staffRecheckSeconds', DEFAULT_WINDOW_SECONDS));
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SECONDS) throw new Error(`STAFF_RECHECK_SECONDS must be a number of seconds in (0, ${MAX_SECONDS}]`);
  return staffRights({
    directory: new CognitoStaffDirectory(cognitoClient(), env('staffUserPoolId')),
    windowMs: seconds * 1000,
    // A pool that does not answer: an earlier "yes" holds for two windows, never beyond 60 s.
    graceMs: Math.min(2 * seconds, MAX_SECONDS) * 1000,
    warn: log.warn,
  });
});

/** For `httpFunction`'s `staffRights` option: the check, built on its first use. */
export const verifyStaffRights = (username: string, sub: string): Promise<void> => staffRightsCheck()(username, sub);
