import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Mailed every alarm (SNS asks the address to confirm the subscription first). */
  readonly email?: string;
}

/**
 * Where the stack's alarms go: an SNS topic, encrypted with a key of its own (CloudWatch cannot
 * publish to a topic under the AWS-managed SNS key) and reachable over TLS only, with an email
 * subscription when the stage names an address (`alarmEmail`).
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', {
      description: 'Encrypts the portal-access alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Portal access alarms', masterKey: key, enforceSSL: true });
    // CloudWatch alarms of this account publish to it, and so may use its key.
    const cloudwatchService = new iam.ServicePrincipal('cloudwatch.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } });
    this.topic.grantPublish(cloudwatchService);
    key.grant(cloudwatchService, 'kms:Decrypt', 'kms:GenerateDataKey*');
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
  }

  /** Each alarm notifies the topic when it fires. */
  notify(alarms: readonly cloudwatch.Alarm[]): void {
    for (const alarm of alarms) alarm.addAlarmAction(new SnsAction(this.topic));
  }
}
