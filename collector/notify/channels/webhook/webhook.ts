import { headline, subjectOf } from '../../format.ts';
import type { Channel, Notification, Recipient } from '../../notification.ts';
import { postJson, type WebhookTarget } from '../http-post.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from './signature.ts';

export interface SignedWebhookTarget extends WebhookTarget {
  secret: string;
  headers: Record<string, string>;
  now?: () => number;
}

/**
 * The body: the notification as the pipeline made it, plus the recipient, the subject line as the other
 * channels show it ("[RESOLVED] ...", for a receiver that only displays) and the time it was sent. The time
 * is inside the signed body (and repeated in a header) so a receiver can refuse an old replay.
 */
export function webhookBody(n: Notification, to: Recipient, sentAt: number): string {
  return JSON.stringify({ ...n, headline: headline(n), subject: subjectOf(n), recipient: to, sentAt });
}

/** Any HTTP receiver: a JSON POST signed with HMAC-SHA256 of its body. */
export function webhookChannel(target: SignedWebhookTarget): Channel {
  const now = target.now ?? Date.now;
  return {
    id: target.id,
    type: 'webhook',
    send(n, to) {
      const sentAt = now();
      const body = webhookBody(n, to, sentAt);
      const headers = {
        ...target.headers,
        [SIGNATURE_HEADER]: signBody(target.secret, body),
        [TIMESTAMP_HEADER]: String(Math.floor(sentAt / 1000)),
        'X-Hallmonitor-Notification': n.id,
      };
      return postJson(target.url, body, { timeoutMs: target.timeoutMs, scrub: target.scrub, headers }, now);
    },
    close: async () => {},
  };
}
