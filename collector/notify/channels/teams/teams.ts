import type { Channel } from '../../notification.ts';
import { postJson, type WebhookTarget } from '../http-post.ts';
import { teamsMessage } from './card.ts';

/** Microsoft Teams through a workflow webhook: one card per notification, whoever it is for. */
export function teamsChannel(target: WebhookTarget): Channel {
  return {
    id: target.id,
    type: 'teams',
    send: (n) => postJson(target.url, JSON.stringify(teamsMessage(n)), target),
    close: async () => {},
  };
}
