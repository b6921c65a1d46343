import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { deviceSchema, type Device, type Sample } from '../../contract/index.ts';
import { TrapReceiver, type TrapSettings } from '../../agent/traps/receiver.ts';

/**
 * The agent's trap receiver against net-snmp's own snmptrap and snmpinform (Debian `snmp`), on loopback:
 * v1, v2c, inform and v3 authPriv; unknown sources, wrong communities and wrong keys refused and counted.
 */
const run = promisify(execFile);
const log = pino({ level: 'silent' });
const V3_AUTH = 'trap-auth-secret';
const V3_PRIV = 'trap-priv-secret';

const devices: Device[] = [
  deviceSchema.parse({ name: 'core', address: '127.0.0.1', role: 'core-switch', checks: { snmp: { community: 'school' } } }),
  deviceSchema.parse({
    name: 'office-ups',
    address: '127.0.0.2',
    role: 'ups',
    checks: { snmp: { version: '3', user: 'trapper', level: 'authPriv', authProtocol: 'sha256', authKeyEnv: 'HM_T_AUTH', privProtocol: 'aes128', privKeyEnv: 'HM_T_PRIV' } },
  }),
];

let receiver: TrapReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

async function startReceiver(settings: Partial<TrapSettings> = {}, now: () => number = () => Date.now()) {
  const got: Sample[] = [];
  const r = new TrapReceiver({
    settings: { enabled: true, address: '127.0.0.1', port: 0, communities: [], ratePerSecond: 10, burst: 50, ...settings },
    log,
    now,
    deliver: (s) => got.push(s),
    keys: { env: (n) => ({ HM_T_AUTH: V3_AUTH, HM_T_PRIV: V3_PRIV })[n], readFile: () => '' },
  });
  receiver = r;
  expect(await r.start()).toBe(true);
  await r.setDevices(devices);
  r.observe([{ measurement: 'interface', tags: { device: 'core', interface: 'Gi1/0/12', if_index: '12' }, fields: { oper_up: 1 }, time: Date.now() }]);
  return { r, got, target: `127.0.0.1:${r.port()}` };
}

async function until(check: () => boolean, ms = 5_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const v3 = (auth = V3_AUTH) => ['-v', '3', '-e', '0x80001f8880aabbccdd01', '-u', 'trapper', '-l', 'authPriv', '-a', 'SHA-256', '-A', auth, '-x', 'AES', '-X', V3_PRIV];

describe('trap receiver with net-snmp snmptrap', () => {
  it('v1 linkDown becomes a link-down event named by the poller’s interface name', async () => {
    const { got, target } = await startReceiver();
    await run('snmptrap', ['-v', '1', '-c', 'school', target, '1.3.6.1.4.1.9', '127.0.0.1', '2', '0', '', '1.3.6.1.2.1.2.2.1.1.12', 'i', '12', '1.3.6.1.2.1.2.2.1.7.12', 'i', '1']);
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({
      measurement: 'snmp_trap',
      tags: { device: 'core', event: 'link-down', interface: 'Gi1/0/12', if_index: '12' },
      fields: { state: 'fault', condition: 'link-down', trap_oid: '1.3.6.1.6.3.1.1.5.3', version: '1' },
    });
    expect(Math.abs(got[0]!.time - Date.now())).toBeLessThan(5_000);
  });

  it('v2c trap and inform; the inform is answered', async () => {
    const { got, target } = await startReceiver();
    await run('snmptrap', ['-v', '2c', '-c', 'school', target, '', '1.3.6.1.2.1.33.2.1', '1.3.6.1.2.1.33.1.2.2.0', 'i', '30']);
    // snmpinform exits 0 only when the receiver acknowledged.
    await run('snmpinform', ['-v', '2c', '-c', 'school', '-t', '2', '-r', '1', target, '', '1.3.6.1.4.1.318.0.9']);
    await until(() => got.length === 2);
    expect(got.map((s) => [s.tags.event, s.fields.state, s.fields.inform])).toEqual([
      ['ups-on-battery', 'fault', false],
      ['ups-on-mains', 'clear', true],
    ]);
  });

  it('v3 authPriv from the device’s own user; a wrong key is refused and counted', async () => {
    const { r, got } = await startReceiver();
    const target = `127.0.0.1:${r.port()}`;
    await run('snmptrap', [...v3(), '--clientaddr=127.0.0.2', target, '', '1.3.6.1.2.1.43.18.2.0.1', '1.3.6.1.2.1.43.18.1.1.4.1.3', 'i', '13', '1.3.6.1.2.1.43.18.1.1.7.1.3', 'i', '8']);
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({ tags: { device: 'office-ups', event: 'printer-jam' }, fields: { version: '3' } });
    await run('snmptrap', [...v3('wrong-auth-key!'), '--clientaddr=127.0.0.2', target, '', '1.3.6.1.2.1.33.2.1']);
    await until(() => r.counters.traps_refused === 1);
    expect(got).toHaveLength(1);
  });

  it('unknown sources and wrong communities are dropped and counted, never stored', async () => {
    const { r, got, target } = await startReceiver();
    await run('snmptrap', ['--clientaddr=127.0.0.9', '-v', '2c', '-c', 'school', target, '', '1.3.6.1.2.1.33.2.1']);
    await run('snmptrap', ['-v', '2c', '-c', 'not-the-community', target, '', '1.3.6.1.2.1.33.2.1']);
    // v2c from the v3 device's address: it has no community configured.
    await run('snmptrap', ['--clientaddr=127.0.0.2', '-v', '2c', '-c', 'school', target, '', '1.3.6.1.2.1.33.2.1']);
    await until(() => r.counters.traps_unknown_source === 1 && r.counters.traps_refused === 2);
    expect(got).toHaveLength(0);
  });

  it('an unknown trap is stored raw, with its OID and varbinds', async () => {
    const { r, got, target } = await startReceiver();
    await run('snmptrap', ['-v', '2c', '-c', 'school', target, '', '1.3.6.1.4.1.99999.0.7', '1.3.6.1.4.1.99999.1.1', 's', 'fan "2" \\ failed']);
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({ tags: { event: 'unknown' }, fields: { trap_oid: '1.3.6.1.4.1.99999.0.7', state: 'info' } });
    expect(JSON.parse(got[0]!.fields.varbinds as string)).toEqual([{ oid: '1.3.6.1.4.1.99999.1.1', value: 'fan "2" \\ failed' }]);
    expect(r.counters.traps_unknown_oid).toBe(1);
  });

  it('traps of one device received in the same millisecond get distinct times (InfluxDB keeps one point per series and time)', async () => {
    // A stopped clock: every trap arrives "at once", as a burst does within a millisecond.
    let clock = 1_796_000_000_000.4;
    const { got, target } = await startReceiver({}, () => clock);
    const snmp = (await import('node:module')).createRequire(import.meta.url)('net-snmp');
    const session = snmp.createSession('127.0.0.1', 'school', { trapPort: Number(target.split(':')[1]), version: snmp.Version2c });
    for (let i = 0; i < 20; i++) session.trap(`1.3.6.1.4.1.99999.0.${i}`, [], () => {});
    await until(() => got.length === 20);
    const times = got.map((s) => s.time);
    expect(new Set(times).size).toBe(20);
    expect(Math.min(...times)).toBe(1_796_000_000_000);
    expect(Math.max(...times)).toBe(1_796_000_000_019);
    // Quiet when the clock has moved on: the next trap keeps its own received-at time.
    clock += 5_000;
    session.trap('1.3.6.1.4.1.99999.0.99', [], () => {});
    await until(() => got.length === 21);
    session.close();
    expect(got[20]!.time).toBe(1_796_000_005_000);
  });

  it('a flood of 10,000 traps from one device is held to its rate; the receiver stays responsive', async () => {
    const { r, got, target } = await startReceiver({ ratePerSecond: 10, burst: 50 });
    // 10,000 snmptrap processes would take minutes: net-snmp's session sends the same v2c trap.
    const snmp = (await import('node:module')).createRequire(import.meta.url)('net-snmp');
    const session = snmp.createSession('127.0.0.1', 'school', { trapPort: Number(target.split(':')[1]), version: snmp.Version2c });
    const started = Date.now();
    // In rounds of 50, so the kernel's socket buffer (not the gate) is not what drops them.
    for (let i = 0; i < 10_000; i += 50) {
      for (let j = 0; j < 50; j++) session.trap('1.3.6.1.6.3.1.1.5.3', [], () => {});
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await until(() => r.counters.traps_received >= 10_000, 3_000).catch(() => {});
    session.close();
    const elapsed = (Date.now() - started) / 1000;
    const stored = got.length;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThanOrEqual(50 + Math.ceil(10 * elapsed) + 1);
    expect(r.counters.traps_received).toBeGreaterThan(9_000);
    expect(r.counters.traps_rate_limited).toBe(r.counters.traps_received - stored);
    // Another device is not held back by the first one's flood.
    const before = got.length;
    await run('snmptrap', ['--clientaddr=127.0.0.2', ...v3(), target, '', '1.3.6.1.2.1.33.2.1']);
    await until(() => got.length === before + 1);
  });
});
