import { describe, expect, it } from 'vitest';
import { describeChannel } from '../channel-suite.ts';
import { sampleNotification } from '../../testing/fixtures.ts';
import { httpChannelKind } from '../../testing/http-channel-kind.ts';
import type { HttpReceiver } from '../../testing/http-receiver.ts';
import { teamsMessage } from './card.ts';

// The shape of a Power Automate workflow URL; the `sig` query value is what grants access.
const SIG = 'Zq3xV0wK9sPpL2mN8bTfYc1RjH6dE4aGuWiOkS5vX7';
const FLOW = '0f8e2d4c6b1a49e7b3c5d7f9a2e4c6b8';
let receiver: HttpReceiver;

describeChannel(
  'teams (workflow webhook on a real HTTP server)',
  httpChannelKind(
    (base) => ({
      config: { id: 'noc-teams', type: 'teams', urlEnv: 'HM_TEST_TEAMS_URL', timeoutSeconds: 5 },
      env: { HM_TEST_TEAMS_URL: `${base}/workflows/${FLOW}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}` },
      secrets: [SIG, FLOW],
    }),
    (r) => (receiver = r),
  ),
);

describe('teams card', () => {
  it('is a message with one Adaptive Card 1.4 attachment: headline, title, facts, acknowledge button', () => {
    const n = sampleNotification();
    const message = teamsMessage(n) as { type: string; attachments: { contentType: string; content: Record<string, unknown> }[] };
    expect(message.type).toBe('message');
    expect(message.attachments).toHaveLength(1);
    const { contentType, content } = message.attachments[0]!;
    expect(contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    const body = content['body'] as Record<string, unknown>[];
    expect(body[0]).toMatchObject({ type: 'TextBlock', text: 'CRITICAL', color: 'Attention' });
    expect(body[1]).toMatchObject({ type: 'TextBlock', text: n.title });
    expect(body.find((b) => b['type'] === 'FactSet')!['facts']).toContainEqual({ title: 'Agent', value: 'north-1' });
    expect(content['actions']).toEqual([{ type: 'Action.OpenUrl', title: 'Acknowledge', url: n.acknowledgeUrl }]);
  });

  it('a resolved card is green and has no button', () => {
    const content = (teamsMessage(sampleNotification({ kind: 'resolved', resolvedAt: 1, acknowledgeUrl: undefined })) as { attachments: { content: Record<string, unknown> }[] }).attachments[0]!.content;
    expect((content['body'] as Record<string, unknown>[])[0]).toMatchObject({ text: 'RESOLVED', color: 'Good' });
    expect(content['actions']).toEqual([]);
  });

  it('the suite posted JSON to the workflow URL', () => {
    expect(receiver.requests.every((r) => r.method === 'POST' && r.headers['content-type'] === 'application/json')).toBe(true);
  });
});
