import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../contract/index.ts';
import { capturingLogger } from '../../storage/test-support.ts';
import type { Channel, DeliveryResult, Notification } from '../notification.ts';
import { SAMPLE_STARTED_AT, sampleNotification, sampleRecipient } from '../testing/fixtures.ts';

/** How the real receiver behind a channel answers: as it should, not at all, or with a refusal. */
export type ReceiverMode = 'ok' | 'down' | 'transient' | 'permanent' | 'unauthorized';

/** One channel wired to a real receiver on loopback. */
export interface ChannelUnderTest {
  channel: Channel;
  /** What the channel was configured with that is secret: no reason, error or log line may contain it. */
  secrets: string[];
  /** The messages the receiver accepted so far, each as one text to search (mail text + HTML, or the HTTP body). */
  delivered(): string[];
  /** transient: SMTP 451 / HTTP 500; permanent: SMTP 550 / HTTP 400; unauthorized: SMTP 535 / HTTP 401. */
  set(mode: ReceiverMode): Promise<void>;
  close(): Promise<void>;
}

export interface ChannelKind {
  make(log: Logger): Promise<ChannelUnderTest>;
}

const T0 = SAMPLE_STARTED_AT;

/**
 * The one test suite every channel passes (the Alertmanager notifier habit, like describeSpool): delivery
 * of the content, retryable versus final failures, and no secret in any reason or log line.
 */
export function describeChannel(name: string, kind: ChannelKind): void {
  describe(`Channel contract: ${name}`, () => {
    let under: ChannelUnderTest;
    let logs: Record<string, unknown>[];
    const reasons: string[] = [];
    beforeEach(async () => {
      const captured = capturingLogger();
      logs = captured.records;
      under = await kind.make(captured.log);
    });
    afterEach(async () => {
      await under.channel.close();
      await under.close();
    });
    const send = async (n = sampleNotification()): Promise<DeliveryResult> => {
      const result = await under.channel.send(n, sampleRecipient);
      if (!result.ok) reasons.push(result.reason);
      return result;
    };

    it('delivers a firing alert: title, severity, facts, site and the acknowledge link arrive', async () => {
      const n = sampleNotification();
      expect(await send(n)).toEqual({ ok: true });
      const [text] = under.delivered();
      expect(under.delivered()).toHaveLength(1);
      expect(text).toContain(n.title);
      expect(text).toContain('CRITICAL');
      expect(text).toContain('North Primary');
      for (const f of n.facts) {
        expect(text).toContain(f.label);
        expect(text).toContain(f.value);
      }
      expect(text).toContain(n.acknowledgeUrl);
    });

    it('marks a resolved message as resolved, without an acknowledge link', async () => {
      const n = sampleNotification({ id: 'n-0002', kind: 'resolved', resolvedAt: T0 + 3_600_000, acknowledgeUrl: undefined, title: 'North Primary is back online' });
      expect(await send(n)).toEqual({ ok: true });
      const [text] = under.delivered();
      expect(text).toContain('RESOLVED');
      expect(text).toContain('North Primary is back online');
      expect(text).not.toContain('/ack?');
    });

    it('a receiver that is down is a retryable failure, and the next send after it returns is delivered', async () => {
      await under.set('down');
      const result = await send();
      expect(result).toMatchObject({ ok: false, retryable: true });
      await under.set('ok');
      expect(await send()).toEqual({ ok: true });
      expect(under.delivered()).toHaveLength(1);
    });

    it('a transient refusal (SMTP 451, HTTP 500) is retryable', async () => {
      await under.set('transient');
      expect(await send()).toMatchObject({ ok: false, retryable: true });
      expect(under.delivered()).toHaveLength(0);
    });

    it('a permanent refusal (SMTP 550, HTTP 400) is final', async () => {
      await under.set('permanent');
      expect(await send()).toMatchObject({ ok: false, retryable: false });
    });

    it('bad credentials (SMTP 535, HTTP 401) are final', async () => {
      await under.set('unauthorized');
      expect(await send()).toMatchObject({ ok: false, retryable: false });
    });

    it('never puts a secret into a reason or a log line', async () => {
      for (const mode of ['down', 'transient', 'permanent', 'unauthorized', 'ok'] as const) {
        await under.set(mode);
        await send();
      }
      const text = `${reasons.join('\n')}\n${JSON.stringify(logs)}`;
      expect(reasons.length).toBeGreaterThan(0);
      expect(under.secrets.length).toBeGreaterThan(0);
      for (const secret of under.secrets) {
        for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) expect(text).not.toContain(form);
      }
    });
  });
}
