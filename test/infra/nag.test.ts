import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { buildStack, unacknowledgedViolations } from './portal-stack';

// One real synth of the app with the AwsSolutions pack and CloudFormation's own validation: slow.
jest.setTimeout(180_000);

describe('cdk-nag AwsSolutions', () => {
  it('leaves no unacknowledged error or warning, and CloudFormation validation finds nothing', () => {
    const violations = unacknowledgedViolations();
    expect(violations).toEqual([]);
  });

  it('does report a non-compliant resource added to the stack (the report is really read)', () => {
    const violations = unacknowledgedViolations((stack) => new Queue(stack, 'PlainQueue'));
    const onPlainQueue = violations.filter((v) => v.constructs.some((path) => path.includes('PlainQueue')));
    expect(onPlainQueue.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
    expect(violations.every((v) => v.constructs.every((path) => path.includes('PlainQueue')))).toBe(true);
  });

  it('CDK itself annotates nothing (no deprecated API, no construct warning)', () => {
    const annotations = Annotations.fromStack(buildStack().stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });
});
