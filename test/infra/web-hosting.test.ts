/**
 * The web apps' hosting, the customer portal's and the admin console's alike: a private bucket
 * behind CloudFront (origin access control, HTTPS only), the security headers of lib/web-headers.ts
 * plus HSTS, the SPA fallback, `/api/*` forwarded to the HTTP API, and the deployed `/config.json`
 * pointing at the API (on the app's own origin) and the app's pool, client and hosted UI.
 */
import { type Template } from 'aws-cdk-lib/assertions';
import { PASSWORD_POLICY } from '../../lambdas/contract/password-policy';
import type { PortalStack } from '../../lib/stack';
import type { WebApp } from '../../lib/constructs/web-app';
import { contentSecurityPolicy, WEB_CACHE_CONTROL, WEB_HEADERS } from '../../lib/web-headers';
import { synthTemplate, TEST_CONFIG } from './portal-stack';

type Resource = { Type: string; Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

let stack: PortalStack;
let template: Template;
beforeAll(() => {
  ({ stack, template } = synthTemplate());
});

const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);
const resource = (id: string) => template.toJSON().Resources[id] as Resource;

/** A CloudFormation value as text: Fn::Join joined, Ref and GetAtt as `{Ref}` / `{Id.Attr}`. */
function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['Fn::Join'])) return (v['Fn::Join'][1] as unknown[]).map(flat).join(v['Fn::Join'][0] as string);
  if (typeof v.Ref === 'string') return `{${v.Ref}}`;
  if (Array.isArray(v['Fn::GetAtt'])) return `{${(v['Fn::GetAtt'] as string[]).join('.')}}`;
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

/** Each app: its construct, its pool, its client, its hosted UI domain, its URL output. */
const APPS = [
  { app: 'portal', web: () => stack.portal, pool: 'CustomerPool', client: 'PortalClient', domain: 'HostedUi', domainPrefix: TEST_CONFIG.hostedUiDomainPrefix, output: 'PortalUrl' },
  { app: 'admin', web: () => stack.admin, pool: 'StaffPool', client: 'AdminClient', domain: 'StaffHostedUi', domainPrefix: TEST_CONFIG.staffHostedUiDomainPrefix, output: 'AdminUrl' },
] as const;

describe.each(APPS)('the $app app', ({ app, web, pool, client, domain, domainPrefix, output }) => {
  const webApp = (): WebApp => web();
  const identity = () => stack.node.findChild('Identity');
  const distribution = () => resource(logicalId(webApp().distribution)).Properties.DistributionConfig;
  const hostedUiDomainId = () => logicalId(identity().node.findChild(pool).node.findChild(domain) as never);
  const distributionUrl = () => `https://{${logicalId(webApp().distribution)}.DomainName}`;
  const deploymentsOf = () =>
    (Object.values(template.findResources('Custom::CDKBucketDeployment')) as Resource[]).filter((d) => d.Properties.DestinationBucketName.Ref === logicalId(webApp().bucket));

  it('bucket: private, all public access blocked, objects owned by the bucket, encrypted, access logged', () => {
    const bucket = resource(logicalId(webApp().bucket)).Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.LoggingConfiguration.DestinationBucketName).toBeDefined();
    expect(bucket.LoggingConfiguration.LogFilePrefix).toBe(`s3/${app}/`);
    expect(bucket.WebsiteConfiguration).toBeUndefined();
  });

  it('bucket: refuses non-TLS access, and lets only this distribution read it (origin access control)', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')) as Resource[];
    const policy = policies.find((p) => p.Properties.Bucket.Ref === logicalId(webApp().bucket))!;
    const statements = policy.Properties.PolicyDocument.Statement as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: { AWS: '*' } }));
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    expect(flat(allows[0]!.Condition.StringEquals['AWS:SourceArn'])).toContain(`{${logicalId(webApp().distribution)}}`);
    expect(distribution().Origins[0].OriginAccessControlId).toBeDefined();
  });

  it('distribution: HTTPS only, index.html at the root and for every page path (a viewer-request function, not error pages that would hide the API’s 403/404)', () => {
    const config = distribution();
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    expect(config.CacheBehaviors.every((b: { ViewerProtocolPolicy: string }) => b.ViewerProtocolPolicy === 'https-only')).toBe(true);
    expect(config.DefaultRootObject).toBe('index.html');
    // No error page of our own: the API's problem+json (and S3's 403) pass unchanged.
    for (const response of config.CustomErrorResponses ?? []) {
      expect(response.ResponsePagePath).toBeUndefined();
      expect(response.ResponseCode).toBeUndefined();
    }
    const fn = resource(config.DefaultCacheBehavior.FunctionAssociations[0].FunctionARN['Fn::GetAtt'][0]).Properties;
    expect(fn.FunctionCode).toContain("request.uri = '/index.html'");
    expect(fn.FunctionCode).toContain("'/config.json'");
    expect(fn.FunctionCode).toContain("'/assets/'");
  });

  it(app === 'portal' ? 'distribution: no standard log of the viewers’ URLs (they carry invitation and share-link tokens)' : 'distribution: standard logs of the viewers’ requests in the web log bucket', () => {
    const config = distribution();
    if (app === 'portal') expect(config.Logging).toBeUndefined();
    else expect(config.Logging).toMatchObject({ Prefix: `cloudfront/${app}/`, Bucket: expect.anything() });
  });

  it('distribution: the strict CSP (the page, its pool’s hosted UI, the console the attachments bucket, nothing else), HSTS, no referrer, no framing, no sniffing, no search index', () => {
    const policyId = distribution().DefaultCacheBehavior.ResponseHeadersPolicyId.Ref;
    const headers = resource(policyId).Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const hostedUi = `https://{${hostedUiDomainId()}}.auth.${TEST_CONFIG.region}.amazoncognito.com`;
    // The console sends its presigned uploads to the attachments bucket's own origin (that bucket, not S3 at large).
    const attachmentsBucket = logicalId(stack.node.findChild('Attachments').node.findChild('Bucket') as never);
    const uploads = app === 'admin' ? { uploads: [`https://{${attachmentsBucket}.RegionalDomainName}`] } : {};
    expect(flat(headers.ContentSecurityPolicy.ContentSecurityPolicy)).toBe(contentSecurityPolicy({ hostedUi, ...uploads }));
    expect(headers.ContentSecurityPolicy.Override).toBe(true);
    expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: WEB_HEADERS.hstsMaxAgeSeconds, IncludeSubdomains: true, Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    // Nothing of the apps (nor the API's answers through them) is for a search index: some URLs hold tokens.
    expect(resource(policyId).Properties.ResponseHeadersPolicyConfig.CustomHeadersConfig.Items).toEqual([{ Header: 'X-Robots-Tag', Value: 'noindex, nofollow', Override: true }]);
    // The API's answers through this origin get the same headers.
    expect(distribution().CacheBehaviors[0].ResponseHeadersPolicyId.Ref).toBe(policyId);
  });

  it('distribution: /api/* goes to the HTTP API over HTTPS, uncached, with the viewer’s headers, the prefix removed', () => {
    const config = distribution();
    const api = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/*');
    const origin = config.Origins.find((o: { Id: string }) => o.Id === api.TargetOriginId);
    expect(flat(origin.DomainName)).toBe(`{${logicalId(stack.node.findChild('Http').node.findChild('Api') as never)}}.execute-api.${TEST_CONFIG.region}.{AWS::URLSuffix}`);
    expect(origin.CustomOriginConfig).toEqual({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader
    expect(api.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
    const fn = resource(api.FunctionAssociations[0].FunctionARN['Fn::GetAtt'][0]).Properties;
    expect(fn.FunctionCode).toContain('request.uri.substring(4)');
  });

  it('distribution: keeps no error answer — one caller’s 400, 403 or 503 under /api/* (cached by path alone) is nobody else’s answer', () => {
    // What CloudFront caches for 10 s unless told otherwise, ignoring the API's `no-store` but for 404, 414 and 501
    // (AWS: "Control how long CloudFront caches errors"); CachingDisabled keys /api/* by the path, not the query nor the token.
    const cachedByCloudFront = [400, 403, 404, 405, 414, 500, 501, 502, 503, 504];
    const errorTtls = Object.fromEntries((distribution().CustomErrorResponses ?? []).map((r: { ErrorCode: number; ErrorCachingMinTTL?: number }) => [r.ErrorCode, r.ErrorCachingMinTTL]));
    expect(errorTtls).toEqual(Object.fromEntries(cachedByCloudFront.map((status) => [status, 0])));
  });

  it('deployed: the build plus a /config.json that points at the API (through /api/* of the app’s own origin) and its pool, client and hosted UI', () => {
    const config = stack.resolve(webApp().config) as Record<string, unknown>;
    const poolId = logicalId(identity().node.findChild(pool) as never);
    expect(flat(config.apiUrl)).toBe(`${distributionUrl()}/api`);
    expect(flat(config.userPoolId)).toBe(`{${poolId}}`);
    expect(flat(config.clientId)).toBe(`{${logicalId(identity().node.findChild(pool).node.findChild(client) as never)}}`);
    expect(flat(config.authority)).toBe(`https://cognito-idp.${TEST_CONFIG.region}.amazonaws.com/{${poolId}}`);
    expect(flat(config.hostedUiUrl)).toBe(`https://{${hostedUiDomainId()}}.auth.${TEST_CONFIG.region}.amazoncognito.com`);
    expect(config.passwordPolicy).toEqual(PASSWORD_POLICY);
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: domainPrefix, UserPoolId: { Ref: poolId } });

    const pages = deploymentsOf().find((d) => d.Properties.DistributionPaths);
    expect(pages).toBeDefined();
    expect(pages!.Properties.SourceObjectKeys).toHaveLength(2); // the build and config.json
    expect(pages!.Properties.Prune).toBe(false);
    expect(pages!.Properties.DistributionPaths).toEqual(['/index.html', '/config.json']);
  });

  it('deployed with the cache headers the local server sends: index.html and config.json checked on every load, the hashed assets kept for good', () => {
    const deployments = deploymentsOf();
    expect(deployments).toHaveLength(2);
    const [pages, assets] = [deployments.find((d) => d.Properties.DistributionPaths)!, deployments.find((d) => !d.Properties.DistributionPaths)!];
    // Without a Cache-Control, S3 sends none and a browser may keep an old index.html for hours after a deployment.
    expect(pages.Properties.SystemMetadata).toEqual({ 'cache-control': WEB_CACHE_CONTROL.page });
    expect(pages.Properties.Exclude).toEqual(['assets/*']);
    expect(assets.Properties.SystemMetadata).toEqual({ 'cache-control': WEB_CACHE_CONTROL.hashedAsset });
    expect(assets.Properties.Exclude).toEqual(['*']);
    expect(assets.Properties.Include).toEqual(['assets/*']);
    expect(assets.Properties.Prune).toBe(false);
    // The files a page names are there before the page that names them.
    const assetsId = Object.entries(template.toJSON().Resources as Record<string, Resource>).find(([, r]) => r === assets)![0];
    const pagesEntry = Object.values(template.toJSON().Resources as Record<string, Resource & { DependsOn?: string[] }>).find((r) => r === pages)!;
    expect(pagesEntry.DependsOn).toContain(assetsId);
  });

  it('its URL is a stack output', () => {
    expect(flat(template.findOutputs(output)[output]!.Value)).toBe(distributionUrl());
  });
});

it('the two apps are two distributions and two buckets, neither serving the other’s files', () => {
  expect(logicalId(stack.portal.distribution)).not.toBe(logicalId(stack.admin.distribution));
  expect(logicalId(stack.portal.bucket)).not.toBe(logicalId(stack.admin.bucket));
  expect(Object.keys(template.findResources('AWS::CloudFront::Distribution'))).toHaveLength(2);
  // Each bucket gets its own app's build: CDK caches a bundling by its options, and the build
  // function is no option it can tell apart, so both apps once shipped the first app's build.
  const buildOf = (web: WebApp) =>
    (Object.values(template.findResources('Custom::CDKBucketDeployment')) as Resource[])
      .filter((d) => d.Properties.DestinationBucketName.Ref === logicalId(web.bucket))
      .map((d) => d.Properties.SourceObjectKeys[0] as string);
  const [portalBuild, adminBuild] = [new Set(buildOf(stack.portal)), new Set(buildOf(stack.admin))];
  expect(portalBuild.size).toBe(1); // one build per app, whatever its deployments
  expect(adminBuild.size).toBe(1);
  expect([...portalBuild][0]).not.toBe([...adminBuild][0]);
});
