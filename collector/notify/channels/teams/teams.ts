import type { Channel } from '../../notification.ts';
import { postJson } from '../http-post.ts';
import { teamsMessage } from './card.ts';

export interface WebhookTarget {
  id: string;
  url: string;
  timeoutMs: number;
  scrub: (text: string) => string;
}

/** Microsoft Teams through a workflow webhook: one card per notification, whoever it is for. */
export function teamsChannel(target: WebhookTarget): Channel {
  return {
    id: target.id,
    type: 'teams',
    send: (n) => postJson(target.url, JSON.stringify(teamsMessage(n)), target),
    close: async () => {},
  };
}
