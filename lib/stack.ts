import { CfnOutput, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { eventRules } from '../lambdas/contract/event-rules';
import { OUTBOX_STREAM } from '../lambdas/contract/outbox';
import type { FunctionName } from '../lambdas/contract/routes';
import { SCHEDULE_RATE_MINUTES } from '../lambdas/contract/schedule';
import { TABLE } from '../lambdas/contract/table-schema';
import { AlarmTopic } from './constructs/alarm-topic';
import { AttachmentsStorage } from './constructs/attachments-storage';
import { DataTable } from './constructs/data-table';
import { EventRouting } from './constructs/event-routing';
import { HttpApi } from './constructs/http-api';
import { Identity } from './constructs/identity';
import { Mail } from './constructs/mail';
import { Observability } from './constructs/observability';
import { OutboxFeed } from './constructs/outbox-feed';
import { WebLogs } from './constructs/web-logs';
import { API_PATH_PREFIX, apiDomainOf, narrowInvalidations, WebApp } from './constructs/web-app';
import { webAppConfig } from './web-app-config';
import { PASSWORD_POLICY } from '../lambdas/contract/password-policy';
import { PortalFunction, type CustomerPoolAction } from './constructs/portal-function';
import { ScheduledJob } from './constructs/scheduled-job';
import { ITEM_SCOPES } from './item-scopes';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import type { StageConfig } from './stage-config';

export interface PortalStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * The outbox worker's actions on the customer pool: look the email up, create the login (or adopt
 * and sign out an orphan), enable it; disable and sign out a revoked one (and enable it again when
 * a re-grant won meanwhile: the login follows the record).
 */
const LOGIN_LIFECYCLE: readonly CustomerPoolAction[] = ['AdminDisableUser', 'AdminUserGlobalSignOut', 'AdminEnableUser', 'AdminGetUser', 'AdminCreateUser'];
/**
 * The contacts function: a contact with portal access whose email changes moves its login in the
 * request — is the new address another user's (get), the login's email (update, verified), its
 * sessions end. Revoking is the worker's.
 */
const LOGIN_EMAIL_CHANGE: readonly CustomerPoolAction[] = ['AdminGetUser', 'AdminUpdateUserAttributes', 'AdminUserGlobalSignOut'];
/** Accepting an invitation: the password, and the end of the login's earlier sessions. */
const LOGIN_ACCEPTANCE: readonly CustomerPoolAction[] = ['AdminSetUserPassword', 'AdminUserGlobalSignOut'];
/** CloudFront's default domains (one wildcard, as S3's CORS allows): the console's origin when it has no domain of its own. */
const CLOUDFRONT_DEFAULT_ORIGINS = 'https://*.cloudfront.net';

const HOUR_SECONDS = 60 * 60;
const DAY_SECONDS = 24 * HOUR_SECONDS;

/**
 * Portal Access: one table, two user pools, invitation mail, an event bus, the attachments bucket,
 * the HTTP API whose routes come from `lambdas/contract/routes.ts`, and the outbox worker the
 * table's stream feeds. Each function holds only the grants its area needs: the HTTP functions and
 * the events function write records and outbox items (the contacts function also moves a login's
 * email); Cognito logins, SES and the lifecycle's events are the worker's.
 */
export class PortalStack extends Stack {
  readonly functions: Readonly<Record<FunctionName, PortalFunction>>;
  /** The customer portal's hosting (bucket, distribution) and its deployed configuration. */
  readonly portal: WebApp;
  /** The admin console's, the same way (staff pool, staff hosted UI). */
  readonly admin: WebApp;
  readonly eventsFunction: PortalFunction;
  readonly outboxWorker: PortalFunction;
  readonly observability: Observability;
  readonly scheduleFunction: PortalFunction;

  constructor(scope: Construct, id: string, props: PortalStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = config.logRetentionDays as RetentionDays;
    if (!Object.values(RetentionDays).includes(logRetention)) throw new Error(`logRetentionDays ${config.logRetentionDays} is not a CloudWatch Logs retention`);

    const table = new DataTable(this, 'Data').table;
    // The web apps first: the portal's URL is where invitations link and the customer hosted UI
    // returns, the console's where the staff hosted UI returns. Their distributions name the API and
    // the hosted UIs, which are made below (hence the lazy values). Each calls the API under /api/* of
    // its own origin, so the API's CORS never has to name a distribution (which would be a cycle).
    const late: { identity?: Identity; http?: HttpApi } = {};
    const webLogs = new WebLogs(this, 'WebLogs');
    const apiDomain = Lazy.string({ produce: () => apiDomainOf(this, late.http!.api.apiId) });
    const portal = (this.portal = new WebApp(this, 'Portal', {
      app: 'portal',
      apiDomain,
      hostedUiOrigin: Lazy.string({ produce: () => late.identity!.hostedUiDomain.baseUrl() }),
      logBucket: webLogs.bucket,
      // Its URLs carry invitation and share-link tokens: no log may keep them.
      viewerLogs: false,
    }));
    // The console uploads from its own origin straight to the bucket (a presigned PUT): its CSP names
    // the bucket's origin, and the bucket's CORS the console. CORS cannot name the console's own
    // distribution (distribution → CSP → bucket → distribution is a cycle), so without a domain of
    // its own (`adminUrl`) it allows CloudFront's default domains: the presigned URL's signature,
    // not CORS, is what guards an upload.
    const attachments = new AttachmentsStorage(this, 'Attachments', { adminOrigins: [config.adminUrl ?? CLOUDFRONT_DEFAULT_ORIGINS, ...config.adminOrigins] });
    const admin = (this.admin = new WebApp(this, 'Admin', {
      app: 'admin',
      apiDomain,
      hostedUiOrigin: Lazy.string({ produce: () => late.identity!.staffHostedUiDomain.baseUrl() }),
      logBucket: webLogs.bucket,
      // Its URLs carry no secret (the sign-in's `code` is bound to the page's PKCE verifier and used once).
      viewerLogs: true,
      uploadOrigins: [`https://${attachments.bucket.bucketRegionalDomainName}`],
    }));
    const portalUrl = config.portalUrl ?? portal.url;
    const adminUrl = config.adminUrl ?? admin.url;
    const identity = (late.identity = new Identity(this, 'Identity', {
      ...config,
      callbackUrls: [`${portalUrl}/callback`, ...config.callbackUrls],
      logoutUrls: [`${portalUrl}/`, ...config.logoutUrls],
      // The console, and any other admin frontend the stage names (the same origins CORS allows).
      staffCallbackUrls: [adminUrl, ...config.adminOrigins].map((origin) => `${origin}/callback`),
      staffLogoutUrls: [adminUrl, ...config.adminOrigins].map((origin) => `${origin}/`),
    }));
    const mail = new Mail(this, 'Mail', config);
    const events = new EventRouting(this, 'Events', { busName: `portal-access-${config.stage}` });
    const customerPool = identity.customer.pool;
    const staffPool = identity.staff.pool;

    /** The invitation settings of a function that issues invitations (lambdas/wiring/settings.ts, `invitationConfig`). */
    const issuesInvitations = (f: PortalFunction) =>
      f
        .setEnv('portalUrl', portalUrl)
        .setEnv('invitationTtlSeconds', String(config.invitationTtlDays * DAY_SECONDS))
        .setEnv('reminderAfterSeconds', String(config.reminderAfterHours * HOUR_SECONDS));
    const defaults = { logRetention, stage: config.stage, logLevel: config.logLevel };
    const fn = (id: string, entry: string, description: string) => new PortalFunction(this, id, { entry, description, ...defaults });
    /** A function the API invokes for requests without a token: its concurrency is reserved and capped. */
    const publicFn = (id: string, entry: string, description: string) =>
      new PortalFunction(this, id, { entry, description, ...defaults, publicConcurrency: config.publicFunctionConcurrency });
    // Each function gets the environment its wiring (lambdas/wiring/<function>.ts) reads, and the grants that go with it.
    this.functions = {
      system: publicFn('SystemFunction', 'lambdas/http/system.ts', 'Health, OpenAPI, and the 404/405 answers'),
      contacts: fn('ContactsFunction', 'lambdas/http/contacts.ts', 'Contacts (staff); archiving revokes portal access, a new email moves the login')
        .bindTable(table, 'readWrite')
        .bindCustomerPool(customerPool, LOGIN_EMAIL_CHANGE)
        .bindStaffPool(staffPool),
      // A re-invite's link for staff is issued here (no mail): the invitation settings.
      'portal-access': issuesInvitations(fn('PortalAccessFunction', 'lambdas/http/portal-access.ts', 'The grant-portal-access wizard, re-invitations, audit'))
        .bindTable(table, 'readWrite')
        .bindStaffPool(staffPool),
      documents: fn('DocumentsFunction', 'lambdas/http/documents.ts', 'Documents, grants, attachments and share links (staff)')
        .bindTable(table, 'readWrite')
        .setEnv('portalUrl', portalUrl)
        .bindStaffPool(staffPool)
        .bindAttachments(attachments.bucket, 'staff'),
      portal: fn('PortalFunction', 'lambdas/http/portal.ts', 'The read-only customer portal').bindTable(table, 'read').bindAttachments(attachments.bucket, 'download'),
      // Reachable by anyone: its items only (the invitation, its contact, the audit trail), no index, no Query.
      invitations: publicFn('InvitationsFunction', 'lambdas/http/invitations.ts', 'Accepting an invitation (public, by token)')
        .bindTableItems(table, ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], ITEM_SCOPES.invitations)
        .bindCustomerPool(customerPool, LOGIN_ACCEPTANCE),
      // Reachable by anyone holding a link: reads its link, document, recipient and attachment records by key, and queries a document's attachments; writes only the link's view count; signs downloads of completed files.
      shared: publicFn('SharedFunction', 'lambdas/http/shared.ts', 'Share links: the shared document (public, by token)')
        .bindTableItems(table, ['GetItem'], ITEM_SCOPES.sharedReads)
        .bindTableItems(table, ['Query'], ITEM_SCOPES.sharedQueries)
        .bindTableItems(table, ['UpdateItem'], ITEM_SCOPES.sharedWrites)
        .bindAttachments(attachments.bucket, 'download'),
    };
    this.eventsFunction = fn('EventsFunction', 'lambdas/events/handler.ts', 'Revocation requests, archived contacts, SES feedback').bindTable(table, 'readWrite');
    events.deliverTo(this.eventsFunction, eventRules({ mailConfigurationSet: mail.configurationSet.configurationSetName }));
    // Expiries (accesses and grants past their `until`; invitations' links) and the invitations' one
    // reminder, queued for the outbox worker: the table and the bus, no Cognito, no mail.
    this.scheduleFunction = fn('ScheduleFunction', 'lambdas/schedule/handler.ts', 'The scheduled job: expiries of accesses, grants and invitations; invitation reminders (queued)')
      // The due index (what has come due) is its alone.
      .bindTable(table, 'readWrite', TABLE.indexes.map((index) => index.name))
      .bindEventBus(events.bus);
    const schedule = new ScheduledJob(this, 'Schedule', { job: this.scheduleFunction, rateMinutes: SCHEDULE_RATE_MINUTES });
    this.outboxWorker = issuesInvitations(
      new PortalFunction(this, 'OutboxWorker', {
        entry: 'lambdas/worker/outbox.ts',
        description: 'The outbox: Cognito logins, invitation emails and reminders (paced), revocations, the PortalAccess* events',
        ...defaults,
        timeoutSeconds: OUTBOX_STREAM.workerTimeoutSeconds,
      }),
    )
      // Items by key (the outbox item, the contact, its invitation and pointers, the pacing slots): no Query, no index.
      .bindTableItems(table, ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'])
      .bindCustomerPool(customerPool, LOGIN_LIFECYCLE)
      .bindMail(mail)
      // The mails name the inviter, and a reminder's notice goes to its email: AdminGetUser of the staff pool.
      .bindStaffProfiles(staffPool)
      .bindEventBus(events.bus)
      .setEnv('mailRatePerSecond', String(config.mailRatePerSecond));
    const outbox = new OutboxFeed(this, 'Outbox', { table, worker: this.outboxWorker });
    const alarms = new AlarmTopic(this, 'Alarms', { ...(config.alarmEmail ? { email: config.alarmEmail } : {}) });

    const http = (late.http = new HttpApi(this, 'Http', {
      functions: this.functions,
      staff: identity.staff,
      customer: identity.customer,
      // The portal and the console call the API on their own origins (/api/*): no CORS for them (lambdas/contract/cors.ts).
      origins: { admin: config.adminOrigins, portal: [] },
      throttle: { rateLimit: config.apiRateLimit, burstLimit: config.apiBurstLimit },
      logRetention,
    }));

    // Every alarm of the stack (these, and the dead-letter queues') notifies the one topic; one dashboard.
    this.observability = new Observability(this, 'Observability', {
      stage: config.stage,
      api: http.api,
      functions: { ...this.functions, events: this.eventsFunction, schedule: this.scheduleFunction, outbox: this.outboxWorker },
      deadLetterQueues: [...events.deadLetterQueues, ...schedule.deadLetterQueues, outbox.failures],
      otherAlarms: [...events.alarms, ...schedule.alarms, outbox.alarm],
      topic: alarms,
    });

    // The web apps' deployment function (CDK's, one for both) logs with the stage's retention too.
    const deploymentLogs = new LogGroup(this, 'WebDeploymentLogs', { retention: logRetention });
    const portalDeployment = portal.deploy(
      webAppConfig({
        apiUrl: `${portalUrl}${API_PATH_PREFIX}`,
        region: this.region,
        userPoolId: customerPool.userPoolId,
        clientId: identity.customer.client.userPoolClientId,
        authority: identity.customer.issuerUrl,
        hostedUiUrl: identity.hostedUiDomain.baseUrl(),
        passwordPolicy: PASSWORD_POLICY,
      }),
      deploymentLogs,
    );

    const adminDeployment = admin.deploy(
      webAppConfig({
        apiUrl: `${adminUrl}${API_PATH_PREFIX}`,
        region: this.region,
        userPoolId: staffPool.userPoolId,
        clientId: identity.staff.client.userPoolClientId,
        authority: identity.staff.issuerUrl,
        hostedUiUrl: identity.staffHostedUiDomain.baseUrl(),
        passwordPolicy: PASSWORD_POLICY,
      }),
      deploymentLogs,
    );
    narrowInvalidations([portal, admin], [portalDeployment, adminDeployment]);

    acknowledgeNagFindings({
      identity,
      http,
      attachments,
      attachmentFunctions: [this.functions.documents, this.functions.portal, this.functions.shared],
      deadLetterQueues: [...events.deadLetterQueues, ...schedule.deadLetterQueues],
      outbox,
      functions: [...Object.values(this.functions), this.eventsFunction, this.scheduleFunction],
      webApps: [portal, admin],
      webLogs,
    });

    const outputs: Record<string, string> = {
      ApiUrl: http.url,
      TableName: table.tableName,
      AttachmentsBucketName: attachments.bucket.bucketName,
      StaffUserPoolId: identity.staff.pool.userPoolId,
      StaffClientId: identity.staff.client.userPoolClientId,
      CustomerUserPoolId: customerPool.userPoolId,
      CustomerClientId: identity.customer.client.userPoolClientId,
      HostedUiBaseUrl: identity.hostedUiDomain.baseUrl(),
      StaffHostedUiBaseUrl: identity.staffHostedUiDomain.baseUrl(),
      PortalUrl: portalUrl,
      AdminUrl: adminUrl,
      EventBusName: events.bus.eventBusName,
      SesConfigurationSet: mail.configurationSet.configurationSetName,
      AlarmTopicArn: alarms.topic.topicArn,
      DashboardName: this.observability.dashboard.dashboardName,
    };
    mail.dkimRecords.forEach((record, i) => (outputs[`SesDkimCname${i + 1}`] = record));
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}
