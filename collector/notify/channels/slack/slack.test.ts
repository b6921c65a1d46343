import { describe, expect, it } from 'vitest';
import { describeChannel } from '../channel-suite.ts';
import { sampleNotification } from '../../testing/fixtures.ts';
import { httpChannelKind } from '../../testing/http-channel-kind.ts';
import { slackMessage } from './blocks.ts';

// An incoming webhook's last path segment is its token.
const TOKEN = 'xR7pQ2mZk9LwT4vB8nC3dF6h';

describeChannel(
  'slack (incoming webhook on a real HTTP server)',
  httpChannelKind((base) => ({
    config: { id: 'noc-slack', type: 'slack', url: `${base}/services/T0HM0TEST/B0HM0TEST/${TOKEN}`, timeoutSeconds: 5 },
    env: {},
    secrets: [TOKEN],
  })),
);

describe('slack blocks', () => {
  it('has a fallback text, a header, the facts as fields and an Acknowledge button', () => {
    const n = sampleNotification();
    const m = slackMessage(n) as { text: string; blocks: Record<string, any>[] };
    expect(m.text).toBe(`[CRITICAL] ${n.title}`);
    expect(m.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: `CRITICAL: ${n.title}`, emoji: true } });
    expect(m.blocks.find((b) => b['fields'])!['fields']).toContainEqual({ type: 'mrkdwn', text: '*Agent*\nnorth-1' });
    expect(m.blocks.find((b) => b['type'] === 'actions')!['elements'][0]).toMatchObject({ type: 'button', url: n.acknowledgeUrl });
  });

  it('escapes &, < and > so a device name cannot become a link or a mention', () => {
    const m = slackMessage(sampleNotification({ title: 'AP <!channel> & co' })) as { text: string; blocks: Record<string, any>[] };
    expect(m.text).toBe('[CRITICAL] AP &lt;!channel&gt; &amp; co');
    expect(m.blocks[1]!['text'].text).toContain('AP &lt;!channel&gt; &amp; co');
  });

  it('keeps within Block Kit limits: header at most 150 characters, at most 10 fields a section', () => {
    const facts = Array.from({ length: 14 }, (_, i) => ({ label: `f${i}`, value: `${i}` }));
    const m = slackMessage(sampleNotification({ title: 'x'.repeat(300), facts })) as { blocks: Record<string, any>[] };
    expect(m.blocks[0]!['text'].text.length).toBe(150);
    const sections = m.blocks.filter((b) => b['fields']);
    expect(sections.map((s) => s['fields'].length)).toEqual([10, 6]); // site + 14 facts + since
  });
});
