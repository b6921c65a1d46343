import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpReceiver, type SmtpReceiver } from '../../collector/notify/testing/smtp-receiver.ts';
import { freeTcpPort, freeUdpPort, startSnmpsimEndpoints, waitFor, type SnmpsimEndpoints } from '../harness/index.ts';
import { startAlertRig, type AlertRig } from '../alerts/rig.ts';

/**
 * Real traps (net-snmp's snmptrap) from the addresses of two simulated devices into the real agent's
 * receiver, through the broker and collector to an email: a linkDown on a listed uplink and an APC UPS
 * going on battery each page at once (measured: about 0.5 s): the rules' defaults (`for: 1m`, `trapFor: 0s`)
 * page a fault a trap states without the pending wait; their clear traps resolve them. The devices are polled too (snmpsimd), so the poll is there to confirm or correct.
 */
const run = promisify(execFile);
const NET = '127.0.87';
let sim: SnmpsimEndpoints;
let smtp: SmtpReceiver;
let rig: AlertRig;
let trapPort: number;

beforeAll(async () => {
  sim = await startSnmpsimEndpoints([
    { host: `${NET}.1`, recording: 'ios_2960x' },
    { host: `${NET}.2`, recording: 'apc_smt750x-nmc2' },
  ]);
  smtp = await startSmtpReceiver({ port: await freeTcpPort() });
  trapPort = await freeUdpPort('127.0.0.1');
  const snmp = { community: sim.community, port: sim.port, intervalSeconds: 60, timeoutSeconds: 2 };
  const ping = { intervalSeconds: 5, probes: 1, timeoutSeconds: 0.5 };
  rig = await startAlertRig({
    devices: () => [
      { name: 'core', address: `${NET}.1`, role: 'core-switch', checks: { ping, snmp } },
      { name: 'office-ups', address: `${NET}.2`, role: 'ups', checks: { ping, snmp } },
    ],
    alerts: {
      contacts: [{ name: 'Alice', email: 'alice@provider.example' }],
    },
    site: { alerts: { uplinks: { core: ['Gi1/0/1'] } } },
    agent: { traps: { address: '127.0.0.1', port: trapPort } },
    collector: { smtp: { host: '127.0.0.1', port: smtp.port, from: 'Hallmonitor <noc@provider.example>' } },
  });
  // The first poll of both: the trap is laid over a poll, and the agent knows the uplink's ifIndex.
  await waitFor(async () => (await rig.select(`SELECT count(on_battery) FROM ups`)).length > 0 && (await rig.select(`SELECT count(oper_status) FROM interface WHERE "interface" = 'Gi1/0/1'`)).length > 0, {
    timeoutMs: 60_000,
    what: 'the first SNMP poll of both devices',
    intervalMs: 200,
  });
}, 180_000);
afterAll(async () => {
  await rig?.stop();
  await smtp?.stop();
  await sim?.stop();
});

const target = () => `127.0.0.1:${trapPort}`;
async function timed(send: () => Promise<unknown>, count: number): Promise<number> {
  const started = performance.now();
  await send();
  await smtp.waitForMessages(count, 10_000);
  return (performance.now() - started) / 1000;
}

/**
 * At once: well inside the rules' own pending time (`for: 1m`), so the trap, not a poll, paged. The figure
 * itself (about 0.5 s here, 2.7 s once on a loaded CI machine) is printed, not held to a tight bound.
 */
function expectAtOnce(...seconds: number[]) {
  for (const s of seconds) expect(s).toBeLessThan(15);
}

describe('traps to notifications', () => {
  it('linkDown on an uplink pages at once; linkUp resolves it', async () => {
    const down = await timed(() => run('snmptrap', [`--clientaddr=${NET}.1`, '-v', '2c', '-c', 'public', target(), '', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.10101', 'i', '10101', '1.3.6.1.2.1.2.2.1.7.10101', 'i', '1', '1.3.6.1.2.1.2.2.1.8.10101', 'i', '2']), 1);
    expect(smtp.messages[0]!.subject).toMatch(/core uplink Gi1\/0\/1 is down/);
    const up = await timed(() => run('snmptrap', [`--clientaddr=${NET}.1`, '-v', '2c', '-c', 'public', target(), '', '1.3.6.1.6.3.1.1.5.4', '1.3.6.1.2.1.2.2.1.1.10101', 'i', '10101']), 2)
    expect(smtp.messages[1]!.headers.get('x-hallmonitor-kind')).toBe('resolved');
    process.stdout.write(`trap to notification: linkDown ${down.toFixed(2)} s, linkUp ${up.toFixed(2)} s\n`);
    expectAtOnce(down, up);
  }, 30_000);

  it('an APC UPS on battery (SNMPv1 enterprise trap) pages at once; power restored resolves it', async () => {
    const before = smtp.messages.length;
    const down = await timed(() => run('snmptrap', [`--clientaddr=${NET}.2`, '-v', '1', '-c', 'public', target(), '1.3.6.1.4.1.318', `${NET}.2`, '6', '5', '']), before + 1);
    expect(smtp.messages[before]!.subject).toMatch(/office-ups is on battery/);
    const up = await timed(() => run('snmptrap', [`--clientaddr=${NET}.2`, '-v', '1', '-c', 'public', target(), '1.3.6.1.4.1.318', `${NET}.2`, '6', '9', '']), before + 2);
    expect(smtp.messages[before + 1]!.headers.get('x-hallmonitor-kind')).toBe('resolved');
    process.stdout.write(`trap to notification: UPS on battery ${down.toFixed(2)} s, on mains ${up.toFixed(2)} s\n`);
    expectAtOnce(down, up);
  }, 30_000);

  it('the traps are stored with the device, event and received-at time', async () => {
    const rows = await rig.select(`SELECT "state", "event", "device" FROM snmp_trap`);
    expect(rows.map((r) => [r[3], r[2], r[1]])).toEqual([
      ['core', 'link-down', 'fault'],
      ['core', 'link-up', 'clear'],
      ['office-ups', 'ups-on-battery', 'fault'],
      ['office-ups', 'ups-on-mains', 'clear'],
    ]);
  });
});
