/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias, see
 * lib/bundling.ts). Lambda always hands the execution role's credentials to the function in its
 * environment, so the full default chain (SSO, INI files, STS web identity, IMDS — and the nested
 * STS/SSO clients they carry, ~110 KB minified per bundle) is dead weight on a cold start. The local
 * stack sets credentials in the environment too.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = () => fromEnv();
