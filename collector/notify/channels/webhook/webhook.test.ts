import { describe, expect, it } from 'vitest';
import { describeChannel } from '../channel-suite.ts';
import { sampleNotification, sampleRecipient } from '../../testing/fixtures.ts';
import { httpChannelKind } from '../../testing/http-channel-kind.ts';
import type { HttpReceiver } from '../../testing/http-receiver.ts';
import { signBody, verifyBody } from './signature.ts';

const SECRET = 'hmac-secret-for-the-webhook-test';
const TOKEN = 'query-token-7Hk2Lm9Qx4';
let receiver: HttpReceiver;

describeChannel(
  'webhook (signed JSON on a real HTTP server)',
  httpChannelKind(
    (base) => ({
      config: { id: 'ticketing', type: 'webhook', url: `${base}/hooks/hallmonitor?token=${TOKEN}`, secretEnv: 'HM_TEST_HOOK_SECRET', headers: { 'X-Source': 'hallmonitor' }, timeoutSeconds: 5 },
      env: { HM_TEST_HOOK_SECRET: SECRET },
      secrets: [SECRET, TOKEN],
    }),
    (r) => (receiver = r),
  ),
);

describe('webhook requests', () => {
  it('carry the notification and recipient as JSON, signed (HMAC-SHA256 of the body), with a timestamp and the configured headers', () => {
    expect(receiver.accepted.length).toBeGreaterThan(0);
    for (const r of receiver.accepted) {
      expect(verifyBody(SECRET, r.body, r.headers['x-hallmonitor-signature'] as string)).toBe(true);
      expect(verifyBody('another-secret-of-some-length', r.body, r.headers['x-hallmonitor-signature'] as string)).toBe(false);
      const body = JSON.parse(r.body) as Record<string, unknown>;
      expect(body).toMatchObject({ alertId: sampleNotification().alertId, recipient: sampleRecipient });
      expect(Number(r.headers['x-hallmonitor-timestamp'])).toBe(Math.floor((body['sentAt'] as number) / 1000));
      expect(r.headers['x-hallmonitor-notification']).toBe(body['id']);
      expect(r.headers['x-source']).toBe('hallmonitor');
    }
  });

  it('a signature is refused when the body changed by one byte', () => {
    const body = '{"a":1}';
    expect(verifyBody(SECRET, body, signBody(SECRET, body))).toBe(true);
    expect(verifyBody(SECRET, '{"a":2}', signBody(SECRET, body))).toBe(false);
    expect(verifyBody(SECRET, body, undefined)).toBe(false);
  });
});
