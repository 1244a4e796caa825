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
  /** Print one line per request. */
  readonly quiet: boolean;
}

export const ROOT = path.resolve(__dirname, '..');

const HELP = `Usage: npm start -- [options]
  --port <n>            API port (env PORT, default 3000)
  --dynamodb-port <n>   DynamoDB Local (env DYNAMODB_PORT, default 8000)
  --cognito-port <n>    cognito-local (env COGNITO_PORT, default 9229)
  --ses-port <n>        aws-ses-v2-local (env SES_PORT, default 8005)
  --events-port <n>     EventBridge PutEvents endpoint (env EVENTS_PORT, default 4010)
  --portal-port <n>     customer portal (env PORTAL_PORT, default 5174)
  --admin-port <n>      admin console (env ADMIN_PORT, default 5173)
  --hosted-ui-port <n>  stand-in of the Cognito hosted UI (env HOSTED_UI_PORT, default 9230)
  --data-dir <dir>      data directory (env LOCAL_DATA_DIR, default .local/data, stack.json in .local;
                        with this option, stack.json goes into <dir>
  --fresh               start with empty data
  --quiet               no per-request log lines
Invitations (environment):
  BUSINESS_NAME           who invitations come from (default Example Business)
  INVITATION_TTL_SECONDS  how long an invitation link works (default 7 days; wins over INVITATION_TTL_DAYS)
  REMINDER_AFTER_SECONDS  when a pending invitation gets its one reminder (default 72 hours)`;

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
      'portal-port': { type: 'string' },
      'admin-port': { type: 'string' },
      'hosted-ui-port': { type: 'string' },
      'data-dir': { type: 'string' },
      fresh: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
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
  };
}
