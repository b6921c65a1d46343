import { allFacts, headline, subjectOf } from '../../format.ts';
import type { Notification } from '../../notification.ts';

/** Slack's mrkdwn treats these three as control characters (api.slack.com "Formatting text": escaping). */
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const EMOJI: Record<string, string> = { CRITICAL: ':red_circle:', WARNING: ':large_orange_circle:', INFO: ':large_blue_circle:', RESOLVED: ':white_check_mark:' };
/** Block Kit limits: a header's text at most 150 characters, a section at most 10 fields. */
const HEADER_MAX = 150;
const FIELDS_MAX = 10;

/**
 * An incoming-webhook message: `text` is what notifications and old clients show, the blocks are what
 * Slack renders: headline, body, facts as fields, and an Acknowledge button.
 */
export function slackMessage(n: Notification): unknown {
  const head = headline(n);
  const facts = allFacts(n);
  const fieldBlocks = [];
  for (let i = 0; i < facts.length; i += FIELDS_MAX) {
    fieldBlocks.push({ type: 'section', fields: facts.slice(i, i + FIELDS_MAX).map((f) => ({ type: 'mrkdwn', text: `*${escape(f.label)}*\n${escape(f.value)}` })) });
  }
  const title = `${head}: ${n.title}`;
  return {
    text: escape(subjectOf(n)),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.length > HEADER_MAX ? `${title.slice(0, HEADER_MAX - 1)}…` : title, emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: `${EMOJI[head] ?? ''} *${escape(n.title)}*${n.body.length ? `\n${n.body.map(escape).join('\n')}` : ''}` } },
      ...fieldBlocks,
      ...(n.acknowledgeUrl !== undefined
        ? [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Acknowledge' }, url: n.acknowledgeUrl, style: 'primary' }] }]
        : []),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Alert ${escape(n.alertId)}` }] },
    ],
  };
}
