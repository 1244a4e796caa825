/**
 * A local stack of the invitation-lifecycle tests' own, started with short durations
 * (`INVITATION_TTL_SECONDS`, `REMINDER_AFTER_SECONDS`) so that reminders and expiries happen in real
 * time; the shared stack of the other test files keeps the defaults (a week, three days), so their
 * mail counts never meet a reminder. The test file points `support/stack.ts` at it (PORTAL_STACK_FILE
 * is per test file), and can run the scheduled job's own handler in its process against the stack's
 * emulators — several runs at once, which the stack's runner never does. Its outbox worker can be
 * made to die after a step of an item (`LOCAL_FAULTS=1`, `<eventsEndpoint>/outbox/faults`).
 */
import path from 'node:path';
import { startStackProcess, type StackProcess } from '../../../local/stack-process';
import { ROOT, STACK_FILE_ENV } from './local-stack-process';

/** Links live 30 s: the first test accepts the reminder's link after the reminder, its notice and several more runs (about 20 s of a busy machine). */
export const LIFECYCLE = { reminderAfterSeconds: 8, invitationTtlSeconds: 30 } as const;
/** The local stack's defaults that the in-process job must share with it. */
const SENDER_EMAIL = 'portal@example.com';
const BUSINESS_NAME = 'Example Business';

export async function startLifecycleStack(): Promise<StackProcess> {
  const dataDir = path.join(ROOT, '.local', 'test', `lifecycle-${process.pid}`);
  const stack = await startStackProcess({
    dataDir,
    logFile: `${dataDir}.log`,
    // LOCAL_FAULTS: the outbox worker's switches (local/outbox.ts), for the reminder's crash test; unarmed they do nothing.
    env: { INVITATION_TTL_SECONDS: String(LIFECYCLE.invitationTtlSeconds), REMINDER_AFTER_SECONDS: String(LIFECYCLE.reminderAfterSeconds), SENDER_EMAIL, BUSINESS_NAME, LOCAL_FAULTS: '1' },
  });
  process.env[STACK_FILE_ENV] = stack.stackFile;
  return stack;
}

type JobHandler = (event: unknown) => Promise<{ reports: { task: string; handled: number; failed: number }[] }>;

/** The scheduled job's handler (lambdas/schedule/handler.ts) in this process, wired to the stack's emulators as the stack wires its own. */
export async function scheduleJobOf(stack: StackProcess): Promise<JobHandler> {
  const { info } = stack;
  Object.assign(process.env, {
    AWS_REGION: info.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: info.dynamodbEndpoint,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: info.cognitoEndpoint,
    AWS_ENDPOINT_URL_SESV2: info.sesEndpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: info.eventsEndpoint,
    TABLE_NAME: info.tableName,
    EVENT_BUS_NAME: info.eventBusName,
    STAFF_USER_POOL_ID: info.staffUserPoolId,
    PORTAL_URL: info.portalUrl,
    SENDER_EMAIL,
    BUSINESS_NAME,
    INVITATION_TTL_SECONDS: String(LIFECYCLE.invitationTtlSeconds),
    REMINDER_AFTER_SECONDS: String(LIFECYCLE.reminderAfterSeconds),
    LOG_LEVEL: 'silent',
  });
  delete process.env.AWS_PROFILE;
  const { handler } = (await import('../../../lambdas/schedule/handler')) as { handler: JobHandler };
  return handler;
}
