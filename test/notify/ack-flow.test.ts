import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger } from '../../collector/storage/test-support.ts';
import { notifyConfigSchema, openNotifier, startAckEndpoint, type AckServer, type Notifier } from '../../collector/notify/index.ts';
import { sampleNotification, sampleRecipient } from '../../collector/notify/testing/fixtures.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../collector/notify/testing/smtp-receiver.ts';
import { freeTcpPort, makeTempDir, type TempDir } from '../harness/index.ts';

/**
 * The acknowledge path as a tech meets it: the email arrives (real SMTP), its link opens a confirm page on the
 * collector's endpoint (real HTTP), the button acknowledges through the alert engine's callback. The public
 * URL here is the endpoint itself, as if no reverse proxy stood in front.
 */
let dir: TempDir;
let smtp: SmtpReceiver;
let notifier: Notifier;
let ack: AckServer;
const acks: [string, string][] = [];

beforeAll(async () => {
  dir = makeTempDir('notify-ack-flow');
  smtp = await startSmtpReceiver({ port: await freeTcpPort() });
  const port = await freeTcpPort();
  const notify = notifyConfigSchema.parse({
    channels: [{ id: 'email', type: 'email' }],
    ack: { host: '127.0.0.1', port, publicUrl: `http://127.0.0.1:${port}`, secretEnv: 'HM_ACK_SECRET', linkLifetimeHours: 1 },
  });
  const env = { HM_ACK_SECRET: 'k'.repeat(48) };
  const { log } = capturingLogger();
  const endpoint = await startAckEndpoint(notify.ack!, { env, log, acknowledge: async (id, by) => (acks.push([id, by]), acks.length === 1 ? 'acknowledged' : 'already') });
  ack = endpoint.server;
  notifier = openNotifier({ notify, smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'noc@provider.example', allowSelfSigned: false }, dataDir: dir.path, log, env, links: endpoint.links });
  notifier.dispatcher.start();
});
afterAll(async () => {
  await notifier?.close();
  await ack?.close();
  await smtp?.stop();
  await dir?.remove();
});

describe('from an alert email to an acknowledgement', () => {
  it('the link in the email confirms on GET, acknowledges on POST, and says "already" the second time', async () => {
    notifier.dispatcher.enqueue([{ notification: sampleNotification({ acknowledgeUrl: undefined }), channel: 'email', to: sampleRecipient }]);
    const [mail] = await smtp.waitForMessages(1);
    const link = /href="([^"]+\/ack\?[^"]+)"/.exec(typeof mail!.html === 'string' ? mail!.html : '')![1]!.replace(/&#38;/g, '&');
    expect(mail!.text).toContain(link);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Acknowledge this alert?');
    expect(acks).toEqual([]);

    const form = new URL(link).searchParams;
    const first = await fetch(new URL('ack', link), { method: 'POST', body: form });
    expect(await first.text()).toContain('Acknowledged');
    const second = await fetch(new URL('ack', link), { method: 'POST', body: form });
    expect(await second.text()).toContain('Already acknowledged');
    expect(acks).toEqual([
      ['north-primary/site-offline', 'Sam Tech'],
      ['north-primary/site-offline', 'Sam Tech'],
    ]);
    expect(notifier.dispatcher.history({ alertId: 'north-primary/site-offline' })).toMatchObject([{ state: 'delivered', recipientName: 'Sam Tech' }]);
  });
});
