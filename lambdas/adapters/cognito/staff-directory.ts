/**
 * The staff pool as the staff-rights check reads it — whether a user exists and is enabled (with its
 * `sub`), and its groups — and as the invitation mails read it: a user's name and email, and
 * whether it is a portal admin still.
 */
import { STAFF_GROUP } from '../../contract/identity';
import type { StaffProfile, StaffProfiles } from '../../domain/portal-access/ports';
import type { StaffAccount, StaffDirectory } from '../../domain/staff-rights';
import type { CognitoApi } from './cognito-api';

const nameOf = (error: unknown) => (error as { name?: string } | undefined)?.name;

/** Pages of groups a user may be in: a staff user has a handful; more than this many pages is not a staff user. */
const MAX_GROUP_PAGES = 5;

export class CognitoStaffDirectory implements StaffDirectory {
  readonly #cognito: CognitoApi;
  readonly #poolId: string;

  constructor(cognito: CognitoApi, poolId: string) {
    [this.#cognito, this.#poolId] = [cognito, poolId];
  }

  async account(username: string): Promise<StaffAccount | undefined> {
    let user: { Enabled?: boolean; UserAttributes?: { Name?: string; Value?: string }[] };
    try {
      user = await this.#cognito.call('AdminGetUser', { UserPoolId: this.#poolId, Username: username });
    } catch (error) {
      if (nameOf(error) === 'UserNotFoundException') return undefined;
      throw error;
    }
    const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value ?? '';
    return { sub, enabled: user.Enabled !== false, groups: await groupsOf(this.#cognito, this.#poolId, username) };
  }
}

/** The groups a staff user is in (`AdminListGroupsForUser`, page by page). */
async function groupsOf(cognito: CognitoApi, UserPoolId: string, username: string): Promise<string[]> {
  const groups: string[] = [];
  let NextToken: string | undefined;
  for (let page = 0; page < MAX_GROUP_PAGES; page++) {
    const out = await cognito.call<{ Groups?: { GroupName?: string }[]; NextToken?: string }>('AdminListGroupsForUser', {
      UserPoolId,
      Username: username,
      ...(NextToken ? { NextToken } : {}),
    });
    groups.push(...(out.Groups ?? []).flatMap((g) => (g.GroupName ? [g.GroupName] : [])));
    NextToken = out.NextToken;
    if (!NextToken) break;
  }
  return groups;
}

/** How long a staff user's name and email are reused: an apply of 500 lines asks the pool once. */
const PROFILE_FOR_MS = 60_000;
const MAX_PROFILES = 1_000;

/** The staff pool as the invitation mails read it: a user's name, verified email, locale and whether it is a portal admin still, briefly remembered. */
export class CognitoStaffProfiles implements StaffProfiles {
  readonly #cognito: CognitoApi;
  readonly #poolId: string;
  readonly #seen = new Map<string, { at: number; profile: Promise<StaffProfile | undefined> }>();

  constructor(cognito: CognitoApi, poolId: string) {
    [this.#cognito, this.#poolId] = [cognito, poolId];
  }

  profile(username: string, { fresh = false }: { fresh?: boolean } = {}): Promise<StaffProfile | undefined> {
    const seen = this.#seen.get(username);
    if (seen && !fresh && Date.now() - seen.at < PROFILE_FOR_MS) return seen.profile;
    if (this.#seen.size >= MAX_PROFILES) this.#seen.clear();
    const profile = this.#read(username);
    this.#seen.set(username, { at: Date.now(), profile });
    // A failed look-up is not remembered: the next mail asks again.
    profile.catch(() => this.#seen.delete(username));
    return profile;
  }

  async #read(username: string): Promise<StaffProfile | undefined> {
    let user: { Enabled?: boolean; UserAttributes?: { Name?: string; Value?: string }[] };
    try {
      user = await this.#cognito.call('AdminGetUser', { UserPoolId: this.#poolId, Username: username });
    } catch (error) {
      if (nameOf(error) === 'UserNotFoundException') return undefined;
      throw error;
    }
    const attribute = (name: string) => user.UserAttributes?.find((a) => a.Name === name)?.Value?.trim() || undefined;
    // Only a verified address: an unverified one may be a typo, or anyone's (notices name customers).
    const [name, locale] = [attribute('name'), attribute('locale')];
    const email = attribute('email_verified') === 'true' ? attribute('email') : undefined;
    const portalAdmin = user.Enabled !== false && (await groupsOf(this.#cognito, this.#poolId, username)).includes(STAFF_GROUP);
    return { ...(name ? { name } : {}), ...(email ? { email } : {}), ...(locale ? { locale } : {}), portalAdmin };
  }
}
