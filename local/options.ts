/**
 * The local stack's settings: command-line flags win over environment variables, which win over the
 * defaults. Every port is settable so a second stack (the integration tests) can run beside a
 * developer's `npm start`.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';

export interface LocalOptions {
  readonly host: string;
  readonly apiPort: number;
  readonly dynamodbPort: number;
  readonly cognitoPort: number;
  readonly sesPort: number;
  readonly eventsPort: number;
  readonly s3Port: number;
  /** The customer portal's own origin, the admin console's, and the hosted-UI stand-in's. */
  readonly portalPort: number;
  readonly adminPort: number;
  readonly hostedUiPort: number;
  /** Where DynamoDB, cognito-local and state.json keep their data. */
  readonly dataDir: string;
  /** Where stack.json is written. */
  readonly stackFile: string;
  /** Delete the data directory first. */
  readonly fresh: boolean;
  readonly region: string;
  readonly adminOrigins: readonly string[];
  /** No log line per request (the handlers log at WARN unless LOG_LEVEL says otherwise). */
  readonly quiet: boolean;
  /** Make the demo data once the stack is up (local/demo.ts). */
  readonly demo: boolean;
}

export const ROOT = path.resolve(__dirname, '..');

/** The one (dummy) credential of every emulator and of the handlers that call them. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * Every environment variable the local stack reads — itself, or the handlers it runs (their names:
 * lambdas/contract/env.ts) — with its option, default and meaning: `--help` prints this list.
 */
export const VARIABLES: readonly { name: string; option?: string; fallback: string; what: string }[] = [
  { name: 'PORT', option: '--port <n>', fallback: '3000', what: 'the API' },
  { name: 'DYNAMODB_PORT', option: '--dynamodb-port <n>', fallback: '8000', what: 'DynamoDB Local (needs Java 17+)' },
  { name: 'COGNITO_PORT', option: '--cognito-port <n>', fallback: '9229', what: 'cognito-local, both user pools' },
  { name: 'SES_PORT', option: '--ses-port <n>', fallback: '8005', what: 'aws-ses-v2-local: the mail viewer, and sent mail as JSON at /store' },
  { name: 'EVENTS_PORT', option: '--events-port <n>', fallback: '4010', what: 'the EventBridge PutEvents endpoint (/events, /dlq, /outbox/dlq)' },
  { name: 'PORTAL_PORT', option: '--portal-port <n>', fallback: '5174', what: 'the customer portal (web/portal, built by npm run web:build)' },
  { name: 'ADMIN_PORT', option: '--admin-port <n>', fallback: '5173', what: 'the admin console (web/admin)' },
  { name: 'S3_PORT', option: '--s3-port <n>', fallback: '4569', what: 'the S3 emulator: the attachments bucket (presigned PUT and GET, SigV4 checked)' },
  { name: 'HOSTED_UI_PORT', option: '--hosted-ui-port <n>', fallback: '9230', what: "the stand-in of Cognito's hosted UI (sign-in for both pools)" },
  { name: 'LOCAL_DATA_DIR', option: '--data-dir <dir>', fallback: '.local/data', what: 'tables, pools and users; with another directory, its stack.json goes there too' },
  { name: 'PORTAL_URL', fallback: "the customer portal's URL", what: 'the base of invitation and share links (<PORTAL_URL>/invitation?token=…, <PORTAL_URL>/s/<token>); also signs in' },
  { name: 'INVITATION_TTL_SECONDS', fallback: '(7 days)', what: 'how long an invitation link is valid, in seconds (wins over INVITATION_TTL_DAYS)' },
  { name: 'INVITATION_TTL_DAYS', fallback: '7', what: 'the same, in days' },
  { name: 'REMINDER_AFTER_SECONDS', fallback: '(72 hours)', what: "when a pending invitation gets its one reminder (a fresh link; the inviter is told), in seconds after it went out" },
  { name: 'BUSINESS_NAME', fallback: 'Example Business', what: 'who invitations come from: named in every mail, and the sender\'s display name' },
  { name: 'ADMIN_ORIGINS', fallback: 'http://localhost:5173', what: "CORS origins of an admin frontend besides the console's own, comma-separated" },
  { name: 'SENDER_EMAIL', fallback: 'portal@example.com', what: "invitations' From" },
  { name: 'REPLY_TO_EMAIL', fallback: 'support@example.com', what: "invitations' Reply-To" },
  { name: 'SES_CONFIGURATION_SET', fallback: 'portal-access-local', what: "invitations' configuration set (the SES emulator ignores it; the events endpoint takes SES feedback only for it)" },
  { name: 'ATTACHMENT_UPLOAD_URL_SECONDS', fallback: '900', what: "an attachment's presigned upload URL lifetime (tests shorten it; never longer than 15 min)" },
  { name: 'ATTACHMENT_DOWNLOAD_URL_SECONDS', fallback: '60', what: "an attachment's presigned download URL lifetime (never longer than 60 s)" },
  { name: 'APPLY_CONCURRENCY', fallback: '8', what: "how many of a wizard apply's lines run at once" },
  { name: 'MAIL_RATE_PER_SECOND', fallback: '10', what: 'invitation emails a second across the outbox worker (a whole number; in AWS the context key mailRatePerSecond)' },
  { name: 'SCHEDULE_EVERY_SECONDS', fallback: '2', what: 'how often the scheduled job (expiries) runs locally, in seconds (at most 5; every minute in AWS)' },
  { name: 'EXPIRED_GRANT_KEPT_SECONDS', fallback: '(1 hour)', what: "how long a document's ended grant stays listed (expired: true; explain's grant_expired) before the job removes it, in seconds (0: at once)" },
  { name: 'STAFF_RECHECK_SECONDS', fallback: '30', what: "how long a staff user's rights are trusted before the staff pool is asked again (≤ 60)" },
  { name: 'LOG_LEVEL', fallback: 'INFO', what: "the handlers' log level: DEBUG, INFO (a line per request), WARN, ERROR, or silent" },
  { name: 'PORTAL_STAGE', fallback: 'local', what: 'the stage named in the business metrics (EMF lines on stdout)' },
  { name: 'AWS_REGION', fallback: 'eu-west-1', what: "the emulators' region" },
  { name: 'DYNAMODB_JAVA_OPTIONS', fallback: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC', what: "DynamoDB Local's JVM options" },
  { name: 'LOCAL_SES_ENDPOINT', fallback: 'the SES emulator', what: "where the handlers send mail instead (the fault tests' failing proxy)" },
  { name: 'LOCAL_DYNAMODB_ENDPOINT', fallback: 'DynamoDB Local', what: "where the handlers send their table calls instead (the fault tests' failing proxy)" },
  { name: 'LOCAL_COGNITO_ENDPOINT', fallback: 'cognito-local', what: "where the handlers send their user-pool calls instead (the fault tests' failing proxy)" },
  { name: 'LOCAL_EVENTS_ENDPOINT', fallback: 'the PutEvents endpoint', what: "where the handlers send their events instead (the fault tests' failing proxy)" },
  { name: 'LOCAL_S3_ENDPOINT', fallback: 'the S3 emulator', what: "where the handlers send their S3 requests and point their presigned URLs instead (the fault tests' failing proxy)" },
  { name: 'LOCAL_FAULTS', fallback: '0', what: "1: the outbox worker's fault switches at <events>/outbox/faults (the fault tests' stacks only)" },
];

const FLAGS: readonly [string, string][] = [
  ['--fresh', 'start with empty data'],
  ['--demo', 'then make the demo data (as `npm run demo` does): a company, its persons, a document of each type, a portal user'],
  ['--quiet', 'no log line per request (LOG_LEVEL WARN unless set)'],
  ['--help', 'this list'],
];

export function helpText(): string {
  const width = Math.max(...VARIABLES.map((v) => v.name.length), ...FLAGS.map(([flag]) => flag.length)) + 2;
  return [
    'Usage: npm start -- [options]        (every option also has its variable: PORT=3100 npm start)',
    '',
    'Options:',
    ...FLAGS.map(([flag, what]) => `  ${flag.padEnd(width)}${what}`),
    ...VARIABLES.filter((v) => v.option).map((v) => `  ${(v.option as string).padEnd(width)}= ${v.name}`),
    '',
    'Variables (default in brackets):',
    ...VARIABLES.map((v) => `  ${v.name.padEnd(width)}${v.what} [${v.fallback}]`),
    '',
    'It writes .local/stack.json (the URLs, pool and client ids, the admin) and stops everything on Ctrl-C.',
    'Then: npm run demo (demo data), npm run -s portal -- --help (tokens, invitation links, events).',
  ].join('\n');
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a port number, not "${value}"`);
  return n;
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LocalOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      'dynamodb-port': { type: 'string' },
      'cognito-port': { type: 'string' },
      'ses-port': { type: 'string' },
      'events-port': { type: 'string' },
      's3-port': { type: 'string' },
      'portal-port': { type: 'string' },
      'admin-port': { type: 'string' },
      'hosted-ui-port': { type: 'string' },
      'data-dir': { type: 'string' },
      fresh: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(helpText());
    process.exit(0);
  }
  const customDataDir = values['data-dir'] ?? env.LOCAL_DATA_DIR;
  const dataDir = path.resolve(ROOT, customDataDir ?? '.local/data');
  return {
    host: '127.0.0.1',
    apiPort: port(values.port ?? env.PORT, 3000, '--port'),
    dynamodbPort: port(values['dynamodb-port'] ?? env.DYNAMODB_PORT, 8000, '--dynamodb-port'),
    cognitoPort: port(values['cognito-port'] ?? env.COGNITO_PORT, 9229, '--cognito-port'),
    sesPort: port(values['ses-port'] ?? env.SES_PORT, 8005, '--ses-port'),
    eventsPort: port(values['events-port'] ?? env.EVENTS_PORT, 4010, '--events-port'),
    s3Port: port(values['s3-port'] ?? env.S3_PORT, 4569, '--s3-port'),
    portalPort: port(values['portal-port'] ?? env.PORTAL_PORT, 5174, '--portal-port'),
    adminPort: port(values['admin-port'] ?? env.ADMIN_PORT, 5173, '--admin-port'),
    hostedUiPort: port(values['hosted-ui-port'] ?? env.HOSTED_UI_PORT, 9230, '--hosted-ui-port'),
    dataDir,
    // `.local/stack.json` as API.md says; a stack with its own data directory writes its own file there.
    stackFile: customDataDir === undefined ? path.join(ROOT, '.local', 'stack.json') : path.join(dataDir, 'stack.json'),
    fresh: values.fresh ?? false,
    region: env.AWS_REGION ?? 'eu-west-1',
    adminOrigins: (env.ADMIN_ORIGINS ?? 'http://localhost:5173').split(',').map((o) => o.trim()).filter(Boolean),
    quiet: values.quiet ?? false,
    demo: values.demo ?? false,
  };
}
