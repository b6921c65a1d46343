import { afterEach, describe, expect, it } from 'vitest';
import { freeTcpPort } from '../../../../test/harness/index.ts';
import type { SmtpConfig } from '../../../config/schema.ts';
import { capturingLogger } from '../../../storage/test-support.ts';
import type { Channel } from '../../notification.ts';
import { sampleNotification, sampleRecipient } from '../../testing/fixtures.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../testing/smtp-receiver.ts';
import { testTls } from '../../testing/test-tls.ts';
import { createChannel } from '../index.ts';

const PASSWORD = 'tls-test-smtp-password';

describe('email channel and TLS (RFC 3207 STARTTLS)', () => {
  const open: { receiver: SmtpReceiver; channel: Channel }[] = [];
  afterEach(async () => {
    for (const { receiver, channel } of open.splice(0)) {
      await channel.close();
      await receiver.stop();
    }
  });
  const setUp = async (tls: boolean, smtp: Partial<SmtpConfig>) => {
    const receiver = await startSmtpReceiver({ port: await freeTcpPort(), auth: { user: 'noc', pass: PASSWORD }, ...(tls ? { tls: testTls() } : {}) });
    const config: SmtpConfig = { host: '127.0.0.1', port: receiver.port, secure: false, username: 'noc', password: PASSWORD, from: 'noc@provider.example', allowSelfSigned: false, ...smtp };
    const channel = createChannel({ id: 'mail', type: 'email', timeoutSeconds: 5 }, { smtp: config, log: capturingLogger().log });
    open.push({ receiver, channel });
    return { receiver, channel };
  };

  it('upgrades with STARTTLS before it logs in', async () => {
    const { receiver, channel } = await setUp(true, { allowSelfSigned: true });
    expect(await channel.send(sampleNotification(), sampleRecipient)).toEqual({ ok: true });
    expect(receiver.logins).toEqual([{ secure: true }]);
    expect(receiver.messages).toHaveLength(1);
  });

  it('never sends the password over a connection that does not offer STARTTLS (a stripped upgrade)', async () => {
    const { receiver, channel } = await setUp(false, {});
    const result = await channel.send(sampleNotification(), sampleRecipient);
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(!result.ok && result.reason).toMatch(/^the SMTP server did not upgrade to TLS \(STARTTLS\), so the password was not sent/);
    expect(receiver.logins).toEqual([]);
    expect(receiver.messages).toHaveLength(0);
  });

  it('refuses a certificate it cannot verify unless allowSelfSigned, and says why', async () => {
    const { receiver, channel } = await setUp(true, { allowSelfSigned: false });
    const result = await channel.send(sampleNotification(), sampleRecipient);
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.reason).toMatch(/certificate/);
    expect(receiver.logins).toEqual([]);
  });
});
