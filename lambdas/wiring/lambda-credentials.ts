/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias, see
 * lib/bundling.ts), and gives our own clients their credentials. Lambda always hands the execution
 * role's credentials to the function in its environment, so the full default chain (SSO, INI files,
 * STS web identity, IMDS — and the nested STS/SSO clients they carry, ~110 KB minified per bundle) is
 * dead weight on a cold start. The local stack sets credentials in the environment too.
 * The SDK's `fromEnv` reads the same variables, but brings ~20 KB of `@aws-sdk/core` and
 * `@smithy/core` (endpoint partitions, INI parsing) with it: these few lines do what it does.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION, read on each call. */
export const defaultProvider =
  (): AwsCredentialIdentityProvider =>
  async (): Promise<AwsCredentialIdentity> => {
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken, AWS_CREDENTIAL_EXPIRATION: expiry } = process.env;
    if (!accessKeyId || !secretAccessKey) {
      // The SDK's own error for it: a provider chain would go on to its next link.
      throw Object.assign(new Error('Unable to find environment variable credentials.'), { name: 'CredentialsProviderError', tryNextLink: true });
    }
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}), ...(expiry ? { expiration: new Date(expiry) } : {}) };
  };
