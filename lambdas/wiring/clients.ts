/**
 * The AWS clients (our light DynamoDB, Cognito and S3 ones, and the SDK's): the only place that builds
 * them. One of each per container, with standard retries; the endpoints come from the SDK's own
 * AWS_ENDPOINT_URL_* variables (the local stack points them at its emulators). A bundle carries only
 * the clients its wiring uses: the HTTP functions the table, the light Cognito client and S3; the
 * outbox worker and the scheduled job SES and EventBridge too (worker-clients.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { env } from '../contract/env';
import { cognitoApi, type CognitoApi } from '../adapters/cognito/cognito-api';
import { LightDynamoDb, lightDocumentClient } from '../adapters/dynamodb/light-client';
import { S3Presigner, S3Requests, type S3Config } from '../adapters/s3/s3-client';
import { perContainer } from './container';
import { defaultProvider } from './lambda-credentials';

/**
 * The clients' logger has no `info`: the SDK's logger middleware then skips building a redacted
 * copy of every request and response (its default no-op logger has an `info`, so the copy is made
 * and thrown away: ~0.15 ms of CPU per call, 2 calls a portal page). Its own `debug`, `warn` and
 * `error` calls are not ours to log either (our code logs what a failure means).
 */
export const SDK_LOGGER = { trace() {}, debug() {}, warn() {}, error() {} } as unknown as NonNullable<ConstructorParameters<typeof DynamoDBClient>[0]>['logger'];

let s3: S3Requests | undefined;
let s3Signer: S3Presigner | undefined;

const MARSHALL = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;

/**
 * The single table's client (adapters/dynamodb/light-client.ts: the document client's commands
 * without the SDK's client), to the SDK's AWS_ENDPOINT_URL_DYNAMODB (set only locally) with the
 * environment's credentials. Tests `use` a document client of the SDK's (mocked) instead.
 */
export const tableClient = perContainer((): DynamoDBDocumentClient => {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB || process.env.AWS_ENDPOINT_URL || undefined;
  return lightDocumentClient(
    new LightDynamoDb({ region: process.env.AWS_REGION ?? 'us-east-1', credentials: defaultProvider(), maxAttempts: 3, marshallOptions: MARSHALL, ...(endpoint ? { endpoint } : {}) }),
  );
});

/** The single table: its client and its name (`TABLE_NAME`). */
export function table(): { db: DynamoDBDocumentClient; name: string } {
  return { db: tableClient(), name: env('tableName') };
}

/** The user pools' admin API (both pools: the staff-rights check and the customer logins); tests `use` a fake. */
export const cognitoClient = perContainer((): CognitoApi => {
  // The SDK's own variables, read as the SDK would: the region, and an endpoint override (the local emulator).
  const endpoint = process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER || process.env.AWS_ENDPOINT_URL || undefined;
  return cognitoApi({ region: process.env.AWS_REGION ?? 'eu-west-1', credentials: defaultProvider(), ...(endpoint ? { endpoint } : {}) });
});

/**
 * Our S3 client (adapters/s3/s3-client.ts, not the SDK's: see there): the region Lambda sets, the
 * endpoint from the SDK's own AWS_ENDPOINT_URL_S3 (set only locally), credentials from the environment.
 */
function s3Config(): S3Config {
  const endpoint = process.env.AWS_ENDPOINT_URL_S3;
  return { region: process.env.AWS_REGION ?? 'us-east-1', credentials: defaultProvider(), maxAttempts: 3, ...(endpoint ? { endpoint } : {}) };
}
/** Signed requests and presigned URLs (the documents function). */
export const s3Requests = (): S3Requests => (s3 ??= new S3Requests(s3Config()));
/** Presigned URLs only (the portal): a bundle without the requests. */
export const s3Presigner = (): S3Presigner => (s3Signer ??= new S3Presigner(s3Config()));
