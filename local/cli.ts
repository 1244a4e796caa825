/**
 * `npm run -s portal -- <command>`: a small CLI for the local stack, reading its stack file
 * (`.local/stack.json`, or `--stack-file`). Anything that goes wrong is one line on stderr and a
 * non-zero exit, never a stack trace; `-s` keeps npm's own lines out of what it prints.
 */
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { parseArgs } from 'node:util';
import { DEFAULT_STACK_FILE, readStackFile, type StackInfo } from './stack-file';

const USAGE = `Usage: npm run -s portal -- <command> [--stack-file <file>]
  token staff <username> [--password <pw>]      an access token of the staff pool (the admin's password is in the stack file)
  token customer <email> --password <pw>        an access token of a portal user
  invitation <email>                            the latest invitation link mailed to <email> (from the SES emulator)
  events put <detail-type> '<json detail>' [--source <source>]
                                                PutEvents on the local bus (source: cli.local), e.g.
                                                events put PortalAccessRevocationRequested '{"contactId":"…"}'
  url [api|openapi|mail|events|portal|admin]    a URL of the running stack (default: api)
The stack file: .local/stack.json, written by \`npm start\` (--stack-file or PORTAL_STACK_FILE for another).`;

/** A failure the user can act on: printed as one line. */
export class CliError extends Error {}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
// Node 20 here, 22 in Lambda: the SDK's notice about Node 20 would be a second line on every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The stack file, and proof that the stack behind it answers (a file left by a killed stack does not). */
export async function runningStack(file: string): Promise<StackInfo> {
  const notRunning = (why: string) => new CliError(`The local stack is not running (${why}): start it with \`npm start\`.`);
  const info = readStackFile(file);
  if (!info) throw notRunning(`no ${file}`);
  try {
    const health = await fetch(`${info.apiUrl}/health`, { signal: AbortSignal.timeout(3000) });
    if (!health.ok) throw new Error(String(health.status));
  } catch {
    throw notRunning(`nothing answers at ${info.apiUrl}`);
  }
  return info;
}

export async function accessToken(info: StackInfo, pool: 'staff' | 'customer', typed: string, password: string | undefined): Promise<string> {
  const username = typed.trim();
  const secret = password ?? (pool === 'staff' && username === info.admin.username ? info.admin.password : undefined);
  if (secret === undefined) throw new CliError(`--password is required for ${pool === 'staff' ? `staff user ${username}` : username}.`);
  const cognito = new CognitoIdentityProviderClient({ region: info.region, endpoint: info.cognitoEndpoint, credentials: LOCAL_CREDENTIALS });
  const signIn = (name: string) =>
    cognito.send(
      new InitiateAuthCommand({
        ClientId: pool === 'staff' ? info.staffClientId : info.customerClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: name, PASSWORD: secret },
      }),
    );
  try {
    // Both pools sign in whatever the case in AWS (`signInCaseSensitive: false`); cognito-local matches
    // the name exactly, so, as the hosted-UI stand-in does, the name as typed, then in lower case (how
    // the backend stores a login's email).
    const answer = await signIn(username).catch((error: unknown) => {
      if (username === username.toLowerCase()) throw error;
      return signIn(username.toLowerCase());
    });
    const token = answer.AuthenticationResult?.AccessToken;
    if (!token) throw new CliError(`No token for ${username}: Cognito asks for ${answer.ChallengeName ?? 'something else'} first.`);
    return token;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`Sign-in refused for ${username} (${pool}): ${(error as Error).message}`);
  }
}

interface StoredMail {
  destination: { to: string[] };
  body: { text?: string };
  at: number;
}

/** The link of the latest invitation mailed to `email`. */
export async function invitationLink(info: StackInfo, email: string): Promise<string> {
  const address = email.trim().toLowerCase();
  const store = (await (await fetch(`${info.sesEndpoint}/store`)).json()) as { emails: StoredMail[] };
  const links = store.emails
    .filter((mail) => mail.destination.to.some((to) => to.toLowerCase() === address))
    .sort((a, b) => a.at - b.at)
    .map((mail) => /https?:\/\/\S+\/invitation\?token=[A-Za-z0-9_-]+/.exec(mail.body.text ?? '')?.[0])
    .filter((link): link is string => link !== undefined);
  const latest = links.at(-1);
  if (!latest) throw new CliError(`No invitation was mailed to ${address} since the stack started (the SES emulator keeps mail in memory).`);
  return latest;
}

export async function putEvent(info: StackInfo, detailType: string, detail: string, source: string): Promise<string> {
  try {
    JSON.parse(detail);
  } catch {
    throw new CliError(`The detail must be JSON, such as '{"contactId":"…"}'.`);
  }
  const events = new EventBridgeClient({ region: info.region, endpoint: info.eventsEndpoint, credentials: LOCAL_CREDENTIALS });
  const out = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: info.eventBusName, Source: source, DetailType: detailType, Detail: detail }] }));
  const entry = out.Entries?.[0];
  if (!entry?.EventId) throw new CliError(`The bus refused the event: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
  return entry.EventId;
}

function urlOf(info: StackInfo, which: string): string {
  const urls: Record<string, string | undefined> = {
    api: info.apiUrl,
    openapi: `${info.apiUrl}/openapi.json`,
    mail: `${info.sesEndpoint}/`,
    events: info.eventsEndpoint,
    portal: info.portalUrl,
    admin: info.adminUrl,
  };
  if (!(which in urls)) throw new CliError(`No URL called ${which}: one of ${Object.keys(urls).join(', ')}.`);
  const url = urls[which];
  if (!url) throw new CliError(`This stack serves no ${which} page.`);
  return url;
}

/** Runs one command line; answers what to print. */
export async function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { 'stack-file': { type: 'string' }, password: { type: 'string' }, source: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message.split('. ')[0]} (see --help).`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) return USAGE;
  const info = await runningStack(values['stack-file'] ?? env.PORTAL_STACK_FILE ?? DEFAULT_STACK_FILE);
  switch (command) {
    case 'token': {
      const [pool, username] = rest;
      if ((pool !== 'staff' && pool !== 'customer') || !username) throw new CliError('Usage: token staff|customer <email-or-username> [--password <pw>]');
      return accessToken(info, pool, username, values.password);
    }
    case 'invitation':
      if (!rest[0]) throw new CliError('Usage: invitation <email>');
      return invitationLink(info, rest[0]);
    case 'events':
      if (rest[0] !== 'put' || !rest[1] || rest[2] === undefined) throw new CliError("Usage: events put <detail-type> '<json detail>' [--source <source>]");
      return putEvent(info, rest[1], rest[2], values.source ?? 'cli.local');
    case 'url':
      return urlOf(info, rest[0] ?? 'api');
    default:
      throw new CliError(`Unknown command ${command}. ${USAGE}`);
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (output) => console.log(output),
    (error: unknown) => {
      // One line, whatever failed: the user's fix, or what went wrong, never a stack trace.
      const message = error instanceof CliError ? error.message : `Failed: ${error instanceof Error ? error.message : String(error)}`;
      console.error(message.split('\n')[0]);
      process.exit(1);
    },
  );
}
