/**
 * Invitation emails through SES v2, sent by the outbox worker: one attempt per call (the SES client
 * is built without retries), because each attempt must take its own pacing slot. From, Reply-To and
 * the configuration set are the stack's settings (the wiring reads them from the environment),
 * never a request's. A throttled or unavailable SES is `MailDeferred` (the worker tries again with
 * a backoff and a fresh slot, then through the stream's retry: delayed, never lost, never a failed
 * line); what SES refuses for good because of the recipient (`MessageRejected`, a
 * `BadRequestException` about the address) is `MailRefused`, which the line shows as `failed`.
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { MailDeferred, MailRefused, type InvitationMail, type InvitationMailer } from '../../domain/portal-access/ports';
import { log } from '../../platform/log';
import { isTransient } from '../../platform/transient';

const THROTTLED = new Set(['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException']);

/** Refusals of this one message's recipient, in words staff can act on (never SES's own text). */
const REFUSED: Record<string, string> = {
  MessageRejected: 'it does not accept mail from us (rejected)',
  BadRequestException: 'it is not an address the mail service can send to',
};

/**
 * No answer came from SES although the request may have reached it (a timeout, a reset connection):
 * it may have taken the mail. A refused connection never reached it.
 */
function unanswered(error: unknown): boolean {
  const e = error as { code?: string; name?: string; $metadata?: { httpStatusCode?: number } };
  return e.$metadata?.httpStatusCode === undefined && e.code !== 'ECONNREFUSED' && e.name !== 'ECONNREFUSED';
}

/** Who invitations come from: the stack's settings, never a request's. */
export interface Sender {
  from: string;
  replyTo: string;
  /** The SES configuration set that reports bounces and complaints; '' for none. */
  configurationSet: string;
}

export class SesInvitationMailer implements InvitationMailer {
  readonly #ses: SESv2Client;
  readonly #sender: Sender;

  constructor(ses: SESv2Client, sender: Sender) {
    [this.#ses, this.#sender] = [ses, sender];
  }

  // Never aborted half-way: an SES call cut off after SES took the mail would leave it unknown
  // whether it went out (the client's own request timeout bounds a hung call).
  async send(mail: InvitationMail, _signal: AbortSignal): Promise<void> {
    const { from, replyTo, configurationSet } = this.#sender;
    try {
      await this.#ses.send(
        new SendEmailCommand({
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
        }),
      );
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      const refused = REFUSED[name];
      if (refused !== undefined) {
        log.warn('invitation email refused', { error: name });
        throw new MailRefused(refused);
      }
      if (THROTTLED.has(name) || isTransient(error)) throw new MailDeferred(name, unanswered(error));
      throw error;
    }
  }
}
