/**
 * Invitation emails through SES v2. From, Reply-To and the configuration set come from the
 * environment, never from a request. A throttled or unavailable SES is retried here (on top of the
 * SDK's own retries); a mail that still cannot be handed over is `Unavailable` (503), and the
 * grant that asked for it stays unsent, for a repeat to send.
 */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { env, envOr } from '../../contract/env';
import { Unavailable } from '../../contract/errors';
import { MAIL_DEADLINE_MS } from '../../domain/portal-access/invitations';
import type { InvitationMail, InvitationMailer } from '../../domain/portal-access/ports';
import { log } from '../../platform/log';
import { isTransient } from '../../platform/transient';

let client: SESv2Client | undefined;
const ses = () => (client ??= new SESv2Client({ maxAttempts: 3 }));

const THROTTLED = new Set(['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException']);
const retryable = (error: unknown) => THROTTLED.has((error as { name?: string }).name ?? '') || isTransient(error);

/** After a mail finally failed, later mails of the next few seconds try once: a failing SES is not hammered. */
const FAILING_FOR_MS = 5_000;

export class SesInvitationMailer implements InvitationMailer {
  private failingUntil = 0;

  constructor(
    private readonly attempts = 3,
    private readonly backoffMs = 200,
  ) {}

  async send(mail: InvitationMail): Promise<void> {
    const configurationSet = envOr('sesConfigurationSet', '');
    const command = new SendEmailCommand({
      FromEmailAddress: env('senderEmail'),
      Destination: { ToAddresses: [mail.to] },
      ReplyToAddresses: [envOr('replyToEmail', env('senderEmail'))],
      ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
      Content: {
        Simple: {
          Subject: { Data: mail.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
        },
      },
    });
    // A deadline over all attempts: a request still sending after it must not be (docs: SENDING_WINDOW_MS).
    const deadline = AbortSignal.timeout(MAIL_DEADLINE_MS);
    const attempts = Date.now() < this.failingUntil ? 1 : this.attempts;
    for (let attempt = 1; ; attempt++) {
      try {
        await ses().send(command, { abortSignal: deadline });
        this.failingUntil = 0;
        return;
      } catch (error) {
        if (attempt < attempts && retryable(error) && !deadline.aborted) {
          await new Promise((resolve) => setTimeout(resolve, this.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random())));
          continue;
        }
        this.failingUntil = Date.now() + FAILING_FOR_MS;
        log.warn('invitation email not sent', { error, attempt });
        throw new Unavailable('The invitation email could not be sent; repeat the request.');
      }
    }
  }
}
