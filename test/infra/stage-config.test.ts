import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PortalStack } from '../../lib/stack';
import { stageConfigFromContext } from '../../lib/stage-config';

const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };
const configWith = (overrides: Record<string, unknown>) => stageConfigFromContext(new App({ context: { ...cdkJson.context, ...overrides } }).node);

describe('stage configuration from the CDK context', () => {
  it('cdk.json runs the app with tsx and its defaults make a valid dev stage', () => {
    expect(cdkJson.app).toBe('npx tsx bin/portal.ts');
    expect(configWith({})).toMatchObject({ stage: 'dev', region: 'eu-west-1', invitationTtlDays: 7, reminderAfterHours: 72, businessName: 'Example Business' });
  });

  it('takes lists from the command line as JSON or comma-separated', () => {
    expect(configWith({ stage: 'prod', adminOrigins: 'https://a.example.com, https://b.example.com' }).adminOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(configWith({ stage: 'prod', callbackUrls: '["https://p.example.com/cb"]' }).callbackUrls).toEqual(['https://p.example.com/cb']);
  });

  const urlsOf = (config: { adminOrigins: readonly string[]; callbackUrls: readonly string[]; logoutUrls: readonly string[] }) => [
    ...config.adminOrigins,
    ...config.callbackUrls,
    ...config.logoutUrls,
  ];

  it('allows localhost origins and redirects in the dev stage only, unless a stage is configured with them', () => {
    const dev = configWith({});
    // The console is served by the stack (its own URL is added there): the context names only other admin frontends.
    expect(dev.adminOrigins).toEqual(['http://localhost:5173']);
    expect(configWith({ stage: 'prod' }).adminOrigins).toEqual([]);
    // The portal's own URL is added by the stack (its CloudFront URL unless portalUrl is given): the context adds only others.
    expect(dev.callbackUrls).toEqual(['http://localhost:5174/callback']);
    for (const stage of ['prod', 'staging', 'test']) expect(urlsOf(configWith({ stage })).filter((url) => /localhost|127\.0\.0\.1/.test(url))).toEqual([]);
    expect(configWith({ stage: 'prod', adminOrigins: 'https://admin.example.com,http://localhost:8080' }).adminOrigins).toContain('http://localhost:8080');
  });

  it('gives the staff pool a hosted-UI domain of its own: <hostedUiDomainPrefix>-staff unless named', () => {
    expect(configWith({}).staffHostedUiDomainPrefix).toBe('portal-access-dev-example-staff');
    expect(configWith({ staffHostedUiDomainPrefix: 'example-admin' }).staffHostedUiDomainPrefix).toBe('example-admin');
    expect(configWith({}).adminUrl).toBeUndefined();
    expect(configWith({ adminUrl: 'https://admin.example.com' }).adminUrl).toBe('https://admin.example.com');
  });

  it('takes an optional alarm email, which must be an address', () => {
    expect(configWith({}).alarmEmail).toBeUndefined();
    expect(configWith({ alarmEmail: 'ops@example.com' }).alarmEmail).toBe('ops@example.com');
    expect(() => configWith({ alarmEmail: 'ops' })).toThrow(/alarmEmail/);
  });

  it('falls back to CDK_DEFAULT_REGION, then eu-west-1, when the context names no region', () => {
    const saved = process.env.CDK_DEFAULT_REGION;
    try {
      process.env.CDK_DEFAULT_REGION = 'us-west-2';
      expect(configWith({ region: '' }).region).toBe('us-west-2');
      delete process.env.CDK_DEFAULT_REGION;
      expect(configWith({ region: undefined }).region).toBe('eu-west-1');
    } finally {
      if (saved === undefined) delete process.env.CDK_DEFAULT_REGION;
      else process.env.CDK_DEFAULT_REGION = saved;
    }
  });

  it('takes the apps’ URLs and the admin origins with a trailing slash as the origins they are: the hosted UI’s redirects and CORS compare exact strings', () => {
    // The apps return from the hosted UI to `location.origin + '/callback'` and send `Origin: <origin>`; `https://x/` + `/callback` would be `https://x//callback`.
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], stage: 'prod', portalUrl: 'https://portal.example.com/', adminUrl: 'https://Admin.Example.com/', adminOrigins: 'https://intranet.example.com/' } });
    const config = stageConfigFromContext(app.node);
    const stack = new PortalStack(app, 'PortalAccess-prod', { config, env: { account: '123456789012', region: config.region } });
    const template = Template.fromStack(stack);
    const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient')).map((c) => c.Properties as { CallbackURLs: unknown[]; LogoutURLs: unknown[] });
    expect(clients.map((c) => c.CallbackURLs)).toEqual(
      expect.arrayContaining([['https://portal.example.com/callback'], ['https://admin.example.com/callback', 'https://intranet.example.com/callback']]),
    );
    expect(clients.map((c) => c.LogoutURLs)).toEqual(expect.arrayContaining([['https://portal.example.com/'], ['https://admin.example.com/', 'https://intranet.example.com/']]));
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: { AllowOrigins: ['https://intranet.example.com'] } });
    template.hasResourceProperties('AWS::S3::Bucket', { CorsConfiguration: { CorsRules: [{ AllowedOrigins: ['https://admin.example.com', 'https://intranet.example.com'] }] } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { PORTAL_URL: 'https://portal.example.com' } } });
  });

  it.each([
    [{ portalUrl: 'https://example.com/portal' }, /portalUrl: https:\/\/example.com\/portal is not an origin/],
    [{ adminUrl: 'https://example.com/?admin' }, /adminUrl: .* is not an origin/],
    [{ adminOrigins: 'https://intranet.example.com/tools' }, /adminOrigins: .* is not an origin/],
  ])('refuses app URLs and admin origins with a path (the apps are served at the root of their origin): %j', (overrides, message) => {
    expect(() => configWith(overrides)).toThrow(message);
  });

  it.each([
    [{ senderEmail: 'no-reply@elsewhere.example.org' }, /not sent from the SES identity/],
    [{ sesIdentity: 'sender@example.com' }, /not sent from the SES identity/],
    [{ portalUrl: 'portal.example.com' }, /not an http\(s\) URL/],
    [{ adminOrigins: [] }, /non-empty list/],
    [{ invitationTtlDays: 0 }, /positive integer/],
    [{ reminderAfterHours: 1.5 }, /positive integer/],
    [{ businessName: '' }, /businessName/],
    [{ businessName: 'Shop\r\nBcc: x@evil.example' }, /businessName: one line/],
    [{ businessName: 'x'.repeat(101) }, /businessName: one line/],
    [{ hostedUiDomainPrefix: 'my-cognito-login' }, /hostedUiDomainPrefix/],
    [{ staffHostedUiDomainPrefix: 'staff-aws' }, /staffHostedUiDomainPrefix/],
    [{ staffHostedUiDomainPrefix: 'portal-access-dev-example' }, /a domain of its own/],
    [{ adminUrl: 'admin.example.com' }, /not an http\(s\) URL/],
    [{ stage: 'Prod' }, /stage/],
  ])('refuses %j', (overrides, message) => {
    expect(() => configWith(overrides)).toThrow(message);
  });
});
