/**
 * The staff pool as the staff-rights check reads it: whether a user exists and is enabled (with its
 * `sub`), and its groups.
 */
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
    const UserPoolId = this.#poolId;
    let user: { Enabled?: boolean; UserAttributes?: { Name?: string; Value?: string }[] };
    try {
      user = await this.#cognito.call('AdminGetUser', { UserPoolId, Username: username });
    } catch (error) {
      if (nameOf(error) === 'UserNotFoundException') return undefined;
      throw error;
    }
    const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value ?? '';
    const groups: string[] = [];
    let NextToken: string | undefined;
    for (let page = 0; page < MAX_GROUP_PAGES; page++) {
      const out = await this.#cognito.call<{ Groups?: { GroupName?: string }[]; NextToken?: string }>('AdminListGroupsForUser', {
        UserPoolId,
        Username: username,
        ...(NextToken ? { NextToken } : {}),
      });
      groups.push(...(out.Groups ?? []).flatMap((g) => (g.GroupName ? [g.GroupName] : [])));
      NextToken = out.NextToken;
      if (!NextToken) break;
    }
    return { sub, enabled: user.Enabled !== false, groups };
  }
}
