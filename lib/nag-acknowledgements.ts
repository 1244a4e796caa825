/**
 * The cdk-nag (AwsSolutions) findings this stack keeps on purpose, each acknowledged on the narrowest
 * construct it concerns, with the reason. cdk-nag 3 reads CDK's own `Validations.acknowledge`.
 */
import { Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { attachmentObjectKeys } from '../lambdas/contract/attachments-bucket';
import type { AttachmentsStorage } from './constructs/attachments-storage';
import type { HttpApi } from './constructs/http-api';
import type { Identity } from './constructs/identity';
import type { OutboxFeed } from './constructs/outbox-feed';
import type { PortalFunction } from './constructs/portal-function';
import type { WebApp } from './constructs/web-app';
import type { WebLogs } from './constructs/web-logs';

export interface NagScope {
  readonly identity: Identity;
  readonly http: HttpApi;
  readonly outbox: OutboxFeed;
  readonly attachments: AttachmentsStorage;
  /** The functions bound to the attachments bucket (by prefix). */
  readonly attachmentFunctions: readonly PortalFunction[];
  /** Every dead-letter queue but the outbox's (`outbox.failures`): the event rules', the events function's, the scheduled job's. */
  readonly deadLetterQueues: readonly sqs.Queue[];
  /** The HTTP, events and scheduled functions; the outbox worker is `outbox.worker`. */
  readonly functions: readonly PortalFunction[];
  readonly webApps: readonly WebApp[];
  readonly webLogs: WebLogs;
}

const acknowledge = (construct: IConstruct, id: string, reason: string) => Validations.of(construct).acknowledge({ id, reason });

export function acknowledgeNagFindings({ identity, http, attachments, attachmentFunctions, deadLetterQueues, outbox, functions, webApps, webLogs }: NagScope): void {
  acknowledgeWebFindings(webApps, webLogs);

  acknowledge(
    outbox.worker.role!,
    'AwsSolutions-IAM5[Resource::*]',
    "Two statements name no resource because their actions support none: X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords, added by Tracing.ACTIVE) and dynamodb:ListStreams (added by the stream event source; it lists stream ARNs and reads no item — the stream's own actions are scoped to the table's stream).",
  );
  // The account's SES identities as recipients (the sandbox authorizes each recipient's identity), only with the stack's sender as From.
  const workerPolicy = outbox.worker.role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild as CfnResource | undefined;
  const wildcards = workerPolicy ? rules.iam.IAMNoWildcardPermissions(workerPolicy) : [];
  for (const finding of Array.isArray(wildcards) ? (wildcards as string[]) : [])
    if (/^Resource::arn:.*:ses:.*:identity\/\*$/.test(finding))
      acknowledge(
        outbox.worker.role!,
        `AwsSolutions-IAM5[${finding}]`,
        "ses:SendEmail on the account's identities, conditioned on `ses:FromAddress` being the stack's sender: while the account is in the SES sandbox every recipient is a verified identity on which SES authorizes the call too; the sender itself stays the stack's identity.",
      );
  for (const fn of [...functions, outbox.worker]) {
    if (fn !== outbox.worker)
      acknowledge(
        fn.role!,
        'AwsSolutions-IAM5[Resource::*]',
        'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) supports no resource-level permissions; it is the only `*` statement, added by Tracing.ACTIVE.',
      );
    acknowledge(
      fn,
      'AwsSolutions-L1',
      'Node.js 22 is the runtime the design pins and the code is tested on (Node 20 locally, 22 in Lambda); moving to a newer runtime is a deliberate, tested change.',
    );
  }

  acknowledge(
    identity.customer.pool,
    'AwsSolutions-COG2',
    'Customers are invited external contacts with read-only access to their own documents; TOTP MFA is offered (optional), not forced, so that accepting an invitation stays a one-step sign-in. Staff, who can grant access, must use MFA.',
  );
  for (const pool of [identity.customer.pool, identity.staff.pool]) {
    acknowledge(
      pool,
      'AwsSolutions-COG8',
      'Lite (customers) and Essentials (staff) plans: threat protection (Plus) is billed per monthly active user; the portal already re-checks every request against its own access record and staff use MFA. Switch featurePlan to PLUS per stage when the cost is agreed (docs/cost.md).',
    );
  }

  for (const route of http.unauthenticatedRoutes) {
    acknowledge(
      route,
      'AwsSolutions-APIG4',
      'Public by the API contract (GET /health, GET /openapi.json, POST /invitations/accept, authenticated by its single-use invitation token, and GET /shared/…, authenticated by the share link\'s token and throttled per route), or a fallback route whose function only answers 404/405 problem+json and reads no data.',
    );
  }

  acknowledge(
    outbox.failures,
    'AwsSolutions-SQS3',
    "This queue IS a dead-letter queue: the on-failure destination of the outbox worker's stream event source (it receives where the failed records were), which cdk-nag only recognises for SQS redrive; an alarm fires on its first message.",
  );

  const bucketId = Stack.of(attachments.bucket).getLogicalId(attachments.bucket.node.defaultChild as CfnBucket);
  const prefixes = Object.values(attachmentObjectKeys('*'));
  for (const fn of attachmentFunctions) {
    for (const objects of prefixes) {
      acknowledge(
        fn.role!,
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${objects}]`,
        'Object keys are random attachment ids under a fixed prefix (pending/ for uploads, files/ for completed ones); the grant names the bucket and the prefix, and the actions are the few each function needs (PortalFunction.bindAttachments).',
      );
    }
  }

  acknowledge(
    attachments.accessLogs,
    'AwsSolutions-S1',
    'This is the server-access-log bucket of the attachments bucket; logging its own accesses into itself would loop, and into a third bucket would only move the question.',
  );

  for (const queue of deadLetterQueues) {
    acknowledge(
      queue,
      'AwsSolutions-SQS3',
      'This queue IS a dead-letter queue (an EventBridge target DLQ or a function\'s on-failure destination), which cdk-nag only recognises for SQS redrive and Lambda DeadLetterConfig; an alarm fires on its first message.',
    );
  }
}

function acknowledgeWebFindings(webApps: readonly WebApp[], webLogs: WebLogs): void {
  acknowledge(webLogs.bucket, 'AwsSolutions-S1', 'This bucket IS the access-log bucket of the web apps (CloudFront and S3 server access logs); logging it into itself would loop.');
  for (const app of webApps) {
    acknowledge(
      app.distribution,
      'AwsSolutions-CFR1',
      'The portal serves customers and the console serves staff wherever they are; who may see what is decided by sign-in (staff: with MFA) and the per-request checks, not by country.',
    );
    acknowledge(
      app.distribution,
      'AwsSolutions-CFR2',
      'No WAF web ACL by default (a per-month and per-request cost): the distribution serves static files and forwards /api/* to the HTTP API, which has its own throttling. Attach a web ACL per stage when wanted.',
    );
    if (!app.viewerLogs)
      acknowledge(
        app.distribution,
        'AwsSolutions-CFR3',
        "This app's URLs carry bearer secrets (invitation links' tokens, share links' tokens), which CloudFront's standard logs would keep in full for as long as the bucket keeps them: no log may hold them. CloudFront's metrics still count requests and errors; the HTTP API's access log (path left out) records each API call.",
      );
    acknowledge(
      app.distribution,
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate: CloudFront fixes its security policy (TLSv1 minimum) and it cannot be changed without a certificate of your own; pass a custom domain and certificate to enforce TLSv1.2_2021.',
    );
  }
  // BucketDeployment's singleton custom-resource function (one per stack, made by aws-s3-deployment, run at deploy time only).
  // Its findings are named by what CDK grants it (bucket logical ids, the asset bucket): they are computed with cdk-nag's own rules.
  for (const construct of webApps[0] ? Stack.of(webApps[0]).node.children : []) {
    if (!construct.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    const role = construct.node.tryFindChild('ServiceRole');
    const findings = (result: unknown) => (Array.isArray(result) ? (result as string[]) : []);
    for (const finding of findings(rules.iam.IAMNoManagedPolicies(role?.node.defaultChild as CfnResource)))
      acknowledge(construct, `AwsSolutions-IAM4[${finding}]`, "CDK's BucketDeployment function writes its own logs with AWSLambdaBasicExecutionRole.");
    for (const finding of findings(rules.iam.IAMNoWildcardPermissions(role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild as CfnResource)))
      acknowledge(
        construct,
        `AwsSolutions-IAM5[${finding}]`,
        finding === 'Resource::*'
          ? "CDK's BucketDeployment grants its invalidations (cloudfront:CreateInvalidation, GetInvalidation) on `*`; the template's statement names the two apps' distributions instead (narrowInvalidations in lib/constructs/web-app.ts overrides it), which cdk-nag, reading CDK's own properties rather than the override, does not see."
          : "CDK's BucketDeployment function copies the build from the CDK asset bucket into the app's bucket: CDK scopes its object wildcards to those two buckets.",
      );
    acknowledge(construct, 'AwsSolutions-L1', "CDK's BucketDeployment function's runtime is chosen by aws-cdk-lib and moves with it.");
  }
}
