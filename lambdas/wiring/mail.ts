/**
 * What sends the invitation lifecycle's mails (the outbox worker: invitations, reminders, notices): SES with the
 * stack's sender (From with the business's name as display name, Reply-To, configuration set), and
 * the staff pool, which the mails name the inviter from. Env: SENDER_EMAIL, REPLY_TO_EMAIL and
 * SES_CONFIGURATION_SET (optional), BUSINESS_NAME, STAFF_USER_POOL_ID.
 */
import { env, envOr } from '../contract/env';
import { CognitoStaffProfiles } from '../adapters/cognito/staff-directory';
import { mailbox } from '../adapters/ses/mailbox';
import { SesInvitationMailer, type Sender } from '../adapters/ses/invitation-mailer';
import { cognitoClient } from './clients';
import { sesClient } from './worker-clients';

export function sender(businessName: string): Sender {
  const address = env('senderEmail');
  return { from: mailbox(businessName, address), replyTo: envOr('replyToEmail', address), configurationSet: envOr('sesConfigurationSet', '') };
}

export const invitationMailer = (businessName: string): SesInvitationMailer => new SesInvitationMailer(sesClient(), sender(businessName));

export const staffProfiles = (): CognitoStaffProfiles => new CognitoStaffProfiles(cognitoClient(), env('staffUserPoolId'));
