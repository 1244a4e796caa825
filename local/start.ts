/**
 * `npm start`: the whole stack on loopback — DynamoDB Local, cognito-local, aws-ses-v2-local, the
 * PutEvents endpoint, the API server running the real Lambda handlers, the web apps (built if
 * needed) each on its own origin, and the hosted-UI stand-in — then `.local/stack.json` and a banner. Ctrl-C (SIGINT/SIGTERM) stops every child process. `--help` lists the options.
 */
import fs from 'node:fs';
import type http from 'node:http';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ENV } from '../lambdas/contract/env';
import { DEFAULT_MAIL_RATE_PER_SECOND } from '../lambdas/contract/outbox';
import { FUNCTIONS } from '../lambdas/contract/routes';
import { ensurePools, type Pools } from './cognito';
import { ensureTable, streamArnOf } from './dynamodb';
import { startWeb, type Web } from './web';
import { assertPortFree, startEmulators, type Emulators } from './emulators';
import { LOCAL_CREDENTIALS, parseOptions, type LocalOptions } from './options';
import { removeStackFile, writeStackFile, type StackInfo } from './stack-file';
import { readState, writeState } from './state';

const NAME = 'portal-access-local';
/** Who the local invitations come from (`BUSINESS_NAME`), as cdk.json's `businessName`. */
const LOCAL_BUSINESS_NAME = 'Example Business';
const ATTACHMENTS_BUCKET_NAME = `${NAME}-attachments`;
const CREDENTIALS = LOCAL_CREDENTIALS;

/** The environment the handlers read (set before any handler is imported), as the CDK stack sets it in AWS. */
function setHandlerEnvironment(options: LocalOptions, emulators: Emulators, eventsEndpoint: string, portalUrl: string, pools: Pools): void {
  const env = process.env;
  Object.assign(env, {
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    // LOCAL_DYNAMODB_ENDPOINT: the handlers' table calls go there instead (the fault tests' proxy; the stream poller reads DynamoDB Local itself).
    AWS_ENDPOINT_URL_DYNAMODB: env.LOCAL_DYNAMODB_ENDPOINT || emulators.dynamodb.url,
    // LOCAL_COGNITO_ENDPOINT: the handlers' user-pool calls go there instead (the fault tests' proxy; tokens are still verified against the emulator, as API Gateway keeps its keys).
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: env.LOCAL_COGNITO_ENDPOINT || emulators.cognito.url,
    // LOCAL_SES_ENDPOINT: the handlers' mail goes there instead (the fault tests put a failing proxy in front of the emulator).
    AWS_ENDPOINT_URL_SESV2: env.LOCAL_SES_ENDPOINT || emulators.ses.url,
    // LOCAL_EVENTS_ENDPOINT: the handlers' PutEvents go there instead (the fault tests' proxy in front of the endpoint).
    AWS_ENDPOINT_URL_EVENTBRIDGE: env.LOCAL_EVENTS_ENDPOINT || eventsEndpoint,
    // LOCAL_S3_ENDPOINT: the handlers' S3 requests and presigned URLs go there instead (the fault tests' proxy in front of the emulator).
    AWS_ENDPOINT_URL_S3: env.LOCAL_S3_ENDPOINT || emulators.s3.url,
    [ENV.attachmentsBucket]: emulators.s3.bucket,
    [ENV.tableName]: NAME,
    [ENV.customerUserPoolId]: pools.customerUserPoolId,
    [ENV.staffUserPoolId]: pools.staffUserPoolId,
    [ENV.senderEmail]: env[ENV.senderEmail] || 'portal@example.com',
    [ENV.replyToEmail]: env[ENV.replyToEmail] || 'support@example.com',
    [ENV.sesConfigurationSet]: env[ENV.sesConfigurationSet] || NAME,
    [ENV.portalUrl]: env[ENV.portalUrl] || portalUrl,
    [ENV.eventBusName]: NAME,
    [ENV.invitationTtlDays]: env[ENV.invitationTtlDays] || '7',
    [ENV.mailRatePerSecond]: env[ENV.mailRatePerSecond] || String(DEFAULT_MAIL_RATE_PER_SECOND),
    // INVITATION_TTL_SECONDS and REMINDER_AFTER_SECONDS, when set, are read as they are (seconds: the lifecycle in real time).
    [ENV.businessName]: env[ENV.businessName] || LOCAL_BUSINESS_NAME,
  });
  // --quiet: no line per request from the handlers either (a LOG_LEVEL of the caller's wins).
  if (options.quiet) env.LOG_LEVEL ??= 'WARN';
  // Never a real AWS profile or session against the emulators.
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

function banner(info: StackInfo, options: LocalOptions, seconds: string, scheduleSeconds: number): string {
  const rows: [string, string][] = [
    ['API', info.apiUrl],
    ['OpenAPI', `${info.apiUrl}/openapi.json`],
    ['Customer portal', info.portalUrl],
    ...(info.adminUrl ? [['Admin console', `${info.adminUrl}  (sign in as ${info.admin.username} / ${info.admin.password})`] as [string, string]] : []),
    ['Hosted UI (local)', `${info.hostedUiUrl}  (sign-in for both pools)`],
    ['Mail (SES viewer)', `${info.sesEndpoint}/  (JSON: ${info.sesEndpoint}/store)`],
    ['Events (PutEvents)', `${info.eventsEndpoint}  (received: /events, dead letters: /dlq, outbox dead letters: /outbox/dlq)`],
    ['Scheduled job', `every ${scheduleSeconds} s (expiries, invitation reminders; SCHEDULE_EVERY_SECONDS)`],
    ['DynamoDB Local', `${info.dynamodbEndpoint}  table ${info.tableName}`],
    ['S3 (attachments)', `${info.s3Endpoint}  bucket ${info.attachmentsBucket}`],
    ['Cognito (local)', `${info.cognitoEndpoint}  staff ${info.staffUserPoolId} / ${info.staffClientId}, customers ${info.customerUserPoolId} / ${info.customerClientId}`],
    ['Staff admin', `${info.admin.username} / ${info.admin.password}`],
    ['Stack file', options.stackFile],
    ['Data', `${options.dataDir}  (--fresh to start empty)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`\nPortal Access — local stack ready in ${seconds} s`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), '  Ctrl-C stops everything.\n'].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  // Node 20 here, 22 in Lambda: the SDK's advance notice about Node 20 is noise in every local log.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseOptions(process.argv.slice(2));
  // Before anything is deleted: `--fresh` must not wipe the data of a stack that is running on these ports.
  try {
    for (const [port, what] of [
      [options.apiPort, 'API'],
      [options.eventsPort, 'events endpoint'],
      [options.dynamodbPort, 'DynamoDB Local'],
      [options.cognitoPort, 'cognito-local'],
      [options.sesPort, 'aws-ses-v2-local'],
      [options.s3Port, 'S3 emulator'],
      [options.portalPort, 'customer portal'],
      [options.adminPort, 'admin console'],
      [options.hostedUiPort, 'hosted UI stand-in'],
    ] as const)
      await assertPortFree(options.host, port, what);
  } catch (error) {
    console.error(`The local stack could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  if (options.fresh) fs.rmSync(options.dataDir, { recursive: true, force: true });
  fs.mkdirSync(options.dataDir, { recursive: true });
  removeStackFile(options.stackFile);

  const apiUrl = `http://${options.host}:${options.apiPort}`;
  const eventsEndpoint = `http://${options.host}:${options.eventsPort}`;
  const portalUrl = `http://${options.host}:${options.portalPort}`;
  // The web apps build (when their inputs changed) while the emulators start.
  const { buildApps } = await import('../web/build/build');
  const builds = buildApps({ ifNeeded: true, quiet: true });
  builds.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const servers: http.Server[] = [];
  let emulators: Emulators | undefined;
  let outbox: { stop(): Promise<void> } | undefined;
  let stopSchedule: (() => Promise<void>) | undefined;
  let web: Web | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    removeStackFile(options.stackFile);
    await stopSchedule?.().catch(() => undefined);
    servers.forEach((s) => s.closeAllConnections?.());
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await outbox?.stop();
    await web?.stop();
    await emulators?.stop();
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
  // A parent killed outright (SIGKILL, a test runner's timeout) sends no signal: notice it, and take the emulators down too.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && void stop(0), 1000).unref();

  try {
    emulators = await startEmulators(options, ATTACHMENTS_BUCKET_NAME);
    const emulatorsUp = Date.now();
    const dynamodb = new DynamoDBClient({ region: options.region, endpoint: emulators.dynamodb.url, credentials: CREDENTIALS });
    const cognito = new CognitoIdentityProviderClient({ region: options.region, endpoint: emulators.cognito.url, credentials: CREDENTIALS });
    const state = readState(options.dataDir);
    const [, pools] = await Promise.all([ensureTable(dynamodb, NAME), ensurePools(cognito, state)]);
    const { admin, ...ids } = pools;
    writeState(options.dataDir, { ...ids, adminPassword: admin.password });
    setHandlerEnvironment(options, emulators, eventsEndpoint, portalUrl, pools);
    // A bad INVITATION_TTL_SECONDS, REMINDER_AFTER_SECONDS, BUSINESS_NAME or EXPIRED_GRANT_KEPT_SECONDS says so now, not at the first grant.
    const settings = await import('../lambdas/wiring/settings');
    settings.mailConfig();
    settings.expiredGrantKeptSeconds();
    const seeded = Date.now();

    // Imported only now: the handlers they load read the environment set above.
    const { createApiServer } = await import('./server');
    const { createEventsServer } = await import('./events-endpoint');
    const { poolAuthorizer } = await import('./jwt');
    // The outbox worker, fed by the table's stream as in AWS (LOCAL_FAULTS=1: the fault tests' switches).
    const { startLocalOutbox } = await import('./outbox');
    const localOutbox = await startLocalOutbox({
      endpoint: emulators.dynamodb.url,
      region: options.region,
      credentials: CREDENTIALS,
      streamArn: await streamArnOf(dynamodb, NAME),
      dataDir: options.dataDir,
      functionName: `${NAME}-outbox`,
      faults: process.env.LOCAL_FAULTS === '1',
    });
    outbox = localOutbox;
    let built;
    try {
      built = await builds;
    } catch (error) {
      throw new Error(`the web apps did not build (npm run web:build shows why): ${error instanceof Error ? error.message : String(error)}`);
    }
    // The console's presigned uploads go to the S3 emulator (its CSP names it), which lets the console's origin in (CORS), as the API's admin routes do.
    web = await startWeb({ options, apiUrl, portalUrl, cognitoEndpoint: emulators.cognito.url, pools, apps: built.map((b) => b.app), uploadOrigins: [emulators.s3.url] });
    emulators.s3.allowOrigins(web.corsOrigins.admin);
    const api = createApiServer({
      authorizers: {
        staff: poolAuthorizer(emulators.cognito.url, pools.staffUserPoolId, [pools.staffClientId]),
        customer: poolAuthorizer(emulators.cognito.url, pools.customerUserPoolId, [pools.customerClientId]),
      },
      origins: web.corsOrigins,
      functionPrefix: NAME,
      quiet: options.quiet,
    });
    const events = createEventsServer({
      eventBusName: NAME,
      region: options.region,
      functionName: `${NAME}-events`,
      // The one the handlers send through (set above): SES feedback naming another set is not ours.
      mailConfigurationSet: process.env[ENV.sesConfigurationSet] ?? NAME,
      extraRoutes: localOutbox.routes,
    });
    servers.push(api, events);
    await listen(events, options.eventsPort, options.host);
    await listen(api, options.apiPort, options.host);
    // The scheduled job (expiries), as EventBridge's rate rule runs it in AWS, but every few seconds.
    const { startScheduleRunner, scheduleEverySeconds } = await import('./schedule-runner');
    const schedule = startScheduleRunner({ region: options.region, functionName: `${NAME}-schedule`, everySeconds: scheduleEverySeconds() });
    stopSchedule = () => schedule.stop();

    const info: StackInfo = {
      apiUrl,
      region: options.region,
      tableName: NAME,
      dynamodbEndpoint: emulators.dynamodb.url,
      cognitoEndpoint: emulators.cognito.url,
      sesEndpoint: emulators.ses.url,
      eventsEndpoint,
      eventBusName: NAME,
      sesConfigurationSet: process.env[ENV.sesConfigurationSet] ?? NAME,
      s3Endpoint: emulators.s3.url,
      attachmentsBucket: emulators.s3.bucket,
      adminOrigins: web.corsOrigins.admin,
      staffUserPoolId: pools.staffUserPoolId,
      staffClientId: pools.staffClientId,
      customerUserPoolId: pools.customerUserPoolId,
      customerClientId: pools.customerClientId,
      admin: pools.admin,
      portalUrl,
      ...(web.adminUrl ? { adminUrl: web.adminUrl } : {}),
      hostedUiUrl: web.hostedUiUrl,
    };
    writeStackFile(options.stackFile, info);
    const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(1);
    console.log(banner(info, options, seconds(started, Date.now()), scheduleEverySeconds()));
    console.log(`  (emulators ${seconds(started, emulatorsUp)} s, table and pools ${seconds(emulatorsUp, seeded)} s, API ${seconds(seeded, Date.now())} s)\n`);
    // Compile the handlers now rather than on their first request (a missing one is simply skipped).
    const { handlerOf } = await import('./handlers');
    for (const fn of FUNCTIONS) await handlerOf(fn).catch((error: unknown) => console.error(`local api: the ${fn} handlers do not load`, error));
    if (options.demo) {
      const { runDemo, demoBanner } = await import('./demo');
      // The stack stays up even if the demo fails: say why in one line.
      await runDemo(info).then(
        (result) => console.log(demoBanner(info, result)),
        (error: unknown) => console.error(`The demo data could not be made: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  } catch (error) {
    console.error(`The local stack could not start: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
  }
}

void main();
