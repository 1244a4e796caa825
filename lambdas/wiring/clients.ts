/**
 * The AWS clients: the only place that builds them. One of each per container, on first use; the
 * endpoints come from the SDK's own AWS_ENDPOINT_URL_* variables (the local stack points them at
 * its emulators). A bundle carries only the clients its wiring uses: the HTTP functions the table
 * and the light Cognito client, the outbox worker SES and EventBridge too.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { env } from '../contract/env';
import { cognitoApi, type CognitoApi } from '../adapters/cognito/cognito-api';
import { perContainer } from './container';

/**
 * The clients' logger has no `info`: the SDK's logger middleware then skips building a redacted
 * copy of every request and response (its default no-op logger has an `info`, so the copy is made
 * and thrown away: ~0.15 ms of CPU per call, 2 calls a portal page). Its own `debug`, `warn` and
 * `error` calls are not ours to log either (our code logs what a failure means).
 */
export const SDK_LOGGER = { trace() {}, debug() {}, warn() {}, error() {} } as unknown as NonNullable<ConstructorParameters<typeof DynamoDBClient>[0]>['logger'];

let dynamo: DynamoDBDocumentClient | undefined;

/** The single table: its document client and its name (`TABLE_NAME`). */
export function table(): { db: DynamoDBDocumentClient; name: string } {
  dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3, logger: SDK_LOGGER }), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { db: dynamo, name: env('tableName') };
}

/** The user pools' admin API (both pools: the staff-rights check and the customer logins); tests `use` a fake. */
export const cognitoClient = perContainer((): CognitoApi => {
  // The SDK's own variables, read as the SDK would: the region, and an endpoint override (the local emulator).
  const endpoint = process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER || process.env.AWS_ENDPOINT_URL || undefined;
  return cognitoApi({ region: process.env.AWS_REGION ?? 'eu-west-1', credentials: fromEnv(), ...(endpoint ? { endpoint } : {}) });
});
