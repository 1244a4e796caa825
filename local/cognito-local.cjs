#!/usr/bin/env node
// cognito-local (`cognito-local/lib/bin/start.js`) with two differences that bring it closer to Cognito.
//
// 1. The one admin call it lacks and the handlers rely on: `AdminUserGlobalSignOut`. cognito-local
// answers it `Unsupported`, so locally a login's refresh tokens outlived every sign-out — and an
// archived contact's refresh token, used after a new
// contact of another company adopted its login and accepted, minted tokens that the portal took for
// the new contact (their `iat` is fresh). As in Cognito, the call ends every refresh token of the
// user (cognito-local finds a refresh token's user by the user's `RefreshTokens` list); access tokens
// already issued live on until they expire, as there (the portal's access-record check refuses them).
//
// 2. A user found whatever the case of its name, as both pools of the stack are in AWS
// (`signInCaseSensitive: false`); cognito-local matches a name, and an email alias, exactly. The
// backend stores every login's name and email in lower case, so a name not found as given is looked
// up once more in lower case: `InitiateAuth` with `Alice@Example.com` signs in `alice@example.com`.
'use strict';
const { Targets } = require('cognito-local/lib/targets/targets');
const { UserNotFoundError } = require('cognito-local/lib/errors');

Targets.AdminUserGlobalSignOut =
  ({ cognito }) =>
  async (ctx, req) => {
    const userPool = await cognito.getUserPool(ctx, req.UserPoolId);
    const user = await userPool.getUserByUsername(ctx, req.Username);
    if (!user) throw new UserNotFoundError();
    await userPool.saveUser(ctx, { ...user, RefreshTokens: [] });
    return {};
  };

const { UserPoolServiceImpl } = require('cognito-local/lib/services/userPoolService');

const byName = UserPoolServiceImpl.prototype.getUserByUsername;
UserPoolServiceImpl.prototype.getUserByUsername = async function getUserByUsername(ctx, username) {
  const found = await byName.call(this, ctx, username);
  if (found || typeof username !== 'string' || username === username.toLowerCase()) return found;
  return byName.call(this, ctx, username.toLowerCase());
};

require('cognito-local/lib/bin/start.js');
