/**
 * Invitation emails through SES v2. From, Reply-To and the configuration set are the stack's
 * settings (the wiring reads them from the environment), never a request's. A throttled or unavailable SES is retried here (on top of the
 * SDK's own retries); a mail that still cannot be handed over is `Unavailable` (503), and the
 * grant that asked for it stays unsent, for a repeat to send.
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { Unavailable } from '../../contract/errors';
import { MAIL_DEADLINE_MS } from '../../domain/portal-access/invitations';
import type { InvitationMail, InvitationMailer } from '../../domain/portal-access/ports';
import { log } from '../../platform/log';
import { isTransient } from '../../platform/transient';

const THROTTLED = new Set(['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException']);
const retryable = (error: unknown) => THROTTLED.has((error as { name?: string }).name ?? '') || isTransient(error);

/** After a mail finally failed, later mails of the next few seconds try once: a failing SES is not hammered. */
const FAILING_FOR_MS = 5_000;

/** Who invitations come from: the stack's settings, never a request's. */
export interface Sender {
  from: string;
  replyTo: string;
  /** The SES configuration set that reports bounces and complaints; '' for none. */
  configurationSet: string;
}

export class SesInvitationMailer implements InvitationMailer {
  #failingUntil = 0;

  readonly #ses: SESv2Client;
  readonly #sender: Sender;
  readonly #attempts: number;
  readonly #backoffMs: number;

  constructor(ses: SESv2Client, sender: Sender, attempts = 3, backoffMs = 200) {
    [this.#ses, this.#sender, this.#attempts, this.#backoffMs] = [ses, sender, attempts, backoffMs];
  }

  async send(mail: InvitationMail): Promise<void> {
    const { from, replyTo, configurationSet } = this.#sender;
    const command = new SendEmailCommand({
      FromEmailAddress: from,
      Destination: { ToAddresses: [mail.to] },
      ReplyToAddresses: [replyTo],
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
    const attempts = Date.now() < this.#failingUntil ? 1 : this.#attempts;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#ses.send(command, { abortSignal: deadline });
        this.#failingUntil = 0;
        return;
      } catch (error) {
        if (attempt < attempts && retryable(error) && !deadline.aborted) {
          await new Promise((resolve) => setTimeout(resolve, this.#backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random())));
          continue;
        }
        this.#failingUntil = Date.now() + FAILING_FOR_MS;
        log.warn('invitation email not sent', { error, attempt });
        throw new Unavailable('The invitation email could not be sent; repeat the request.');
      }
    }
  }
}
