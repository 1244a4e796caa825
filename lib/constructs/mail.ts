import { Fn, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface MailProps {
  /** A domain (`example.com`) or one address (`no-reply@example.com`) verified in SES. */
  readonly sesIdentity: string;
  readonly senderEmail: string;
  readonly replyToEmail: string;
  /** The sender's display name (and the business every mail names). */
  readonly businessName: string;
}

/**
 * Invitation mail: the SES identity it is sent from, and a configuration set that publishes bounces
 * and complaints to the default event bus (the only bus SES publishes to), whence a rule brings them
 * back to the access records.
 */
export class Mail extends Construct {
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  readonly configurationSetArn: string;
  readonly senderEmail: string;
  readonly replyToEmail: string;
  readonly businessName: string;
  /** For a domain identity: the three Easy DKIM CNAME records (`name CNAME value`) that verify it. */
  readonly dkimRecords: string[];

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    this.senderEmail = props.senderEmail;
    this.replyToEmail = props.replyToEmail;
    this.businessName = props.businessName;
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('FeedbackToDefaultBus', {
      destination: ses.EventDestination.eventBus(events.EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
    this.configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: props.sesIdentity.includes('@') ? ses.Identity.email(props.sesIdentity) : ses.Identity.domain(props.sesIdentity),
      configurationSet: this.configurationSet,
    });
    const identity = this.identity;
    this.dkimRecords = props.sesIdentity.includes('@')
      ? []
      : [
          Fn.join(' CNAME ', [identity.dkimDnsTokenName1, identity.dkimDnsTokenValue1]),
          Fn.join(' CNAME ', [identity.dkimDnsTokenName2, identity.dkimDnsTokenValue2]),
          Fn.join(' CNAME ', [identity.dkimDnsTokenName3, identity.dkimDnsTokenValue3]),
        ];
  }
}
