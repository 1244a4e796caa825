import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { attachmentObjectKeys } from '../../lambdas/contract/attachments-bucket';
import { ENV, type EnvKey } from '../../lambdas/contract/env';
import { LAMBDA_TIMEOUT_SECONDS } from '../../lambdas/contract/runtime';
import { LAMBDA_BUNDLING } from '../bundling';
import { TABLE, type IndexName } from '../../lambdas/contract/table-schema';
import type { Mail } from './mail';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export type TableAccess = 'read' | 'readWrite';
// Transactions need no action of their own: TransactGetItems is authorised as GetItem, and
// TransactWriteItems per Put/Update/Delete/ConditionCheck. No BatchWriteItem: no code sends one.
const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

/** The indexes the listings query (contacts, documents, the portal's streams); `due` is the scheduled job's alone. */
export const LISTING_INDEXES: readonly IndexName[] = TABLE.indexes.map((index) => index.name).filter((name) => name !== 'due');

/** The admin actions a function may take on the customer pool's logins, without the `cognito-idp:` prefix. */
export type CustomerPoolAction =
  | 'AdminCreateUser'
  | 'AdminGetUser'
  | 'AdminEnableUser'
  | 'AdminDisableUser'
  | 'AdminUserGlobalSignOut'
  | 'AdminSetUserPassword'
  | 'AdminUpdateUserAttributes';

/** Item-level table actions, without the `dynamodb:` prefix. */
export type TableItemAction = 'GetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem';

export interface PortalFunctionProps extends Pick<NodejsFunctionProps, 'description' | 'memorySize'> {
  /** The entry file, relative to the repository root (`lambdas/http/contacts.ts`). */
  readonly entry: string;
  readonly logRetention: logs.RetentionDays;
  /** The stage: the dimension of the business metrics (`PORTAL_STAGE`). */
  readonly stage: string;
  /**
   * The application log level: the code filters its own lines by it (`LOG_LEVEL`). Lambda's filter
   * stays at INFO (DEBUG for DEBUG): it counts a line without a `level` — every EMF metric line —
   * as INFO, so a WARN filter there would drop every business metric and blind the alarms on them.
   */
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * For a function that anyone can invoke without a token (accepting an invitation, a share link):
   * its concurrency is reserved at this number, which is also its ceiling. Unauthenticated floods
   * (each request a few milliseconds of CPU at most, but at the stage's rate limit) then queue or
   * get throttled there instead of taking the account's concurrency from every other function.
   */
  readonly publicConcurrency?: number;
  /** Seconds; the HTTP functions' LAMBDA_TIMEOUT_SECONDS unless said otherwise (the outbox worker runs longer). */
  readonly timeoutSeconds?: number;
}

/**
 * One Lambda function with the house defaults: Node.js 22 on ARM64, X-Ray, a minified bundle with
 * source maps (built by the local esbuild, never Docker), its own log group, Lambda's JSON log
 * format at the stage's level, and a role that holds nothing but what the `bind*` methods add. Each `bind*` sets the environment variable AND grants
 * the access in one call, so the two cannot drift apart.
 */
export class PortalFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: PortalFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${id} function`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      ...(props.publicConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.publicConcurrency }),
      timeout: Duration.seconds(props.timeoutSeconds ?? LAMBDA_TIMEOUT_SECONDS),
      tracing: Tracing.ACTIVE,
      logGroup,
      // Lambda's own JSON lines (START, REPORT with the cold start's init duration) and the code's
      // (platform/log.ts writes the same shape, with request, trace and cold start) in one format.
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: props.logLevel === 'DEBUG' ? ApplicationLogLevel.DEBUG : ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.INFO,
      role,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      environment: { NODE_OPTIONS: '--enable-source-maps', [ENV.stage]: props.stage, [ENV.logLevel]: props.logLevel },
      bundling: {
        // Shared with the benchmark (lib/bundling.ts), so what is measured is what is deployed.
        minify: LAMBDA_BUNDLING.minify,
        target: LAMBDA_BUNDLING.target,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        esbuildArgs: Object.fromEntries(Object.entries(LAMBDA_BUNDLING.alias).map(([from, to]) => [`--alias:${from}`, to])),
        sourceMap: true,
        sourcesContent: LAMBDA_BUNDLING.sourcesContent,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => LAMBDA_BUNDLING.afterBundling(outputDir),
        },
        // The SDK versions the code was tested with, not whatever the runtime happens to carry.
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });
  }

  setEnv(key: EnvKey, value: string): this {
    this.addEnvironment(ENV[key], value);
    return this;
  }

  /**
   * Item-level actions on the table and the named indexes (the listings' unless said otherwise),
   * spelled out rather than CDK's `grantReadData` (which adds `index/*`, Scan and DescribeTable):
   * no Scan, since no request path may scan.
   */
  bindTable(table: ITable, access: TableAccess, indexes: readonly IndexName[] = LISTING_INDEXES): this {
    this.setEnv('tableName', table.tableName);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...TABLE_READ, ...(access === 'readWrite' ? TABLE_WRITE : [])],
        resources: [table.tableArn, ...indexes.map((index) => `${table.tableArn}/index/${index}`)],
      }),
    );
    return this;
  }

  /**
   * Only these item actions, on the table and no index; with `keyPrefixes`, only on items whose
   * partition key starts with one of them (`dynamodb:LeadingKeys`; transactions are authorised item by item).
   */
  bindTableItems(table: ITable, actions: readonly TableItemAction[], keyPrefixes?: readonly string[]): this {
    this.setEnv('tableName', table.tableName);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: actions.map((action) => `dynamodb:${action}`),
        resources: [table.tableArn],
        ...(keyPrefixes ? { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keyPrefixes.map((prefix) => `${prefix}*`) } } } : {}),
      }),
    );
    return this;
  }

  bindCustomerPool(pool: IUserPool, actions: readonly CustomerPoolAction[]): this {
    this.setEnv('customerUserPoolId', pool.userPoolId);
    pool.grant(this, ...actions.map((action) => `cognito-idp:${action}`));
    return this;
  }

  /**
   * For the functions that serve staff routes: read the staff pool (does the user still exist, is it
   * enabled, is it still in `portal-admins`), which the staff-rights check asks every 30 s per user.
   */
  bindStaffPool(pool: IUserPool): this {
    this.setEnv('staffUserPoolId', pool.userPoolId);
    pool.grant(this, 'cognito-idp:AdminGetUser', 'cognito-idp:AdminListGroupsForUser');
    return this;
  }

  /**
   * Reads staff users' names, emails and groups (`AdminGetUser`, `AdminListGroupsForUser`): the
   * invitation mails name the inviter, and a reminder's notice goes to it while it is a portal admin.
   */
  bindStaffProfiles(pool: IUserPool): this {
    this.setEnv('staffUserPoolId', pool.userPoolId);
    pool.grant(this, 'cognito-idp:AdminGetUser', 'cognito-idp:AdminListGroupsForUser');
    return this;
  }

  /**
   * SES v2 SendEmail, allowed only from the stack's identity and through its configuration set. While
   * the account is in the SES sandbox, every recipient is itself a verified identity of the account,
   * and SES authorizes the call on each recipient's identity too (`… is not authorized to perform
   * ses:SendEmail on resource …:identity/<recipient>`): so the account's identities are allowed as
   * recipients — only for a mail whose From is the stack's sender address (`ses:FromAddress`).
   */
  bindMail(mail: Mail): this {
    this.setEnv('senderEmail', mail.senderEmail);
    this.setEnv('businessName', mail.businessName);
    this.setEnv('replyToEmail', mail.replyToEmail);
    this.setEnv('sesConfigurationSet', mail.configurationSet.configurationSetName);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [mail.identity.emailIdentityArn, mail.configurationSetArn],
      }),
    );
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })],
        conditions: { StringEquals: { 'ses:FromAddress': mail.senderEmail } },
      }),
    );
    return this;
  }

  /**
   * The attachments bucket, by prefix. `staff` (the documents function): PUT of uploads (the
   * presigned PUT is signed with its role) and of completed files (the server-side copy), GET and
   * HEAD of both (the checks; the copy's source; a completion that stored the file and must finish),
   * DELETE of both, and ListBucket so that a missing key is a 404 rather than a 403. `download`
   * (the portal, share links): GET of completed files only (the presigned downloads are signed with
   * its role).
   */
  bindAttachments(bucket: IBucket, access: 'staff' | 'download'): this {
    this.setEnv('attachmentsBucket', bucket.bucketName);
    const { pending, file } = attachmentObjectKeys('*');
    const [uploads, files] = [bucket.arnForObjects(pending), bucket.arnForObjects(file)];
    const allow = (actions: string[], resources: string[]) => this.addToRolePolicy(new iam.PolicyStatement({ actions, resources }));
    if (access === 'download') {
      allow(['s3:GetObject'], [files]);
      return this;
    }
    allow(['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], [uploads, files]);
    allow(['s3:ListBucket'], [bucket.bucketArn]);
    return this;
  }

  /** PutEvents on this bus only. */
  bindEventBus(bus: IEventBus): this {
    this.setEnv('eventBusName', bus.eventBusName);
    bus.grantPutEventsTo(this);
    return this;
  }
}
