import type { Channel } from '../../notification.ts';
import { postJson, type WebhookTarget } from '../http-post.ts';
import { slackMessage } from './blocks.ts';

/** Slack through an incoming webhook: one message per notification in the webhook's own channel. */
export function slackChannel(target: WebhookTarget): Channel {
  return {
    id: target.id,
    type: 'slack',
    send: (n) => postJson(target.url, JSON.stringify(slackMessage(n)), target),
    close: async () => {},
  };
}
