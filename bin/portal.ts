/**
 * The CDK app: one Portal Access stack per stage, configured from the context (cdk.json, `-c key=value`),
 * checked by cdk-nag's AwsSolutions pack on every synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PortalStack } from '../lib/stack';
import { stageConfigFromContext } from '../lib/stage-config';

const app = new App();
const config = stageConfigFromContext(app.node);
new PortalStack(app, `PortalAccess-${config.stage}`, {
  config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: config.region },
  description: `Portal Access (${config.stage}): customers' read-only portal access to their documents`,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
