/**
 * `.local/stack.json`: what a client of the local stack needs, as API.md's "The local stack" lists
 * it, and the origins a browser app may call it from (`adminOrigins`: the API's and the attachments
 * bucket's CORS, `ADMIN_ORIGINS`).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface StackInfo {
  apiUrl: string;
  region: string;
  tableName: string;
  dynamodbEndpoint: string;
  cognitoEndpoint: string;
  sesEndpoint: string;
  eventsEndpoint: string;
  eventBusName: string;
  /** The invitations' configuration set: SES feedback put on the events endpoint counts only when its `mail.tags` name it, as in AWS. */
  sesConfigurationSet: string;
  s3Endpoint: string;
  attachmentsBucket: string;
  adminOrigins: readonly string[];
  staffUserPoolId: string;
  staffClientId: string;
  customerUserPoolId: string;
  customerClientId: string;
  /** The seeded staff admin; its email receives the reminders' notices of what it invited. */
  admin: { username: string; password: string; email: string };
  /** The customer portal, the admin console (only when web/admin exists), the hosted-UI stand-in. */
  portalUrl: string;
  adminUrl?: string;
  hostedUiUrl: string;
}

/** Where `npm start` writes it (another data directory: `<dir>/stack.json`). */
export const DEFAULT_STACK_FILE = path.resolve(__dirname, '..', '.local', 'stack.json');

/** The stack file's content, or `undefined` when there is none (the stack is not running). */
export function readStackFile(file: string): StackInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as StackInfo;
  } catch {
    return undefined;
  }
}

/** Written atomically (rename), so a reader polling for it never sees half a file. */
export function writeStackFile(file: string, info: StackInfo): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(temporary, file);
}

export function removeStackFile(file: string): void {
  fs.rmSync(file, { force: true });
}
