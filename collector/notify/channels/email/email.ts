import type { Transporter } from 'nodemailer';
import type { Logger } from '../../../../contract/index.ts';
import type { Channel, DeliveryResult, Notification, Recipient } from '../../notification.ts';
import { renderEmail } from './render.ts';

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/**
 * RFC 5321 §4.2.1: a 4yz reply is a transient failure ("try again later", e.g. 451 greylisting or a full
 * queue), a 5yz reply is permanent (550 no such mailbox, 535 bad credentials). No reply at all (refused
 * connection, timeout, TLS or DNS trouble) says nothing about the message, so it is tried again.
 */
export function classifySmtpError(err: unknown): { retryable: boolean; reason: string } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpFailure;
  if (e.code === 'ETLS') {
    // requireTLS (see smtp-transport.ts) refused to log in without encryption: a setting to fix, not a moment to wait out.
    return { retryable: false, reason: 'the SMTP server did not upgrade to TLS (STARTTLS), so the password was not sent: use a server that offers STARTTLS, or secure: true (port 465)' };
  }
  if (typeof e.responseCode === 'number') {
    // The server's own words, first line only: it may echo the recipient but never our password.
    const said = (e.response ?? '').split(/\r?\n/)[0]!.slice(0, 200);
    return { retryable: e.responseCode < 500, reason: `SMTP ${e.responseCode}${said ? `: ${said}` : ''}` };
  }
  const code = e.code ?? 'error';
  return { retryable: true, reason: `SMTP server not reachable (${code}${e.message ? `: ${e.message.slice(0, 200)}` : ''})` };
}

export interface EmailChannelOptions {
  id: string;
  transport: Transporter;
  /** The From address, collector.yaml `smtp.from`. */
  from: string;
  log: Logger;
  /** Applied to every reason: removes the SMTP password in any form, in case a library message carries it. */
  scrub: (text: string) => string;
}

/** Alert emails over the provider's SMTP server (nodemailer), one message per recipient. */
export function emailChannel(options: EmailChannelOptions): Channel {
  const { id, transport, from, log, scrub } = options;
  return {
    id,
    type: 'email',
    async send(n: Notification, to: Recipient): Promise<DeliveryResult> {
      if (to.email === undefined) return { ok: false, retryable: false, reason: `recipient ${to.name} has no email address` };
      const mail = renderEmail(n);
      try {
        await transport.sendMail({
          from,
          to: { name: to.name, address: to.email },
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          // One Message-ID per notification and recipient: a mail client shows a re-sent copy once.
          messageId: `<${n.id}.${id}@hallmonitor>`,
          headers: { 'X-Hallmonitor-Alert': n.alertId, 'X-Hallmonitor-Kind': n.kind },
        });
        log.debug({ channel: id, notification: n.id, alert: n.alertId }, 'email sent');
        return { ok: true };
      } catch (err) {
        const { retryable, reason } = classifySmtpError(err);
        return { ok: false, retryable, reason: scrub(reason) };
      }
    },
    async close() {
      transport.close();
    },
  };
}
