/** Builds the stack in-process, without bundling, for the infra tests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PortalStack } from '../../lib/stack';
import { checked, type StageConfig } from '../../lib/stage-config';

export const TEST_CONFIG: StageConfig = checked({
  stage: 'test',
  region: 'eu-west-1',
  senderEmail: 'no-reply@portal.example.com',
  replyToEmail: 'support@example.com',
  sesIdentity: 'portal.example.com',
  // No portalUrl: the portal's own CloudFront URL is the default (invitation links, hosted-UI redirects).
  adminOrigins: ['https://admin.example.com'],
  callbackUrls: [],
  logoutUrls: [],
  hostedUiDomainPrefix: 'portal-access-test',
  staffHostedUiDomainPrefix: 'portal-access-test-staff',
  invitationTtlDays: 7,
  apiRateLimit: 50,
  apiBurstLimit: 100,
  logRetentionDays: 30,
  publicFunctionConcurrency: 10,
  mailRatePerSecond: 10,
  logLevel: 'INFO',
});

/**
 * `aws:cdk:bundling-stacks: []` skips esbuild for every function. CloudFormation's own template
 * validation (slow: a WASM linter) is left to the nag test, which synthesizes the app for real.
 */
export function buildStack(options: { validate?: boolean; config?: StageConfig } = {}): { app: App; stack: PortalStack } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: options.validate ?? false });
  const config = options.config ?? TEST_CONFIG;
  const stack = new PortalStack(app, 'PortalAccess-test', { config, env: { account: '123456789012', region: config.region } });
  return { app, stack };
}

/** The test stage's stack (or one with `config` instead). */
export function synthTemplate(config?: StageConfig): { stack: PortalStack; template: Template } {
  const { stack } = buildStack(config ? { config } : {});
  return { stack, template: Template.fromStack(stack) };
}

export interface Violation {
  readonly plugin: string;
  readonly ruleName: string;
  readonly severity: string;
  readonly constructs: string[];
}

/**
 * cdk-nag 3 reports through CDK's policy validation, not through annotations: synthesize the app
 * with the AwsSolutions pack and read the violations that nothing acknowledged back from the cloud
 * assembly's validation report (CloudFormation's built-in template validation included).
 */
export function unacknowledgedViolations(addToStack?: (stack: PortalStack) => void): Violation[] {
  const { app, stack } = buildStack({ validate: true });
  addToStack?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    // An in-memory app throws on error-level violations, after writing the report.
    if (!fs.existsSync(path.join(app.outdir, VALIDATION_REPORT_FILE))) throw error;
  }
  const file = path.join(app.outdir, VALIDATION_REPORT_FILE);
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    pluginReports: { pluginName: string; violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[] }[];
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((v) => ({ plugin: plugin.pluginName, ruleName: v.ruleName, severity: v.severity, constructs: v.violatingConstructs.map((c) => c.constructPath) })),
  );
}
