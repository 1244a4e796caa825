import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionName } from './routes';
import { AttachmentsStorage } from './constructs/attachments-storage';
import { DataTable } from './constructs/data-table';
import { EventRouting } from './constructs/event-routing';
import { HttpApi } from './constructs/http-api';
import { Identity } from './constructs/identity';
import { Mail } from './constructs/mail';
import { PortalFunction, type CustomerPoolAction } from './constructs/portal-function';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import type { StageConfig } from './stage-config';

export interface PortalStackProps extends StackProps {
  readonly config: StageConfig;
}

/** What the portal-access lifecycle does to logins: create, find, enable, disable and sign out, set the password. */
const LOGIN_LIFECYCLE: readonly CustomerPoolAction[] = [
  'AdminCreateUser',
  'AdminGetUser',
  'AdminEnableUser',
  'AdminDisableUser',
  'AdminUserGlobalSignOut',
  'AdminSetUserPassword',
  'AdminUpdateUserAttributes',
];

/**
 * Portal Access: one table, two user pools, invitation mail, an event bus, and the HTTP API whose
 * routes come from `lib/routes.ts`. Each function holds only the grants its area needs.
 */
export class PortalStack extends Stack {
  readonly functions: Readonly<Record<FunctionName, PortalFunction>>;
  readonly eventsFunction: PortalFunction;

  constructor(scope: Construct, id: string, props: PortalStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = config.logRetentionDays as RetentionDays;
    if (!Object.values(RetentionDays).includes(logRetention)) throw new Error(`logRetentionDays ${config.logRetentionDays} is not a CloudWatch Logs retention`);

    const table = new DataTable(this, 'Data').table;
    const identity = new Identity(this, 'Identity', config);
    const mail = new Mail(this, 'Mail', config);
    const events = new EventRouting(this, 'Events', { busName: `portal-access-${config.stage}` });
    const customerPool = identity.customer.pool;
    const attachments = new AttachmentsStorage(this, 'Attachments', { adminOrigins: config.adminOrigins });

    const fn = (id: string, entry: string, description: string) => new PortalFunction(this, id, { entry, description, logRetention });
    // Every function that builds the portal-access wiring reads its settings when it starts.
    const withAccessConfig = (f: PortalFunction) =>
      f.setEnv('portalUrl', config.portalUrl).setEnv('invitationTtlDays', String(config.invitationTtlDays));
    const withAccessLifecycle = (f: PortalFunction) =>
      withAccessConfig(f).bindTable(table, 'readWrite').bindCustomerPool(customerPool, LOGIN_LIFECYCLE).bindEventBus(events.bus);

    this.functions = {
      system: fn('SystemFunction', 'lambdas/http/system.ts', 'Health, OpenAPI, and the 404/405 answers'),
      contacts: withAccessConfig(fn('ContactsFunction', 'lambdas/http/contacts.ts', 'Contacts (staff); archiving revokes portal access'))
        .bindTable(table, 'readWrite')
        .bindCustomerPool(customerPool, ['AdminGetUser', 'AdminDisableUser', 'AdminUserGlobalSignOut'])
        .bindEventBus(events.bus),
      'portal-access': withAccessLifecycle(fn('PortalAccessFunction', 'lambdas/http/portal-access.ts', 'The grant-portal-access wizard, re-invitations, audit')).bindMail(mail),
      documents: fn('DocumentsFunction', 'lambdas/http/documents.ts', 'Documents, grants and attachments (staff)')
        .bindTable(table, 'readWrite')
        .bindAttachments(attachments.bucket, 'staff'),
      portal: fn('PortalFunction', 'lambdas/http/portal.ts', 'The read-only customer portal').bindTable(table, 'read').bindAttachments(attachments.bucket, 'portal'),
      invitations: withAccessConfig(fn('InvitationsFunction', 'lambdas/http/invitations.ts', 'Accepting an invitation (public, by token)'))
        .bindTable(table, 'readWrite')
        .bindCustomerPool(customerPool, ['AdminGetUser', 'AdminSetUserPassword']),
    };
    this.eventsFunction = withAccessLifecycle(fn('EventsFunction', 'lambdas/events/handler.ts', 'Revocation requests, archived contacts, SES feedback'));
    events.deliverTo(this.eventsFunction);

    const http = new HttpApi(this, 'Http', {
      functions: this.functions,
      staff: identity.staff,
      customer: identity.customer,
      adminOrigins: config.adminOrigins,
      throttle: { rateLimit: config.apiRateLimit, burstLimit: config.apiBurstLimit },
      logRetention,
    });

    acknowledgeNagFindings({
      identity,
      http,
      events,
      attachments,
      attachmentFunctions: [this.functions.documents, this.functions.portal],
      functions: [...Object.values(this.functions), this.eventsFunction],
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
      EventBusName: events.bus.eventBusName,
      SesConfigurationSet: mail.configurationSet.configurationSetName,
    };
    mail.dkimRecords.forEach((record, i) => (outputs[`SesDkimCname${i + 1}`] = record));
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}
