import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { AlertStore, alertsDbFile } from '../../collector/alerts/store.ts';
import { ackUrl } from '../../collector/notify/index.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../../collector/notify/testing/smtp-receiver.ts';
import { freeTcpPort, waitFor } from '../harness/index.ts';
import { SITE, startAlertRig, type AlertRig } from './rig.ts';

/**
 * Real agent → collector (engine, durable dispatcher, email channel, ack endpoint) → a real SMTP server.
 * A server ("nas") never answers; the SMTP server refuses at first. Then: retries until delivered,
 * escalation to the next on-call contact, acknowledgement through the signed link (tampered and expired
 * links refused), and a school offline across a collector restart and a silence: no duplicate, and the
 * resolved message still goes.
 */
const ping = { intervalSeconds: 1, probes: 1, timeoutSeconds: 0.5 };
const PUBLIC = 'https://noc.provider.example/hm';
const SECRET = 'x'.repeat(40);
let rig: AlertRig;
let smtp: SmtpReceiver;
let ackPort: number;

beforeAll(async () => {
  smtp = await startSmtpReceiver({ port: await freeTcpPort() });
  smtp.refuseAll(451);
  ackPort = await freeTcpPort();
  rig = await startAlertRig({
    devices: (dead) => [
      { name: 'router', address: '127.0.0.2', role: 'internet', checks: { ping } },
      { name: 'nas', address: dead.address, role: 'server', parent: 'router', checks: { ping } },
    ],
    alerts: {
      contacts: [
        { name: 'Alice', email: 'alice@provider.example' },
        { name: 'Bob', email: 'bob@provider.example' },
        { name: 'Carol', email: 'carol@provider.example' },
      ],
      escalateAfter: '8s',
      repeatInterval: '1h',
      rules: { 'device-down': { for: '1s' }, 'site-offline': { for: '1s' } },
    },
    collector: {
      smtp: { host: '127.0.0.1', port: smtp.port, from: 'Hallmonitor <noc@provider.example>' },
      notify: {
        channels: [{ id: 'email', type: 'email' }],
        retry: { initialSeconds: 0.5, maxSeconds: 2, giveUpHours: 1 },
        ack: { host: '127.0.0.1', port: ackPort, publicUrl: PUBLIC, secret: SECRET, linkLifetimeHours: 1 },
      },
    },
  });
}, 120_000);
afterAll(async () => {
  await rig?.stop();
  await smtp?.stop();
});

const to = (m: ParsedMail) => (Array.isArray(m.to) ? m.to[0] : m.to)?.text ?? '';
const inbox = () => smtp.messages.map((m) => `${m.headers.get('x-hallmonitor-kind')} ${to(m).replace(/ <.*/, '').replace(/"/g, '')}`);
const local = (link: string) => link.replace(PUBLIC, `http://127.0.0.1:${ackPort}`);

describe('alert emails end to end', () => {
  it('SMTP refusing: the firing email is retried with backoff, then delivered once when it accepts', async () => {
    await waitFor(() => smtp.connections >= 3, { timeoutMs: 30_000, what: 'three attempts at the refusing SMTP server', intervalMs: 100, service: rig.agent });
    expect(smtp.messages).toHaveLength(0);
    smtp.accept();
    await smtp.waitForMessages(1, 15_000);
    expect(inbox()).toEqual(['firing Alice']);
    expect(smtp.messages[0]!.subject).toMatch(/^\[CRITICAL\] Alert School: nas is down since \d\d:\d\d$/);
  });

  it('unacknowledged: the next on-call contact is told; after the signed link, nobody else', async () => {
    await smtp.waitForMessages(2, 20_000);
    expect(inbox()).toEqual(['firing Alice', 'escalation Bob']);
    const link = /Acknowledge: (\S+)/.exec(smtp.messages[1]!.text ?? '')?.[1];
    expect(link).toMatch(/^https:\/\/noc\.provider\.example\/hm\/ack\?/);
    const url = new URL(local(link!));
    const alertId = url.searchParams.get('a')!;

    const tampered = new URL(url);
    tampered.searchParams.set('a', `${alertId.slice(0, -1)}${alertId.endsWith('f') ? 'e' : 'f'}`);
    expect((await fetch(tampered)).status).toBe(403);
    const expired = local(ackUrl(PUBLIC, SECRET, { alertId, expiresAt: Date.now() - 1_000, contact: 'Bob' }));
    const refused = await fetch(expired, { method: 'POST', body: new URL(expired).searchParams });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('expired');
    expect(rig.collector.alerts.alerts().find((a) => a.id === alertId)?.ackedAt).toBeUndefined();

    expect((await fetch(url)).status).toBe(200); // the confirm page: a GET acknowledges nothing
    const ack = await fetch(local(link!).replace(/\?.*/, ''), { method: 'POST', body: url.searchParams });
    expect(ack.status).toBe(200);
    expect(await ack.text()).toContain('Acknowledged');
    expect(rig.collector.alerts.alerts().find((a) => a.id === alertId)).toMatchObject({ ackedBy: 'Bob' });
    // Past the next escalation time: Carol hears nothing.
    await new Promise((r) => setTimeout(r, 10_000));
    expect(inbox()).toEqual(['firing Alice', 'escalation Bob']);
  });

  it('school offline across a collector restart and a silence: one firing, no duplicate, and the resolved message', async () => {
    await rig.stopAgent();
    await smtp.waitForMessages(3, 20_000);
    expect(inbox()[2]).toBe('firing Alice');
    expect(smtp.messages[2]!.subject).toMatch(/Alert School is offline since/);
    const siteAlert = rig.collector.alerts.alerts().find((a) => a.rule === 'site-offline')!;

    await rig.restartCollector();
    // Silenced after it was sent (Alertmanager #226: the resolved message must still come).
    const now = Date.now();
    const s = new AlertStore(alertsDbFile({ file: `${rig.dir.path}/collector.yaml`, dataDir: 'data' }));
    s.addSilence({ site: SITE, startsAt: now, endsAt: now + 3_600_000, by: 'Alice' }, now);
    s.close();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(inbox()).toHaveLength(3);

    await rig.startAgent();
    await smtp.waitForMessages(4, 30_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(inbox()).toEqual(['firing Alice', 'escalation Bob', 'firing Alice', 'resolved Alice']);
    expect(smtp.messages[3]!.headers.get('x-hallmonitor-alert')).toBe(siteAlert.id);
    expect(smtp.messages[3]!.subject).toMatch(/^\[RESOLVED\] Alert School is offline \(\d\d:\d\d – \d\d:\d\d\)$/);
  });
});
