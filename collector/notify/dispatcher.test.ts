import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../contract/manual-clock.ts';
import { freeTcpPort, makeTempDir, type TempDir } from '../../test/harness/index.ts';
import { capturingLogger } from '../storage/test-support.ts';
import { ackLinks } from './ack/link.ts';
import { sampleNotification, sampleRecipient } from './testing/fixtures.ts';
import { createChannel } from './channels/index.ts';
import type { Delivery } from './dispatch.ts';
import { OutboxDispatcher, type RetryPolicy } from './dispatcher.ts';
import type { Channel } from './notification.ts';
import { startHttpReceiver, type HttpReceiver } from './testing/http-receiver.ts';
import { startSmtpReceiver, type SmtpReceiver } from './testing/smtp-receiver.ts';
import { testTls } from './testing/test-tls.ts';

const PASSWORD = 'disp4tch-smtp-secret';
const T0 = Date.UTC(2026, 0, 12, 8, 43, 0);
// random = 1: each delay is exactly min(max, initial * 2^attempt), so the test can name the times.
const RETRY: RetryPolicy = { initialMs: 1_000, maxMs: 8_000, giveUpAfterMs: 60_000 };

describe('OutboxDispatcher with the email channel and a real SMTP server', () => {
  let dir: TempDir;
  let smtp: SmtpReceiver;
  let clock: ManualClock;
  let channel: Channel;
  let captured: ReturnType<typeof capturingLogger>;
  const open: OutboxDispatcher[] = [];

  const dispatcher = () => {
    const d = new OutboxDispatcher({ file: join(dir.path, 'notify.db'), channels: new Map([['mail', channel]]), log: captured.log, retry: RETRY, clock, random: () => 1 });
    open.push(d);
    return d;
  };
  const mail = (over = {}): Delivery => ({ notification: sampleNotification(over), channel: 'mail', to: sampleRecipient });
  /** Moves the clock and lets the sends it started finish (they are real SMTP sessions). */
  const advance = async (d: OutboxDispatcher, ms: number) => {
    await clock.advance(ms);
    await d.idle();
  };

  beforeEach(async () => {
    dir = makeTempDir('notify-dispatch');
    smtp = await startSmtpReceiver({ port: await freeTcpPort(), auth: { user: 'noc', pass: PASSWORD }, tls: testTls() });
    clock = new ManualClock(T0);
    captured = capturingLogger();
    channel = createChannel(
      { id: 'mail', type: 'email', timeoutSeconds: 10 },
      { smtp: { host: smtp.host, port: smtp.port, secure: false, username: 'noc', password: PASSWORD, from: 'noc@provider.example', allowSelfSigned: true }, log: captured.log },
    );
  });
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
    await channel.close();
    await smtp.stop();
    await dir.remove();
  });

  it('delivers at once, records it, and ignores the same delivery enqueued again', async () => {
    const d = dispatcher();
    d.start();
    d.enqueue([mail()]);
    await d.idle();
    d.enqueue([mail(), mail()]);
    await advance(d, 60_000);
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]!.subject).toBe('[CRITICAL] North Primary is offline since 08:42');
    const [record] = d.history({ alertId: 'north-primary/site-offline' });
    expect(record).toMatchObject({ state: 'delivered', attempts: 1, channel: 'mail', recipient: 'sam@provider.example', recipientName: 'Sam Tech', kind: 'firing', enqueuedAt: T0 });
    expect(record!.tries).toEqual([{ at: T0, durationMs: 0, outcome: 'delivered', reason: null }]);
    expect(d.stats()).toEqual({ pending: 0, delivered: 1, failed: 0, retries: 0 });
  });

  it('retries a refusing server (451) with doubling delays, then delivers once it accepts: nothing lost, nothing twice', async () => {
    smtp.refuseAll(451);
    const d = dispatcher();
    d.start();
    d.enqueue([mail(), mail({ id: 'n-0002', alertId: 'north-primary/core-switch-down', title: 'Core switch down' })]);
    await d.idle();
    await advance(d, 1_000); // second attempt of each
    await advance(d, 2_000); // third
    expect(smtp.messages).toHaveLength(0);
    smtp.accept();
    await advance(d, 3_999);
    expect(smtp.messages).toHaveLength(0); // the fourth attempt is due at +4 s
    await advance(d, 1);
    expect(smtp.messages.map((m) => m.subject).sort()).toEqual(['[CRITICAL] Core switch down', '[CRITICAL] North Primary is offline since 08:42']);
    await advance(d, 60_000);
    expect(smtp.messages).toHaveLength(2);
    const tries = d.history()[0]!.tries;
    expect(tries.map((t) => [t.at - T0, t.outcome])).toEqual([[0, 'retry'], [1_000, 'retry'], [3_000, 'retry'], [7_000, 'delivered']]);
    expect(tries[0]!.reason).toMatch(/^SMTP 451/);
    expect(d.stats()).toMatchObject({ pending: 0, delivered: 2, failed: 0, retries: 6 });
    expect(captured.records.filter((r) => r['msg'] === 'notify: delivery failed, will retry')).toHaveLength(6);
  });

  it('retries while the SMTP server is stopped (connection refused), and delivers when it is back', async () => {
    await smtp.stop();
    const d = dispatcher();
    d.start();
    d.enqueue([mail()]);
    await d.idle();
    await advance(d, 1_000);
    expect(d.history()[0]!.tries.map((t) => t.outcome)).toEqual(['retry', 'retry']);
    expect(d.history()[0]!.lastReason).toMatch(/not reachable .*ECONNREFUSED/);
    await smtp.start();
    await advance(d, 2_000);
    expect(smtp.messages).toHaveLength(1);
    expect(d.history()[0]!.state).toBe('delivered');
  });

  it('a final refusal (550) is recorded as failed, logged at error level and counted, and not retried', async () => {
    smtp.refuseNext(1, 550);
    const d = dispatcher();
    d.start();
    d.enqueue([mail()]);
    await d.idle();
    await advance(d, 60_000);
    expect(smtp.messages).toHaveLength(0);
    expect(d.history()[0]).toMatchObject({ state: 'failed', attempts: 1 });
    expect(d.history()[0]!.lastReason).toMatch(/^SMTP 550/);
    expect(d.stats()).toMatchObject({ failed: 1, pending: 0 });
    const errors = captured.records.filter((r) => r['level'] === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ channel: 'mail', alert: 'north-primary/site-offline', to: 'Sam Tech', msg: 'notify: delivery failed for good' });
  });

  it('gives up on a delivery still failing after giveUpAfterMs, and says so', async () => {
    smtp.refuseAll(451);
    const d = dispatcher();
    d.start();
    d.enqueue([mail()]);
    await d.idle();
    for (let i = 0; i < 12; i++) await advance(d, 8_000);
    const [record] = d.history();
    expect(record!.state).toBe('failed');
    expect(record!.lastReason).toMatch(/^gave up after \d+ attempts: SMTP 451/);
    expect(record!.settledAt! - T0).toBeLessThanOrEqual(60_000);
  });

  it('a restart (close, reopen the same file) mid-retry resumes, and a re-enqueue after it sends nothing twice', async () => {
    smtp.refuseAll(451);
    const first = dispatcher();
    first.start();
    first.enqueue([mail()]);
    await first.idle();
    await first.close();
    expect(smtp.messages).toHaveLength(0);

    smtp.accept();
    const second = dispatcher();
    second.enqueue([mail()]); // the pipeline re-runs after the restart
    second.start();
    await second.idle();
    expect(smtp.messages).toHaveLength(0); // not due before its backoff
    await advance(second, 1_000);
    expect(smtp.messages).toHaveLength(1);
    await advance(second, 60_000);
    expect(smtp.messages).toHaveLength(1);
    expect(second.history()[0]!.tries.map((t) => t.outcome)).toEqual(['retry', 'delivered']);
  });

  it('sends the messages about one alert in order: a resolved waits for its firing, which was refused once', async () => {
    smtp.refuseNext(1, 451);
    const d = dispatcher();
    d.start();
    d.enqueue([mail()]);
    await d.idle();
    d.enqueue([mail({ id: 'n-0009', kind: 'resolved', title: 'North Primary is back online', resolvedAt: T0 + 60_000, acknowledgeUrl: undefined })]);
    d.enqueue([mail({ id: 'n-0010', alertId: 'other-school/site-offline', title: 'Other School is offline' })]);
    await d.idle();
    expect(smtp.messages.map((m) => m.subject)).toEqual(['[CRITICAL] Other School is offline']); // another alert is not held up
    await advance(d, 1_000);
    expect(smtp.messages.map((m) => m.subject)).toEqual([
      '[CRITICAL] Other School is offline',
      '[CRITICAL] North Primary is offline since 08:42',
      '[RESOLVED] North Primary is back online',
    ]);
  });

  it('adds a signed acknowledge link for the recipient to a firing that has none, and none to a resolved', async () => {
    const links = ackLinks({ publicUrl: 'https://noc.provider.example', secret: 'x'.repeat(32), lifetimeMs: 3_600_000, now: () => clock.now() });
    const d = new OutboxDispatcher({ file: join(dir.path, 'links.db'), channels: new Map([['mail', channel]]), log: captured.log, retry: RETRY, clock, links });
    open.push(d);
    d.start();
    d.enqueue([mail({ acknowledgeUrl: undefined }), mail({ id: 'n-0020', kind: 'resolved', acknowledgeUrl: undefined })]);
    await d.idle();
    await advance(d, 0);
    const [firing, resolved] = smtp.messages;
    const url = /Acknowledge: (\S+)/.exec(firing!.text ?? '')?.[1];
    expect(links.verify(Object.fromEntries(new URL(url!).searchParams))).toEqual({
      ok: true,
      claims: { alertId: 'north-primary/site-offline', contact: 'Sam Tech', expiresAt: T0 + 3_600_000 },
    });
    expect(resolved!.text).not.toContain('Acknowledge');
  });

  it('keeps the record of settled deliveries for keepMs, then forgets them; pending ones never', async () => {
    const d = new OutboxDispatcher({ file: join(dir.path, 'keep.db'), channels: new Map([['mail', channel]]), log: captured.log, retry: RETRY, clock, random: () => 1, keepMs: 2 * 86_400_000 });
    open.push(d);
    d.start();
    d.enqueue([mail()]);
    await d.idle();
    await advance(d, 86_400_000);
    d.enqueue([mail({ id: 'n-0030' })]); // a day later: pruning ran and kept the first (settled a day ago)
    await d.idle();
    expect(d.history().map((r) => r.notificationId)).toEqual(['n-0001', 'n-0030']);
    await advance(d, 86_400_000 + 1);
    d.enqueue([mail({ id: 'n-0031' })]);
    await d.idle();
    expect(d.history().map((r) => r.notificationId)).toEqual(['n-0030', 'n-0031']);
  });

  it('a delivery for a channel that is not configured fails for good with a clear reason', async () => {
    const d = dispatcher();
    d.start();
    d.enqueue([{ ...mail(), channel: 'pager' }]);
    await d.idle();
    expect(d.history()[0]).toMatchObject({ state: 'failed', lastReason: 'no channel "pager" in collector.yaml notify.channels' });
  });

  it('keeps the SMTP password out of its records and logs', async () => {
    smtp.rejectLogins(true);
    const d = dispatcher();
    d.start();
    d.enqueue([mail()]);
    await d.idle();
    smtp.rejectLogins(false);
    smtp.refuseNext(1, 451);
    d.enqueue([mail({ id: 'n-0003' })]);
    await advance(d, 10_000);
    const text = JSON.stringify(d.history()) + JSON.stringify(captured.records);
    expect(text).toContain('SMTP 535');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(Buffer.from(PASSWORD).toString('base64'));
  });
});

describe('OutboxDispatcher with webhook channels on a real HTTP server', () => {
  let dir: TempDir;
  let receiver: HttpReceiver;
  let clock: ManualClock;
  let d: OutboxDispatcher;
  const captured = capturingLogger();

  beforeEach(async () => {
    dir = makeTempDir('notify-dispatch-http');
    receiver = await startHttpReceiver({ port: await freeTcpPort() });
    clock = new ManualClock(T0);
    const log = captured.log;
    const channels = new Map([
      ['teams', createChannel({ id: 'teams', type: 'teams', url: `${receiver.url}/teams`, timeoutSeconds: 5 }, { log })],
      ['hook', createChannel({ id: 'hook', type: 'webhook', url: `${receiver.url}/hook`, secret: 's'.repeat(16), headers: {}, timeoutSeconds: 5 }, { log })],
    ]);
    d = new OutboxDispatcher({ file: join(dir.path, 'notify.db'), channels, log, retry: { initialMs: 100, maxMs: 8_000, giveUpAfterMs: 60_000 }, clock, random: () => 1 });
    d.start();
  });
  afterEach(async () => {
    await d.close();
    await receiver.stop();
    await dir.remove();
  });

  it('posts once to a shared Teams channel however many recipients, but once per recipient to a webhook', async () => {
    const n = sampleNotification();
    const alex = { name: 'Alex', email: 'alex@provider.example' };
    d.enqueue([
      { notification: n, channel: 'teams', to: sampleRecipient },
      { notification: n, channel: 'teams', to: alex },
      { notification: n, channel: 'hook', to: sampleRecipient },
      { notification: n, channel: 'hook', to: alex },
    ]);
    await d.idle();
    expect(receiver.accepted.map((r) => r.url).sort()).toEqual(['/hook', '/hook', '/teams']);
  });

  it('a webhook that hangs holds up at most perChannel sends: the other channel is served meanwhile', async () => {
    const hanging = await startHttpReceiver({ port: await freeTcpPort() });
    hanging.hang();
    const log = captured.log;
    const channels = new Map([
      ['slow', createChannel({ id: 'slow', type: 'webhook', url: `${hanging.url}/hook`, secret: 's'.repeat(16), headers: {}, timeoutSeconds: 2 }, { log })],
      ['hook', createChannel({ id: 'hook', type: 'webhook', url: `${receiver.url}/hook`, secret: 's'.repeat(16), headers: {}, timeoutSeconds: 5 }, { log })],
    ]);
    const both = new OutboxDispatcher({ file: join(dir.path, 'both.db'), channels, log, retry: { initialMs: 100, maxMs: 8_000, giveUpAfterMs: 60_000 }, clock, concurrency: 3, perChannel: 1 });
    try {
      both.start();
      const alerts = [1, 2, 3].map((i) => sampleNotification({ id: `n-${i}`, alertId: `a-${i}` }));
      both.enqueue(alerts.map((n) => ({ notification: n, channel: 'slow', to: sampleRecipient })));
      both.enqueue(alerts.map((n) => ({ notification: n, channel: 'hook', to: sampleRecipient })));
      await receiver.waitForAccepted(3);
      expect(hanging.requests).toHaveLength(1); // one at a time to the hanging receiver
    } finally {
      await both.close(); // waits for the hanging request's timeout
      await hanging.stop();
    }
  });

  it('waits as long as a 429 Retry-After asks, when that is longer than its own backoff', async () => {
    receiver.failNext(1, 429); // the receiver sends Retry-After: 1
    d.enqueue([{ notification: sampleNotification(), channel: 'hook', to: sampleRecipient }]);
    await d.idle();
    await clock.advance(999);
    await d.idle();
    expect(receiver.accepted).toHaveLength(0);
    await clock.advance(1);
    await d.idle();
    expect(receiver.accepted).toHaveLength(1);
    expect(d.history()[0]!.tries.map((t) => [t.at - T0, t.outcome])).toEqual([[0, 'retry'], [1_000, 'delivered']]);
  });
});
