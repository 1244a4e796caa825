/**
 * The production wiring of the staff-rights check: the staff pool behind it, the window from the
 * environment (STAFF_RECHECK_SECONDS, default 30, at most 60), built once per container. Every
 * function that serves staff routes hands it to its `httpFunction`.
 */
import { envOr } from '../config';
import { staffRights } from '../domain/staff-rights';
import { log } from '../http-kit/log';
import { CognitoStaffDirectory } from './cognito/staff-directory';

const DEFAULT_WINDOW_SECONDS = '30';
const MAX_SECONDS = 60;

let check: ((username: string, sub: string) => Promise<void>) | undefined;

function staffRightsCheck(): (username: string, sub: string) => Promise<void> {
  if (!check) {
    const seconds = Number(envOr('staffRecheckSeconds', DEFAULT_WINDOW_SECONDS));
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SECONDS) throw new Error(`STAFF_RECHECK_SECONDS must be a number of seconds in (0, ${MAX_SECONDS}]`);
    check = staffRights({
      directory: new CognitoStaffDirectory(),
      windowMs: seconds * 1000,
      // A pool that does not answer: an earlier "yes" holds for two windows, never beyond 60 s.
      graceMs: Math.min(2 * seconds, MAX_SECONDS) * 1000,
      warn: log.warn,
    });
  }
  return check;
}

/** For `httpFunction`'s `staffRights` option: the check, built on its first use. */
export const verifyStaffRights = (username: string, sub: string): Promise<void> => staffRightsCheck()(username, sub);
