import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LAMBDA_TIMEOUT_SECONDS } from '../../lambdas/contract/runtime';
import { STAFF_GROUP } from '../../lambdas/contract/identity';
import { PASSWORD_POLICY } from '../../lambdas/contract/password-policy';
import { eventRules } from '../../lambdas/contract/event-rules';
import { OUTBOX_STREAM, OUTBOX_STREAM_FILTER } from '../../lambdas/contract/outbox';
import { allowedMethods, ROUTES, routeKey, type FunctionName } from '../../lambdas/contract/routes';
import { SHARED_THROTTLE } from '../../lambdas/contract/share-links';
import { PortalStack } from '../../lib/stack';
import { TABLE } from '../../lambdas/contract/table-schema';
import { SCHEDULE_RATE_MINUTES } from '../../lambdas/contract/schedule';
import { CORS } from '../../lambdas/contract/cors';
import { synthTemplate, TEST_CONFIG } from './portal-stack';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

let stack: PortalStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthTemplate());
});

const resources = (type: string): [string, Resource][] => Object.entries(template.findResources(type)) as [string, Resource][];
const only = (type: string): [string, Resource] => {
  const found = resources(type);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const logicalId = (construct: { node: { defaultChild?: unknown } } | object): string =>
  stack.getLogicalId(((construct as { node: { defaultChild: unknown } }).node.defaultChild ?? construct) as never);
const functionId = (fn: FunctionName) => logicalId(stack.functions[fn]);
const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });
/** `https://<the portal's distribution>` + suffix, as CloudFormation writes it. */
const portalUrl = (suffix = '') => ({ 'Fn::Join': ['', ['https://', getAtt(logicalId(stack.portal.distribution), 'DomainName'), ...(suffix ? [suffix] : [])]] });
/** The same for the admin console's distribution. */
const adminUrl = (suffix = '') => ({ 'Fn::Join': ['', ['https://', getAtt(logicalId(stack.admin.distribution), 'DomainName'), ...(suffix ? [suffix] : [])]] });

/** The statements of a function's role policy (the role holds no other policy). */
function statementsOf(functionLogicalId: string): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const fn = template.toJSON().Resources[functionLogicalId] as Resource;
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = resources('AWS::IAM::Policy').filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId));
  expect(policies).toHaveLength(1);
  const role = template.toJSON().Resources[roleId] as Resource;
  expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  return (policies[0]![1].Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
}
const actionsOf = (functionLogicalId: string): string[] =>
  statementsOf(functionLogicalId)
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .sort();

describe('table', () => {
  it('is on-demand, point-in-time recoverable, protected from deletion, encrypted, with TTL, and retained', () => {
    const [, table] = only('AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
    });
  });

  it('has the GSIs of the table schema, each with its projection (the due index: keys only)', () => {
    const [, table] = only('AWS::DynamoDB::Table');
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(
      TABLE.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: index.projection },
      })),
    );
    expect(TABLE.indexes.find((index) => index.name === 'due')).toMatchObject({ partitionKey: 'duepk', sortKey: 'duesk', projection: 'KEYS_ONLY' });
  });
});

describe('user pools', () => {
  const customerPoolId = () => logicalId(stack.node.findChild('Identity').node.findChild('CustomerPool'));
  const staffPoolId = () => logicalId(stack.node.findChild('Identity').node.findChild('StaffPool'));

  it('customer pool: no self sign-up, email sign-in, the domain password policy, email recovery, retained', () => {
    const pool = template.toJSON().Resources[customerPoolId()] as Resource;
    expect(pool.DeletionPolicy).toBe('Retain');
    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      DeletionProtection: 'ACTIVE',
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      Policies: {
        PasswordPolicy: {
          MinimumLength: PASSWORD_POLICY.minLength,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    });
  });

  it('portal users cannot change their own email: the client writes no email, and a changed email waits for its verification', () => {
    const pool = template.toJSON().Resources[customerPoolId()] as Resource;
    expect(pool.Properties.UserAttributeUpdateSettings).toEqual({ AttributesRequireVerificationBeforeUpdate: ['email'] });
    const [, client] = resources('AWS::Cognito::UserPoolClient').find(([, c]) => (c.Properties.UserPoolId as { Ref: string }).Ref === customerPoolId())!;
    const writable = client.Properties.WriteAttributes as string[];
    // Set and not empty: a client without WriteAttributes may write every standard attribute.
    expect(writable.length).toBeGreaterThan(0);
    expect(writable).not.toContain('email');
    expect(writable).not.toContain('email_verified');
    expect(writable.sort()).toEqual(['locale', 'zoneinfo']);
  });

  it('customer hosted UI domain comes from the context', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: TEST_CONFIG.hostedUiDomainPrefix, UserPoolId: { Ref: customerPoolId() } });
  });

  it('customer app client: public, authorization code (PKCE) through the hosted UI, no user-existence errors', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: customerPoolId() },
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: Match.arrayWith(['openid']),
      // The portal's own URL by default (no portalUrl in the context).
      CallbackURLs: [portalUrl('/callback')],
      LogoutURLs: [portalUrl('/')],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      AccessTokenValidity: 60,
      TokenValidityUnits: Match.objectLike({ AccessToken: 'minutes' }),
    });
  });

  it('customer app client: the hosted UI only — no SRP, password or custom auth, no aws.cognito.signin.user.admin (a portal user cannot delete or change its own login)', () => {
    const [, client] = resources('AWS::Cognito::UserPoolClient').find(([, c]) => (c.Properties.UserPoolId as { Ref: string }).Ref === customerPoolId())!;
    // Absent, Cognito would allow SRP and custom auth.
    expect(client.Properties.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
    expect(client.Properties.AllowedOAuthScopes).toEqual(['openid', 'email', 'profile']);
  });

  it('staff hosted UI: a domain of its own (from the context); the staff client signs the console in with code + PKCE, no Cognito user-API scope, back to the console only', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: TEST_CONFIG.staffHostedUiDomainPrefix, UserPoolId: { Ref: staffPoolId() } });
    const [, client] = resources('AWS::Cognito::UserPoolClient').find(([, c]) => (c.Properties.UserPoolId as { Ref: string }).Ref === staffPoolId())!;
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ['COGNITO'],
      // The console's own URL (no adminUrl in the context), then the stage's other admin origins.
      CallbackURLs: [adminUrl('/callback'), ...TEST_CONFIG.adminOrigins.map((o) => `${o}/callback`)],
      LogoutURLs: [adminUrl('/'), ...TEST_CONFIG.adminOrigins.map((o) => `${o}/`)],
    });
    // No aws.cognito.signin.user.admin: the console calls no Cognito user API.
    expect(client.Properties.AllowedOAuthScopes).toEqual(['openid', 'email', 'profile']);
    expect(client.Properties.AllowedOAuthFlows).not.toContain('implicit');
  });

  it('each pool names its feature plan: Lite for customers (all it uses is in Lite; docs/cost.md), Essentials for staff', () => {
    const resources = template.toJSON().Resources;
    expect((resources[customerPoolId()] as Resource).Properties.UserPoolTier).toBe('LITE');
    expect((resources[staffPoolId()] as Resource).Properties.UserPoolTier).toBe('ESSENTIALS');
  });

  it('staff pool requires MFA, has the portal-admins group and a password + SRP client', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    const staffPool = template.toJSON().Resources[staffPoolId()] as Resource;
    expect(staffPool.Properties.MfaConfiguration).toBe('ON');
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: STAFF_GROUP, UserPoolId: { Ref: staffPoolId() } });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: staffPoolId() },
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']),
      PreventUserExistenceErrors: 'ENABLED',
      // Short-lived staff tokens (the API re-checks staff rights every 30 s besides).
      AccessTokenValidity: 15,
      IdTokenValidity: 15,
      TokenValidityUnits: Match.objectLike({ AccessToken: 'minutes', IdToken: 'minutes' }),
    });
  });
});

describe('HTTP API', () => {
  const authorizerOf = (pool: 'CustomerPool' | 'StaffPool') => {
    const poolId = logicalId(stack.node.findChild('Identity').node.findChild(pool));
    const found = resources('AWS::ApiGatewayV2::Authorizer').filter(([, a]) => JSON.stringify(a.Properties.JwtConfiguration).includes(`"${poolId}"`));
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const clientOf = (pool: 'CustomerPool' | 'StaffPool') =>
    resources('AWS::Cognito::UserPoolClient').find(([, c]) => (c.Properties.UserPoolId as { Ref: string }).Ref === logicalId(stack.node.findChild('Identity').node.findChild(pool)))![0];

  it('has two JWT authorizers, each trusting its own pool as issuer and its own client as audience', () => {
    expect(resources('AWS::ApiGatewayV2::Authorizer')).toHaveLength(2);
    for (const pool of ['CustomerPool', 'StaffPool'] as const) {
      const [, authorizer] = authorizerOf(pool);
      const poolId = logicalId(stack.node.findChild('Identity').node.findChild(pool));
      expect(authorizer.Properties).toMatchObject({
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          Audience: [{ Ref: clientOf(pool) }],
          Issuer: { 'Fn::Join': ['', [`https://cognito-idp.${TEST_CONFIG.region}.amazonaws.com/`, { Ref: poolId }]] },
        },
      });
    }
  });

  /** route key → { function logical id, authorizer logical id or NONE } */
  function routeTable(): Map<string, { fn: string; auth: string }> {
    const integrations = new Map(
      resources('AWS::ApiGatewayV2::Integration').map(([id, i]) => [id, (i.Properties.IntegrationUri as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]]),
    );
    return new Map(
      resources('AWS::ApiGatewayV2::Route').map(([, r]) => {
        const target = (r.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1].Ref;
        const auth = r.Properties.AuthorizationType === 'JWT' ? (r.Properties.AuthorizerId as { Ref: string }).Ref : String(r.Properties.AuthorizationType);
        return [r.Properties.RouteKey as string, { fn: integrations.get(target)!, auth }];
      }),
    );
  }

  it('has one route per route-table entry, on its function, behind its principal’s authorizer', () => {
    const routes = routeTable();
    const authorizers = { staff: authorizerOf('StaffPool')[0], customer: authorizerOf('CustomerPool')[0], public: 'NONE' };
    for (const route of ROUTES) {
      expect({ key: routeKey(route), ...routes.get(routeKey(route)) }).toEqual({ key: routeKey(route), fn: functionId(route.fn), auth: authorizers[route.principal] });
    }
  });

  it('requires no scope on any route: an ID token passes the authorizer (its aud is the client id) and the function answers 401 — a scope would make API Gateway answer 403 (API.md: 401, also in AWS)', () => {
    const routes = resources('AWS::ApiGatewayV2::Route');
    expect(routes.length).toBeGreaterThan(ROUTES.length);
    for (const [, route] of routes) expect({ key: route.Properties.RouteKey, scopes: route.Properties.AuthorizationScopes }).toEqual({ key: route.Properties.RouteKey, scopes: undefined });
  });

  it('sends every other method on known paths, anything else under /portal, and unknown paths to the system function, without authorizer', () => {
    const routes = routeTable();
    const fallbacks = [...[...allowedMethods().keys()].map((path) => `ANY ${path}`), 'ANY /portal/{proxy+}', '$default'];
    for (const key of fallbacks) expect({ key, ...routes.get(key) }).toEqual({ key, fn: functionId('system'), auth: 'NONE' });
    expect(routes.size).toBe(ROUTES.length + fallbacks.length);
  });

  it('has no CORS at all when the stage names no other admin origin (the portal and the console call /api/* on their own origins)', () => {
    const bare = new PortalStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'PortalAccess-bare', {
      config: { ...TEST_CONFIG, adminOrigins: [] },
      env: { account: '123456789012', region: TEST_CONFIG.region },
    });
    const [api] = Object.values(Template.fromStack(bare).findResources('AWS::ApiGatewayV2::Api')) as Resource[];
    expect(api!.Properties.CorsConfiguration).toBeUndefined();
  });

  it('allows the stage’s other admin origins with the contract’s headers (CORS); the portal and the console need none (they call /api/* on their own origins)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: [...TEST_CONFIG.adminOrigins],
        AllowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'],
        ExposeHeaders: ['ETag', 'Location', 'Allow', 'Retry-After', 'X-Request-Id'],
        AllowMethods: Match.arrayWith(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
        MaxAge: CORS.maxAgeSeconds,
      },
    });
  });

  it('throttles the default stage and writes JSON access logs to its own log group', () => {
    const [, stage] = only('AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: TEST_CONFIG.apiRateLimit, ThrottlingBurstLimit: TEST_CONFIG.apiBurstLimit },
    });
    const logs = stage.Properties.AccessLogSettings as { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
    expect(template.toJSON().Resources[logs.DestinationArn['Fn::GetAtt'][0]].Type).toBe('AWS::Logs::LogGroup');
    expect(JSON.parse(logs.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status', routeKey: '$context.routeKey' });
    // A share link's path is its secret: no access log line holds a request's path.
    expect(logs.Format).not.toMatch(/\$context\.(path|http\.path|resourcePath)/);
  });

  it('throttles each route the route table throttles (the share links), with the table’s numbers, and no other route', () => {
    const [, stage] = only('AWS::ApiGatewayV2::Stage');
    const throttled = ROUTES.filter((route) => route.throttle);
    expect(throttled.map(routeKey).sort()).toEqual(['GET /shared/{token}', 'GET /shared/{token}/attachments/{attachmentId}']);
    expect(stage.Properties.RouteSettings).toEqual(
      Object.fromEntries(throttled.map((route) => [routeKey(route), { ThrottlingRateLimit: SHARED_THROTTLE.rateLimit, ThrottlingBurstLimit: SHARED_THROTTLE.burstLimit }])),
    );
    // Route settings name routes that must exist first.
    const [stageId] = only('AWS::ApiGatewayV2::Stage');
    const dependsOn = (template.toJSON().Resources[stageId] as { DependsOn?: string[] }).DependsOn ?? [];
    const routeIds = new Map(resources('AWS::ApiGatewayV2::Route').map(([id, r]) => [r.Properties.RouteKey as string, id]));
    for (const route of throttled) expect(dependsOn).toContain(routeIds.get(routeKey(route)));
  });
});

describe('functions', () => {
  it('every function: Node.js 22, ARM64, X-Ray, the shared timeout (the outbox worker its own), source maps, its own log group with retention', () => {
    const ours = [...Object.values(stack.functions), stack.eventsFunction, stack.scheduleFunction, stack.outboxWorker].map((f) => logicalId(f));
    const functions = ours.map((id) => [id, template.toJSON().Resources[id] as Resource] as const);
    expect(functions).toHaveLength(10);
    // The only other function is CDK's BucketDeployment (deploy time only).
    expect(resources('AWS::Lambda::Function')).toHaveLength(11);
    for (const [id, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Timeout: id === logicalId(stack.outboxWorker) ? OUTBOX_STREAM.workerTimeoutSeconds : LAMBDA_TIMEOUT_SECONDS,
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
      const logGroupId = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logGroup = template.toJSON().Resources[logGroupId] as Resource;
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties.RetentionInDays).toBe(TEST_CONFIG.logRetentionDays);
    }
  });

  it('the web apps’ deployment function (CDK’s) logs to a group with the stage’s retention, not to a group kept forever', () => {
    const [, deployer] = resources('AWS::Lambda::Function').find(([id]) => id.startsWith('CustomCDKBucketDeployment'))!;
    const logGroupId = (deployer.Properties.LoggingConfig as { LogGroup: { Ref: string } } | undefined)?.LogGroup.Ref;
    expect(logGroupId).toBeDefined();
    expect(template.toJSON().Resources[logGroupId!]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: TEST_CONFIG.logRetentionDays } });
  });

  it('the functions reachable without a token have reserved (capped) concurrency; the others draw on the account', () => {
    const reserved = (id: string) => (template.toJSON().Resources[id] as Resource).Properties.ReservedConcurrentExecutions;
    const publicFunctions = new Set<FunctionName>(['invitations', 'system', 'shared']);
    for (const route of ROUTES.filter((r) => r.principal === 'public')) expect(publicFunctions.has(route.fn)).toBe(true);
    for (const fn of Object.keys(stack.functions) as FunctionName[])
      expect({ fn, reserved: reserved(functionId(fn)) }).toEqual({ fn, reserved: publicFunctions.has(fn) ? TEST_CONFIG.publicFunctionConcurrency : undefined });
    expect(reserved(logicalId(stack.eventsFunction))).toBeUndefined();
    expect(reserved(logicalId(stack.scheduleFunction))).toBeUndefined();
  });

  it('no IAM statement grants a DynamoDB action on "*" but ListStreams (which reads no item and has no resource to name); "*" is otherwise only X-Ray', () => {
    for (const [, policy] of resources('AWS::IAM::Policy')) {
      for (const statement of (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        if (actions.some((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:ListStreams')) expect(JSON.stringify(statement.Resource)).not.toContain('"*"');
        // X-Ray and the stream's ListStreams (which names no stream: CDK's grantStreamRead adds it so) support no resource.
        if (JSON.stringify(statement.Resource) === '"*"') expect([['dynamodb:ListStreams'], ['xray:PutTelemetryRecords', 'xray:PutTraceSegments']]).toContainEqual(actions.sort());
      }
    }
  });

  it('the web apps’ deployment may invalidate the two apps’ distributions, and no other', () => {
    const invalidations = resources('AWS::IAM::Policy').flatMap(([, policy]) =>
      (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement.filter((s) => [s.Action].flat().includes('cloudfront:CreateInvalidation')),
    );
    expect(invalidations).toHaveLength(1);
    const distributionArn = (app: typeof stack.portal) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::123456789012:distribution/', { Ref: logicalId(app.distribution) }]],
    });
    expect(invalidations[0]!.Resource).toEqual([distributionArn(stack.portal), distributionArn(stack.admin)]);
  });

  const BASE = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
  const READ = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];
  // No BatchWriteItem: no code sends one (lambdas/adapters/dynamodb: every multi-item write is a transaction).
  const BY_KEY = ['dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
  const WRITE = [...new Set([...READ, ...BY_KEY])];
  const pool = (...actions: string[]) => actions.map((a) => `cognito-idp:${a}`);
  /** The outbox worker's logins: create (or adopt) and enable, disable and sign out a revoked one. No password, no attribute writes. */
  const LIFECYCLE = pool('AdminDisableUser', 'AdminUserGlobalSignOut', 'AdminEnableUser', 'AdminGetUser', 'AdminCreateUser');
  /** The staff-rights re-check, on the staff pool. */
  const STAFF = pool('AdminGetUser', 'AdminListGroupsForUser');
  /** Reading the table's stream (the event source mapping's). */
  const STREAM = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
  const QUEUE = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
  type Holder = FunctionName | 'events' | 'schedule' | 'outbox';
  // The HTTP functions and the events function write records and outbox items only: no customer pool, no SES, no bus.
  const expected: Record<Holder, string[]> = {
    system: BASE,
    contacts: [...BASE, ...WRITE, ...STAFF, ...pool('AdminGetUser', 'AdminUpdateUserAttributes', 'AdminUserGlobalSignOut')],
    'portal-access': [...BASE, ...WRITE, ...STAFF],
    documents: [...BASE, ...WRITE, ...STAFF, 's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject'],
    portal: [...BASE, ...READ, 's3:GetObject'],
    invitations: [...BASE, 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', ...pool('AdminSetUserPassword', 'AdminUserGlobalSignOut')],
    shared: [...BASE, 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 's3:GetObject'],
    events: [...BASE, ...WRITE, ...QUEUE],
    // The worker also reads staff users' names, emails and groups (the mails name the inviter; a reminder's notice goes to it while it is a portal admin).
    // Items by key only: the worker's stores (wiring/outbox.ts) neither query nor batch-read.
    // ses:SendEmail twice: the stack's identity and configuration set; the account's identities as (sandbox) recipients.
    outbox: [...BASE, ...BY_KEY, ...STREAM, ...LIFECYCLE, 'ses:SendEmail', 'ses:SendEmail', 'events:PutEvents', ...STAFF, ...QUEUE],
    // The scheduled job: the table and the bus (expiries; reminders are queued for the worker); no Cognito, no mail.
    schedule: [...BASE, ...WRITE, 'events:PutEvents', ...QUEUE],
  };
  const idOf = (name: Holder) =>
    name === 'events' ? logicalId(stack.eventsFunction) : name === 'schedule' ? logicalId(stack.scheduleFunction) : name === 'outbox' ? logicalId(stack.outboxWorker) : functionId(name);

  it.each(Object.keys(expected) as Holder[])('%s holds exactly the actions its area needs', (name) => {
    expect(actionsOf(idOf(name))).toEqual([...expected[name]].sort());
  });

  it('the staff pool is read by the functions with staff routes only, and only the staff pool', () => {
    const staffPoolId = logicalId(stack.node.findChild('Identity').node.findChild('StaffPool'));
    const staffFunctions = new Set(ROUTES.filter((r) => r.principal === 'staff').map((r) => r.fn));
    for (const fn of Object.keys(stack.functions) as FunctionName[]) {
      const onStaffPool = statementsOf(functionId(fn)).filter((s) => JSON.stringify(s.Resource).includes(`"${staffPoolId}"`));
      expect({ fn, actions: onStaffPool.flatMap((s) => s.Action).sort() }).toEqual({ fn, actions: staffFunctions.has(fn) ? [...STAFF].sort() : [] });
    }
  });

  const indexArn = (tableId: string, name: string) => ({ 'Fn::Join': ['', [getAtt(tableId), `/index/${name}`]] });
  const tableStatement = (id: string) => statementsOf(id).find((s) => JSON.stringify(s.Action).includes('dynamodb:') && !JSON.stringify(s.Action).includes('dynamodb:GetRecords'))!;

  it('DynamoDB access names the table and the four listing indexes, nothing wider; the due index is the scheduled job’s alone', () => {
    const tableId = only('AWS::DynamoDB::Table')[0];
    const listings = ['gsi1', 'gsi2', 'gsi3', 'gsi4'].map((name) => indexArn(tableId, name));
    for (const fn of ['contacts', 'portal-access', 'documents', 'portal'] as FunctionName[]) expect({ fn, resources: tableStatement(functionId(fn)).Resource }).toEqual({ fn, resources: [getAtt(tableId), ...listings] });
    expect(tableStatement(logicalId(stack.eventsFunction)).Resource).toEqual([getAtt(tableId), ...listings]);
    expect(tableStatement(logicalId(stack.scheduleFunction)).Resource).toEqual([getAtt(tableId), ...TABLE.indexes.map((index) => indexArn(tableId, index.name))]);
  });

  it('the outbox worker reaches the table’s items by key, no index (and, for its event source, the stream)', () => {
    const tableId = only('AWS::DynamoDB::Table')[0];
    expect(tableStatement(logicalId(stack.outboxWorker))).toMatchObject({ Resource: getAtt(tableId) });
    expect(tableStatement(logicalId(stack.outboxWorker))).not.toHaveProperty('Condition');
  });

  it('the public invitation function reaches only its items: the invitation, its contact, its audit trail (LeadingKeys), no index', () => {
    const tableId = only('AWS::DynamoDB::Table')[0];
    const statement = statementsOf(functionId('invitations')).find((s) => JSON.stringify(s.Action).includes('dynamodb:')) as {
      Resource: unknown;
      Condition?: unknown;
    };
    expect(statement.Resource).toEqual(getAtt(tableId));
    expect(statement.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INVITATION#*', 'CONTACT#*', 'AUDIT#*'] } });
  });

  it('the public share-link function reads its link, the document, the recipient and attachment records by key, queries only document collections, and writes nothing but link items (LeadingKeys), no index', () => {
    const tableId = only('AWS::DynamoDB::Table')[0];
    const statements = statementsOf(functionId('shared')).filter((s) => JSON.stringify(s.Action).includes('dynamodb:')) as { Action: string; Resource: unknown; Condition?: unknown }[];
    expect(statements.map((s) => ({ ...s, Effect: undefined }))).toEqual([
      { Action: 'dynamodb:GetItem', Resource: getAtt(tableId), Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['LINK#*', 'DOC#*', 'CONTACT#*'] } } },
      { Action: 'dynamodb:Query', Resource: getAtt(tableId), Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DOC#*'] } } },
      { Action: 'dynamodb:UpdateItem', Resource: getAtt(tableId), Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['LINK#*'] } } },
    ]);
  });

  it('nothing holds an action no code uses: attribute writes (a login moving to its new email) in contacts only, no login creation or password outside their functions', () => {
    const all = (name: Holder) => actionsOf(idOf(name));
    for (const name of Object.keys(expected) as Holder[]) {
      if (name !== 'contacts') expect({ name, writes: all(name).includes('cognito-idp:AdminUpdateUserAttributes') }).toEqual({ name, writes: false });
      if (name !== 'outbox') expect({ name, creates: all(name).includes('cognito-idp:AdminCreateUser') }).toEqual({ name, creates: false });
      if (name !== 'invitations') expect({ name, sets: all(name).includes('cognito-idp:AdminSetUserPassword') }).toEqual({ name, sets: false });
    }
  });

  it("SES sending is limited to the identity and the configuration set; the account's identities only as recipients of the stack's sender (the sandbox)", () => {
    const [statement, recipients, ...more] = statementsOf(logicalId(stack.outboxWorker)).filter((s) => s.Action === 'ses:SendEmail');
    expect(more).toEqual([]);
    const identityId = only('AWS::SES::EmailIdentity')[0];
    const configSetId = only('AWS::SES::ConfigurationSet')[0];
    const resourcesText = JSON.stringify(statement!.Resource);
    expect(statement!.Resource).toHaveLength(2);
    expect(statement!.Condition).toBeUndefined();
    expect(resourcesText).toContain(`:identity/",{"Ref":"${identityId}"}`);
    expect(resourcesText).toContain(`:configuration-set/",{"Ref":"${configSetId}"}`);
    expect(JSON.stringify(recipients!.Resource)).toMatch(/:ses:[^"]*:identity\/\*"\]\]\}$/);
    expect(recipients!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': TEST_CONFIG.senderEmail } });
  });

  it('each function gets the environment its bindings need, and nothing more', () => {
    const variables = (id: string) => Object.keys((template.toJSON().Resources[id].Properties.Environment as { Variables: object }).Variables).sort();
    // Every function: its log level, the source maps, and the stage (the business metrics' dimension).
    const every = ['LOG_LEVEL', 'NODE_OPTIONS', 'PORTAL_STAGE'];
    expect(variables(functionId('system'))).toEqual(every);
    expect(variables(functionId('portal'))).toEqual(['ATTACHMENTS_BUCKET', ...every, 'TABLE_NAME']);
    expect(variables(functionId('documents'))).toEqual(['ATTACHMENTS_BUCKET', ...every, 'PORTAL_URL', 'STAFF_USER_POOL_ID', 'TABLE_NAME']);
    expect(variables(functionId('shared'))).toEqual(['ATTACHMENTS_BUCKET', ...every, 'TABLE_NAME']);
    // contacts (archive revokes), portal-access and events write records and outbox items: the table (lambdas/wiring/revocation.ts);
    // contacts also moves a login's email (the customer pool).
    expect(variables(functionId('contacts'))).toEqual(['CUSTOMER_USER_POOL_ID', ...every, 'STAFF_USER_POOL_ID', 'TABLE_NAME']);
    // portal-access issues a re-invite's link for staff: the invitation settings, no mail.
    expect(variables(functionId('portal-access'))).toEqual(['INVITATION_TTL_SECONDS', ...every, 'PORTAL_URL', 'REMINDER_AFTER_SECONDS', 'STAFF_USER_POOL_ID', 'TABLE_NAME'].sort());
    expect(variables(functionId('invitations'))).toEqual(['CUSTOMER_USER_POOL_ID', ...every, 'TABLE_NAME']);
    expect(variables(logicalId(stack.eventsFunction))).toEqual([...every, 'TABLE_NAME']);
    expect(variables(logicalId(stack.scheduleFunction))).toEqual(['EVENT_BUS_NAME', ...every, 'TABLE_NAME']);
    const invitationSettings = ['INVITATION_TTL_SECONDS', 'PORTAL_URL', 'REMINDER_AFTER_SECONDS'];
    expect(variables(logicalId(stack.outboxWorker))).toEqual(
      ['BUSINESS_NAME', 'CUSTOMER_USER_POOL_ID', 'EVENT_BUS_NAME', 'MAIL_RATE_PER_SECOND', ...every, 'REPLY_TO_EMAIL', 'SENDER_EMAIL', 'SES_CONFIGURATION_SET', 'STAFF_USER_POOL_ID', 'TABLE_NAME', ...invitationSettings].sort(),
    );
    for (const id of [functionId('portal-access'), logicalId(stack.outboxWorker)])
      expect((template.toJSON().Resources[id].Properties.Environment as { Variables: object }).Variables).toMatchObject({
        // Invitation links point at the portal's own URL by default; the durations in seconds, from the context's days and hours.
        PORTAL_URL: portalUrl(),
        INVITATION_TTL_SECONDS: String(7 * 24 * 3600),
        REMINDER_AFTER_SECONDS: String(72 * 3600),
      });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SENDER_EMAIL: TEST_CONFIG.senderEmail, BUSINESS_NAME: TEST_CONFIG.businessName, MAIL_RATE_PER_SECOND: '10' }) },
    });
  });
});

describe('mail', () => {
  it('has the identity from the context, with the configuration set as its default', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: TEST_CONFIG.sesIdentity,
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: only('AWS::SES::ConfigurationSet')[0] } },
    });
  });

  it('sends bounces and complaints, and only those, to the default event bus', () => {
    const [, destination] = only('AWS::SES::ConfigurationSetEventDestination');
    const config = destination.Properties.EventDestination as { Enabled?: boolean; MatchingEventTypes: string[]; EventBridgeDestination: { EventBusArn: unknown } };
    expect([...config.MatchingEventTypes].sort()).toEqual(['bounce', 'complaint']);
    expect(JSON.stringify(config.EventBridgeDestination.EventBusArn)).toMatch(/:event-bus\/default"/);
  });

  it('takes back the feedback of its own configuration set only: the default bus carries every stage’s and every application’s SES events', () => {
    const [, rule] = resources('AWS::Events::Rule').find(([, r]) => r.Properties.EventBusName === 'default')!;
    expect(rule.Properties.EventPattern).toMatchObject({
      source: ['aws.ses'],
      detail: { mail: { tags: { 'ses:configuration-set': [{ Ref: only('AWS::SES::ConfigurationSet')[0] }] } } },
    });
  });
});

/** The rules as the contract writes them, with a stand-in for the configuration set's name. */
const CONFIGURATION_SET = 'the-configuration-set';
const EVENT_RULES = eventRules({ mailConfigurationSet: CONFIGURATION_SET });

describe('events', () => {
  it('has the stage’s own bus', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: `portal-access-${TEST_CONFIG.stage}` });
  });

  it.each(EVENT_RULES.map((rule) => [rule.id, rule] as const))('rule %s: the shared pattern, on its bus, to the events function with retries and an encrypted DLQ', (_id, rule) => {
    const matching = resources('AWS::Events::Rule').filter(([, r]) => r.Properties.Description === rule.description);
    expect(matching).toHaveLength(1);
    const properties = matching[0]![1].Properties;
    // The configuration set's name is a deploy-time value: its Ref where the rules name it.
    const configurationSet = JSON.stringify({ Ref: only('AWS::SES::ConfigurationSet')[0] });
    expect(properties.EventPattern).toEqual(JSON.parse(JSON.stringify(rule.pattern).replaceAll(JSON.stringify(CONFIGURATION_SET), configurationSet)));
    expect(properties.EventBusName).toEqual(rule.bus === 'default' ? 'default' : { Ref: only('AWS::Events::EventBus')[0] });
    const targets = properties.Targets as { Arn: unknown; RetryPolicy: object; DeadLetterConfig: { Arn: { 'Fn::GetAtt': [string, string] } } }[];
    expect(targets).toHaveLength(1);
    expect(targets[0]!.Arn).toEqual(getAtt(logicalId(stack.eventsFunction)));
    expect(targets[0]!.RetryPolicy).toEqual({ MaximumRetryAttempts: expect.any(Number), MaximumEventAgeInSeconds: expect.any(Number) });
    const queueId = targets[0]!.DeadLetterConfig.Arn['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[queueId]).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true } });
  });

  it('the events function and the scheduled job send what they keep failing on to an on-failure queue', () => {
    const configs = resources('AWS::Lambda::EventInvokeConfig');
    expect(configs.map(([, c]) => c.Properties.FunctionName)).toEqual([{ Ref: logicalId(stack.eventsFunction) }, { Ref: logicalId(stack.scheduleFunction) }]);
    for (const [, config] of configs) {
      const destination = (config.Properties.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } }).OnFailure.Destination;
      expect(template.toJSON().Resources[destination['Fn::GetAtt'][0]].Type).toBe('AWS::SQS::Queue');
    }
  });

  it('every dead-letter queue refuses non-TLS access and raises an alarm on its first message', () => {
    const queues = resources('AWS::SQS::Queue');
    // The rules' DLQs, the events function's failures, the scheduled job's two (undelivered runs, failed runs), the outbox stream's failures.
    expect(queues).toHaveLength(EVENT_RULES.length + 1 + 2 + 1);
    for (const [queueId] of queues) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    }
  });
});

describe('outbox', () => {
  it('the table streams new images to the outbox worker: filtered to new outbox items, batched, bisected, bounded, with an on-failure queue', () => {
    const [tableId, table] = only('AWS::DynamoDB::Table');
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    const [, mapping] = only('AWS::Lambda::EventSourceMapping');
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: logicalId(stack.outboxWorker) },
      EventSourceArn: getAtt(tableId, 'StreamArn'),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: OUTBOX_STREAM.batchSize,
      ParallelizationFactor: OUTBOX_STREAM.parallelizationFactor,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: OUTBOX_STREAM.retryAttempts,
      MaximumRecordAgeInSeconds: OUTBOX_STREAM.maxRecordAgeSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(OUTBOX_STREAM_FILTER) }] },
    });
    const queueId = (mapping.Properties.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } }).OnFailure.Destination['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[queueId]).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true } });
  });
});

describe('the scheduled job', () => {
  it('a rate rule on the default bus runs the job function every SCHEDULE_RATE_MINUTES, with retries and a dead-letter queue', () => {
    const rules = resources('AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression !== undefined);
    expect(rules).toHaveLength(1);
    const properties = rules[0]![1].Properties;
    expect(properties.ScheduleExpression).toBe(SCHEDULE_RATE_MINUTES === 1 ? 'rate(1 minute)' : `rate(${SCHEDULE_RATE_MINUTES} minutes)`);
    expect(properties.EventBusName).toBeUndefined();
    const targets = properties.Targets as { Arn: unknown; RetryPolicy: object; DeadLetterConfig: { Arn: { 'Fn::GetAtt': [string, string] } } }[];
    expect(targets).toHaveLength(1);
    expect(targets[0]!.Arn).toEqual(getAtt(logicalId(stack.scheduleFunction)));
    expect(targets[0]!.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 });
    expect(template.toJSON().Resources[targets[0]!.DeadLetterConfig.Arn['Fn::GetAtt'][0]].Type).toBe('AWS::SQS::Queue');
  });

  it('queues the reminders (no SES, no pool); the outbox worker only reads users and their groups in the staff pool', () => {
    const actions = statementsOf(logicalId(stack.scheduleFunction)).flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a.startsWith('ses:') || a.startsWith('cognito-idp:'))).toEqual([]);
    const [staffPoolId] = resources('AWS::Cognito::UserPool').find(([id]) => id.includes('StaffPool'))!;
    const onStaffPool = statementsOf(logicalId(stack.outboxWorker)).filter((s) => JSON.stringify(s.Resource) === JSON.stringify(getAtt(staffPoolId)));
    expect(onStaffPool.flatMap((s) => [s.Action].flat()).sort()).toEqual(['cognito-idp:AdminGetUser', 'cognito-idp:AdminListGroupsForUser']);
  });

  it('may Query the due index (the IAM statement names every index of the schema)', () => {
    const statement = statementsOf(logicalId(stack.scheduleFunction)).find((s) => JSON.stringify(s.Action).includes('dynamodb:Query'))!;
    expect(JSON.stringify(statement.Resource)).toContain('/index/due');
  });
});

describe('alarms', () => {
  it('every alarm (the dead letters and observability.test.ts\'s) notifies one SNS topic, encrypted with a rotated key CloudWatch may use, reachable over TLS only', () => {
    const [topicId, topic] = only('AWS::SNS::Topic');
    const keyId = (topic.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[keyId]).toMatchObject({ Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } });
    const keyPolicy = JSON.stringify((template.toJSON().Resources[keyId] as Resource).Properties.KeyPolicy);
    expect(keyPolicy).toContain('cloudwatch.amazonaws.com');
    const alarms = resources('AWS::CloudWatch::Alarm');
    // The dead letters' alarms: one per event rule, the events function's own, the scheduled job's two, the outbox stream's failures.
    expect(alarms.filter(([, alarm]) => alarm.Properties.Namespace === 'AWS/SQS')).toHaveLength(EVENT_RULES.length + 1 + 2 + 1);
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
    // No address configured: no subscription.
    expect(resources('AWS::SNS::Subscription')).toHaveLength(0);
  });

  it('mails the alarms to alarmEmail when the stage names one', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const withEmail = new PortalStack(app, 'PortalAccess-mail', { config: { ...TEST_CONFIG, alarmEmail: 'ops@example.com' }, env: { account: '123456789012', region: TEST_CONFIG.region } });
    Template.fromStack(withEmail).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

describe('outputs', () => {
  it('tell a client and an operator what they need: API URL, the apps and hosted UIs, pools and clients, bus, and the SES domain’s DKIM records', () => {
    const outputs = Object.keys(template.findOutputs('*')).sort();
    expect(outputs).toEqual(
      [
        'AlarmTopicArn',
        'ApiUrl',
        'AttachmentsBucketName',
        'CustomerClientId',
        'CustomerUserPoolId',
        'DashboardName',
        'EventBusName',
        'HostedUiBaseUrl',
        'StaffHostedUiBaseUrl',
        'PortalUrl',
        'AdminUrl',
        'SesConfigurationSet',
        'SesDkimCname1',
        'SesDkimCname2',
        'SesDkimCname3',
        'StaffClientId',
        'StaffUserPoolId',
        'TableName',
      ].sort(),
    );
  });
});

describe('attachments bucket', () => {
  const bucketId = () => logicalId(stack.node.findChild('Attachments').node.findChild('Bucket'));
  const logsId = () => logicalId(stack.node.findChild('Attachments').node.findChild('AccessLogs'));
  const bucket = () => template.toJSON().Resources[bucketId()] as Resource;
  const objects = (prefix: string) => ({ 'Fn::Join': ['', [getAtt(bucketId()), `/${prefix}*`]] });
  const s3Statements = (fn: FunctionName | 'events') =>
    statementsOf(fn === 'events' ? logicalId(stack.eventsFunction) : functionId(fn))
      .filter((s) => JSON.stringify(s.Action).includes('s3:'))
      .map((s) => ({ actions: (Array.isArray(s.Action) ? s.Action : [s.Action]).sort(), resources: Array.isArray(s.Resource) ? s.Resource : [s.Resource] }));

  it('is private: all public access blocked, ACLs disabled, S3-managed encryption, retained', () => {
    // The attachments' buckets: the files and their access logs (the portal's web hosting has its own).
    expect(resources('AWS::S3::Bucket').map(([id]) => id).filter((id) => id.startsWith('Attachments')).sort()).toEqual([bucketId(), logsId()].sort());
    for (const id of [bucketId(), logsId()]) {
      const b = template.toJSON().Resources[id] as Resource;
      expect(b.DeletionPolicy).toBe('Retain');
      expect(b.Properties).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
    }
  });

  it('refuses every request without TLS (and below TLS 1.2), by bucket policy', () => {
    const policy = resources('AWS::S3::BucketPolicy').find(([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId() }))![1];
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]),
    );
  });

  it('is versioned, logs its accesses to the log bucket, and its lifecycle removes leftovers', () => {
    expect(bucket().Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId() }, LogFilePrefix: 'attachments/' },
    });
    const rules = (bucket().Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
        expect.objectContaining({ Prefix: 'pending/', ExpirationInDays: 1, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' }),
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 7 }, ExpiredObjectDeleteMarker: true, Status: 'Enabled' }),
      ]),
    );
    // No rule expires completed files: `files/` objects live as long as their document.
    expect(rules.filter((r) => r.ExpirationInDays !== undefined).map((r) => r.Prefix)).toEqual(['pending/']);
  });

  it('allows only the upload from the console and the admin origins by CORS: PUT with Content-Type', () => {
    // The console on its default CloudFront domain (no adminUrl in the test stage): CloudFront's domains, not its distribution (a cycle).
    expect(bucket().Properties.CorsConfiguration).toEqual({
      CorsRules: [{ AllowedOrigins: ['https://*.cloudfront.net', ...TEST_CONFIG.adminOrigins], AllowedMethods: ['PUT'], AllowedHeaders: ['Content-Type'], ExposedHeaders: ['ETag'], MaxAge: 3000 }],
    });
  });

  it('names the console exactly when it has a domain of its own (adminUrl)', () => {
    const own = synthTemplate({ ...TEST_CONFIG, adminUrl: 'https://console.example.com' }).template;
    const withCors = Object.values(own.findResources('AWS::S3::Bucket')).map((b) => (b as Resource).Properties.CorsConfiguration as { CorsRules: { AllowedOrigins: string[] }[] } | undefined);
    expect(withCors.flatMap((cors) => cors?.CorsRules.map((rule) => rule.AllowedOrigins) ?? [])).toEqual([['https://console.example.com', ...TEST_CONFIG.adminOrigins]]);
  });

  it('the documents function may put, read and delete uploads and completed files, and list (404s); nothing else', () => {
    expect(s3Statements('documents')).toEqual(
      expect.arrayContaining([
        { actions: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], resources: [objects('pending/'), objects('files/')] },
        { actions: ['s3:ListBucket'], resources: [getAtt(bucketId())] },
      ]),
    );
    expect(s3Statements('documents')).toHaveLength(2);
  });

  it('the portal and share-link functions may only read completed files (they sign the downloads); no other function touches the bucket', () => {
    expect(s3Statements('portal')).toEqual([{ actions: ['s3:GetObject'], resources: [objects('files/')] }]);
    expect(s3Statements('shared')).toEqual([{ actions: ['s3:GetObject'], resources: [objects('files/')] }]);
    for (const fn of ['system', 'contacts', 'portal-access', 'invitations', 'events'] as const) expect(s3Statements(fn)).toEqual([]);
  });
});
