import { freeTcpPort } from '../../../../test/harness/index.ts';
import { describeChannel } from '../channel-suite.ts';
import { createChannel } from '../index.ts';
import { startSmtpReceiver } from '../../testing/smtp-receiver.ts';
import { testTls } from '../../testing/test-tls.ts';

const PASSWORD = 'Sm7p-pa55word-n0t-in-logs';

describeChannel('email (smtp-server on loopback, STARTTLS and AUTH)', {
  async make(log) {
    const receiver = await startSmtpReceiver({ port: await freeTcpPort(), auth: { user: 'noc', pass: PASSWORD }, tls: testTls() });
    const channel = createChannel(
      { id: 'mail', type: 'email', timeoutSeconds: 10 },
      { smtp: { host: receiver.host, port: receiver.port, secure: false, username: 'noc', passwordEnv: 'HM_TEST_SMTP_PASSWORD', from: 'Hallmonitor <noc@provider.example>', allowSelfSigned: true }, log, env: { HM_TEST_SMTP_PASSWORD: PASSWORD } },
    );
    return {
      channel,
      secrets: [PASSWORD],
      delivered: () => receiver.messages.map((m) => `${m.subject}\n${m.text}\n${typeof m.html === 'string' ? m.html : ''}`),
      async set(mode) {
        receiver.accept();
        receiver.rejectLogins(false);
        if (mode === 'down') return receiver.stop();
        await receiver.start();
        if (mode === 'transient') receiver.refuseAll(451);
        if (mode === 'permanent') receiver.refuseAll(550);
        if (mode === 'unauthorized') receiver.rejectLogins(true);
      },
      close: () => receiver.stop(),
    };
  },
});
