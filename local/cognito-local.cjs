#!/usr/bin/env node
// cognito-local (`cognito-local/lib/bin/start.js`) with the one admin call it lacks and the handlers
// rely on: `AdminUserGlobalSignOut`. cognito-local answers it `Unsupported`, so locally a login's
// refresh tokens outlived every sign-out — and an archived contact's refresh token, used after a new
// contact of another company adopted its login and accepted, minted tokens that the portal took for
// the new contact (their `iat` is fresh). As in Cognito, the call ends every refresh token of the
// user (cognito-local finds a refresh token's user by the user's `RefreshTokens` list); access tokens
// already issued live on until they expire, as there (the portal's access-record check refuses them).
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

require('cognito-local/lib/bin/start.js');
