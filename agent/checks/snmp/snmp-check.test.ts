import { createSocket, type Socket } from 'node:dgram';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, deviceSchema, sampleSchema, snmpCheckSchema, type Sample } from '../../../contract/index.ts';
import {
  createDeadHost,
  freeUdpPort,
  recordingInterfaceIndexes,
  recordingText,
  recordingValue,
  startSnmpd,
  startSnmpsim,
  type SnmpdServer,
  type SnmpsimServer,
} from '../../../test/harness/index.ts';
import type { CheckContext } from '../check.ts';
import { PROFILES, type Profile } from './profiles/index.ts';
import { SnmpFailure } from './session.ts';
import { createSnmpCheck } from './snmp-check.ts';

const ctx: CheckContext = { now: () => Date.now(), log: createLogger('test', 'silent') };
const RECORDINGS = ['procurve_e2910', 'draytek', 'fortigate_60f', 'windows_svr_2019_1809'] as const;

/** Counters that move (snmpsim numeric variation, RIG.md): 1,331,560 B/s in, 100,000 B/s out on a 1 Gbit/s port. */
const IN_RATE = 1_331_560;
const OUT_RATE = 100_000;
const MOVING = [
  '1.3.6.1.2.1.1.1.0|4|moving counters',
  '1.3.6.1.2.1.1.3.0|67:numeric|initial=0,rate=100',
  '1.3.6.1.2.1.2.2.1.2.1|4|uplink',
  '1.3.6.1.2.1.2.2.1.7.1|2|1',
  '1.3.6.1.2.1.2.2.1.8.1|2|1',
  `1.3.6.1.2.1.31.1.1.1.6.1|70:numeric|initial=39857997,rate=${IN_RATE}`,
  `1.3.6.1.2.1.31.1.1.1.10.1|70:numeric|initial=1000,rate=${OUT_RATE}`,
  '1.3.6.1.2.1.31.1.1.1.15.1|66|1000',
].join('\n');

/** A device that answers, but with the wrong types: sysUpTime as text, counters as strings. */
const GARBLED = [
  '1.3.6.1.2.1.1.1.0|4|garbled device',
  '1.3.6.1.2.1.1.3.0|4|not a timetick',
  '1.3.6.1.2.1.2.2.1.2.1|4|eth0',
  '1.3.6.1.2.1.2.2.1.7.1|2|1',
  '1.3.6.1.2.1.2.2.1.8.1|4|up',
  '1.3.6.1.2.1.31.1.1.1.6.1|4|12345',
].join('\n');

/** Like the Ruckus recording: no sysUpTime, and (here) no IF-MIB at all. */
const SPARSE = ['1.3.6.1.2.1.1.1.0|4|sparse device', '1.3.6.1.2.1.1.5.0|4|ap-hall'].join('\n');

/** The same device before and after a firmware change: another sysObjectID. */
const identity = (oid: string) => [`1.3.6.1.2.1.1.1.0|4|box`, `1.3.6.1.2.1.1.2.0|6|${oid}`, '1.3.6.1.2.1.2.2.1.2.1|4|eth0', '1.3.6.1.2.1.2.2.1.8.1|2|1'].join('\n');

const device = (name: string, address: string) => deviceSchema.parse({ name, address, role: 'switch' });
const config = (community: string, port: number, extra: Partial<Record<string, unknown>> = {}) =>
  snmpCheckSchema.parse({ community, port, timeoutSeconds: 1, retries: 1, ...extra });
const system = (samples: Sample[]) => samples.find((s) => s.measurement === 'snmp')!;
const interfaces = (samples: Sample[]) => samples.filter((s) => s.measurement === 'interface');

describe('snmp check against snmpsimd recordings', () => {
  let sim: SnmpsimServer;
  beforeAll(async () => {
    sim = await startSnmpsim({ recordings: [...RECORDINGS], extraFiles: {
        moving: MOVING,
        garbled: GARBLED,
        sparse: SPARSE,
        'ident-a': identity('1.3.6.1.4.1.9.1.1208'),
        'ident-b': identity('1.3.6.1.4.1.9.1.2494'),
      },
    });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  for (const name of RECORDINGS) {
    it(`${name}: system group and every interface of the recording`, async () => {
      const samples = await createSnmpCheck().run(device('dev1', sim.host), config(name, sim.port), ctx);
      for (const s of samples) expect(sampleSchema.safeParse(s).error).toBeUndefined();
      const sys = system(samples);
      expect(sys.tags).toMatchObject({ device: 'dev1', role: 'switch', class: expect.any(String), vendor: expect.any(String) });
      expect(sys.fields).toMatchObject({
        up: 1,
        sys_descr: recordingText(name, '1.3.6.1.2.1.1.1.0'),
        sys_object_id: (recordingValue(name, '1.3.6.1.2.1.1.2.0') as { value: string }).value,
        interfaces: recordingInterfaceIndexes(name).length,
        uptime_s: (recordingValue(name, '1.3.6.1.2.1.1.3.0') as { value: number }).value / 100,
      });
      expect(sys.fields.error).toBeUndefined();
      const indexes = interfaces(samples).map((s) => Number(s.tags.if_index));
      expect(indexes.every((i) => recordingInterfaceIndexes(name).includes(i))).toBe(true);
      expect(indexes.length).toBeGreaterThan(0);
    });
  }

  it('fortigate_60f: the empty sysDescr is an empty string, not missing', async () => {
    const samples = await createSnmpCheck().run(device('fw', sim.host), config('fortigate_60f', sim.port), ctx);
    expect(system(samples).fields.sys_descr).toBe('');
  });

  it('procurve_e2910: 64-bit ifHC counters and ifHighSpeed; draytek and windows: 32-bit ifTable', async () => {
    const check = createSnmpCheck();
    const procurve = interfaces(await check.run(device('sw', sim.host), config('procurve_e2910', sim.port), ctx));
    expect(procurve.every((s) => s.fields.counter_bits === 64)).toBe(true);
    expect(procurve.some((s) => typeof s.fields.speed_bps === 'number' && s.fields.speed_bps >= 1e9)).toBe(true);
    const draytek = interfaces(await check.run(device('fw', sim.host), config('draytek', sim.port), ctx));
    expect(draytek.every((s) => s.fields.counter_bits === 32)).toBe(true);
    expect(draytek.find((s) => s.tags.if_index === '1')?.fields).toMatchObject({ in_octets: 2_623_046_322, out_octets: 721_527_397 });
    const windows = interfaces(await check.run(device('srv', sim.host), config('windows_svr_2019_1809', sim.port), ctx));
    expect(windows.every((s) => s.fields.counter_bits === 32)).toBe(true);
    // Windows NUL-terminates ifDescr; the name must not carry it.
    expect(windows.every((s) => !s.tags.interface!.includes('\0'))).toBe(true);
  });

  it('static recordings: rates from the second poll on, and they are zero', async () => {
    const check = createSnmpCheck();
    const first = interfaces(await check.run(device('sw', sim.host), config('procurve_e2910', sim.port), ctx));
    expect(first.some((s) => 'in_bps' in s.fields)).toBe(false);
    await sleep(50);
    const second = interfaces(await check.run(device('sw', sim.host), config('procurve_e2910', sim.port), ctx));
    expect(second.every((s) => s.fields.in_bps === 0 && s.fields.out_bps === 0)).toBe(true);
  });

  it('keeps counters per device and target: another address, or a day without polls, starts afresh', async () => {
    const check = createSnmpCheck();
    let now = Date.now();
    const clock: CheckContext = { ...ctx, now: () => now };
    const hasRates = (samples: Sample[]) => interfaces(samples).some((s) => 'in_bps' in s.fields);
    const dev = device('fw', sim.host);
    expect(hasRates(await check.run(dev, config('draytek', sim.port), clock))).toBe(false);
    now += 60_000;
    expect(hasRates(await check.run(dev, config('draytek', sim.port), clock))).toBe(true);
    now += 60_000;
    expect(hasRates(await check.run({ ...dev, address: 'localhost' }, config('draytek', sim.port), clock))).toBe(false);
    now += 60_000;
    expect(hasRates(await check.run({ ...dev, address: 'localhost' }, config('draytek', sim.port), clock))).toBe(true);
    now += 25 * 3_600_000;
    await check.run(device('other', sim.host), config('draytek', sim.port), clock);
    now += 60_000;
    expect(hasRates(await check.run({ ...dev, address: 'localhost' }, config('draytek', sim.port), clock))).toBe(false);
  });

  it('probes profiles on the first poll, again when the sysObjectID changes, and again a day later', async () => {
    let probes = 0;
    const counting: Profile = {
      name: 'counting',
      probes: ['1.3.6.1.2.1.2.2.1.2'],
      detect: () => {
        probes++;
        return false;
      },
      poll: async () => ({ samples: [] }),
    };
    const check = createSnmpCheck({ profiles: [...PROFILES, counting] });
    let now = Date.now();
    const clock: CheckContext = { ...ctx, now: () => now };
    const dev = device('box', sim.host);
    const poll = async (community: string, advanceMs: number) => {
      now += advanceMs;
      return check.run(dev, config(community, sim.port), clock);
    };
    await poll('ident-a', 0);
    expect(probes).toBe(1);
    const second = await poll('ident-a', 60_000);
    expect(probes).toBe(1);
    // The cached decision still polls the interfaces.
    expect(interfaces(second)).toHaveLength(1);
    await poll('ident-b', 60_000);
    expect(probes).toBe(2);
    await poll('ident-b', 12 * 3_600_000);
    expect(probes).toBe(2);
    const dayLater = await poll('ident-b', 12 * 3_600_000);
    expect(probes).toBe(3);
    expect(dayLater.find((s) => s.measurement === 'device_info')?.tags).toMatchObject({ class: 'switch', vendor: 'Cisco' });
  });

  it('probing that needs more than its share of a poll carries on at the next poll; interfaces meanwhile', async () => {
    // A clock that moves 1 s at every reading: with a 20 s interval, probing may start requests until 10 s into the
    // poll, so the first poll stops probing part-way.
    let now = Date.now();
    const clock: CheckContext = { ...ctx, now: () => (now += 1_000) };
    const check = createSnmpCheck();
    const dev = device('srv', sim.host);
    const target = config('windows_svr_2019_1809', sim.port, { intervalSeconds: 20 });
    const info = (samples: Sample[]) => samples.find((s) => s.measurement === 'device_info');
    const first = await check.run(dev, target, clock);
    // Not decided yet: no device_info (it would claim a provisional class), but the interfaces are polled.
    expect(info(first)).toBeUndefined();
    expect(system(first).fields.error).toBeUndefined();
    expect(interfaces(first).length).toBeGreaterThan(0);
    const later = [await check.run(dev, target, clock), await check.run(dev, target, clock)];
    expect(later.map((samples) => info(samples)?.fields.profiles)).toContain('interfaces,host_resources');
    expect(info(later[1]!)?.tags).toMatchObject({ class: 'server', vendor: 'Microsoft' });
  });

  it('a profile whose walk loops or that hits a bug is reported in the error field; the others still run', async () => {
    const always = { probes: [], detect: () => true } as const;
    const looping: Profile = { ...always, name: 'looping', poll: async () => Promise.reject(new SnmpFailure('bad response: OID not increasing')) };
    const buggy: Profile = { ...always, name: 'buggy', poll: async () => Promise.reject(new TypeError('x is undefined')) };
    const fine: Profile = {
      ...always,
      name: 'fine',
      poll: async (_session, c) => ({ samples: [{ measurement: 'fine', tags: { ...c.tags }, fields: { ok: 1 }, time: c.now() }], summary: { fine: 1 } }),
    };
    const check = createSnmpCheck({ profiles: [...PROFILES.slice(0, 1), looping, buggy, fine] });
    const samples = await check.run(device('odd', sim.host), config('draytek', sim.port), ctx);
    expect(system(samples).fields).toMatchObject({ up: 1, fine: 1, interfaces: 8, error: 'looping: bad response: OID not increasing; buggy: internal error' });
    expect(samples.find((s) => s.measurement === 'fine')?.tags).toMatchObject({ class: 'firewall', vendor: 'DrayTek' });
  });

  it('SNMPv1 gives the same picture as v2c (GETNEXT walks)', async () => {
    const v1 = await createSnmpCheck().run(device('fw', sim.host), config('draytek', sim.port, { version: '1' }), ctx);
    expect(system(v1).fields).toMatchObject({ up: 1, interfaces: recordingInterfaceIndexes('draytek').length });
    expect(interfaces(v1)).toHaveLength(recordingInterfaceIndexes('draytek').length);
  });

  for (const version of ['1', '2c'] as const) {
    it(`SNMPv${version}: a device without sysUpTime or IF-MIB is up with what it has`, async () => {
      const samples = await createSnmpCheck().run(device('ap', sim.host), config('sparse', sim.port, { version }), ctx);
      expect(samples.map((s) => s.measurement)).toEqual(['snmp', 'device_info']);
      expect(system(samples).fields).toEqual({
        up: 1,
        response_ms: expect.any(Number),
        sys_descr: 'sparse device',
        sys_name: 'ap-hall',
        interfaces: 0,
      });
    });
  }

  it('moving counters: in_bps and out_bps match the simulated rates', async () => {
    const check = createSnmpCheck();
    const target = config('moving', sim.port);
    await check.run(device('uplink', sim.host), target, ctx);
    await sleep(1_500);
    const samples = await check.run(device('uplink', sim.host), target, ctx);
    const [uplink] = interfaces(samples);
    expect(uplink?.tags.interface).toBe('uplink');
    expect(uplink?.fields.counter_bits).toBe(64);
    expect(uplink?.fields.in_bps).toBeGreaterThan(IN_RATE * 8 * 0.9);
    expect(uplink?.fields.in_bps).toBeLessThan(IN_RATE * 8 * 1.1);
    expect(uplink?.fields.out_bps).toBeGreaterThan(OUT_RATE * 8 * 0.9);
    expect(uplink?.fields.out_bps).toBeLessThan(OUT_RATE * 8 * 1.1);
    expect(uplink?.fields.utilisation_pct).toBeCloseTo(((IN_RATE * 8) / 1e9) * 100, 0);
  });

  it('a device answering with wrong types is up, and the garbage is left out', async () => {
    const samples = await createSnmpCheck().run(device('odd', sim.host), config('garbled', sim.port), ctx);
    expect(system(samples).fields).toMatchObject({ up: 1, sys_descr: 'garbled device', interfaces: 1 });
    expect(system(samples).fields.uptime_s).toBeUndefined();
    expect(interfaces(samples).map((s) => s.fields)).toEqual([{ admin_status: 1 }]);
  });

  it('a slow device: the poll stops at its budget, the device is up, the tables are reported missing', async () => {
    // Every datagram to and from snmpsimd is held back 250 ms: the system GET arrives, the 15 column walks cannot.
    const proxy = createSocket('udp4');
    const upstream = createSocket('udp4');
    let client: { port: number; address: string } | undefined;
    let open = true;
    proxy.on('message', (msg, from) => {
      client = { port: from.port, address: from.address };
      setTimeout(() => open && upstream.send(msg, sim.port, sim.host), 250);
    });
    upstream.on('message', (msg) => open && client && proxy.send(msg, client.port, client.address));
    await new Promise<void>((resolve) => proxy.bind(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const target = config('procurve_e2910', proxy.address().port, { intervalSeconds: 1, timeoutSeconds: 0.5, retries: 1 });
      const samples = await createSnmpCheck().run(device('slow', '127.0.0.1'), target, ctx);
      expect(Date.now() - started).toBeLessThan(1_500);
      // Probing never got its turn: no device_info until it has decided what the device is.
      expect(samples.map((s) => s.measurement)).toEqual(['snmp']);
      expect(system(samples).fields).toMatchObject({ up: 1, error: 'interfaces: poll budget exceeded' });
      expect(system(samples).fields.interfaces).toBeUndefined();
    } finally {
      open = false;
      proxy.close();
      upstream.close();
    }
  });

  it('closes every socket it opens, whatever the outcome', async () => {
    // net-snmp makes its socket through require('dgram').createSocket; watch every one it makes.
    const dgram = createRequire(import.meta.url)('node:dgram') as typeof import('node:dgram');
    const original = dgram.createSocket;
    const opened: { closed: boolean }[] = [];
    dgram.createSocket = ((...args: Parameters<typeof original>) => {
      const socket = original(...args);
      const entry = { closed: false };
      opened.push(entry);
      socket.on('close', () => (entry.closed = true));
      return socket;
    }) as typeof original;
    try {
      const check = createSnmpCheck();
      const nobody = await freeUdpPort('127.0.0.1');
      await Promise.all([
        check.run(device('a', sim.host), config('draytek', sim.port), ctx),
        check.run(device('b', sim.host), config('no-such-community', sim.port, { timeoutSeconds: 0.2, retries: 0 }), ctx),
        check.run(device('c', '127.0.0.1'), config('public', nobody, { timeoutSeconds: 0.2, retries: 0 }), ctx),
      ]);
    } finally {
      dgram.createSocket = original;
    }
    await sleep(10);
    expect(opened).toHaveLength(3);
    expect(opened.every((s) => s.closed)).toBe(true);
  });

  it('a wrong community times out like a dead device', async () => {
    const started = Date.now();
    const samples = await createSnmpCheck().run(device('sw', sim.host), config('no-such-community', sim.port, { timeoutSeconds: 0.3 }), ctx);
    expect(samples).toHaveLength(1);
    expect(system(samples).fields).toEqual({ up: 0, error: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('snmp check against devices that do not answer properly', () => {
  it('a port nobody listens on: up 0, error "timeout", within timeout x tries', async () => {
    const port = await freeUdpPort('127.0.0.1');
    const started = Date.now();
    const samples = await createSnmpCheck().run(device('gone', '127.0.0.1'), config('public', port, { timeoutSeconds: 0.4 }), ctx);
    const finished = Date.now();
    // The sample is stamped when the poll began, which is within the call (a busy machine may tick 1 ms first).
    expect(samples).toEqual([{ measurement: 'snmp', tags: { device: 'gone', role: 'switch' }, fields: { up: 0, error: 'timeout' }, time: expect.any(Number) }]);
    expect(samples[0]!.time).toBeGreaterThanOrEqual(started);
    expect(samples[0]!.time).toBeLessThanOrEqual(started + 50);
    expect(finished - started).toBeLessThan(1_500);
  });

  it.runIf(process.getuid?.() === 0)('an address that drops everything (harness dead host)', async () => {
    const dead = await createDeadHost();
    try {
      const samples = await createSnmpCheck().run(device('gone', dead.address), config('public', 161, { timeoutSeconds: 0.3, retries: 0 }), ctx);
      expect(system(samples).fields).toEqual({ up: 0, error: 'timeout' });
    } finally {
      await dead.remove();
    }
  });

  describe('a UDP service that answers with garbage', () => {
    let socket: Socket;
    let port: number;
    beforeAll(async () => {
      socket = createSocket('udp4');
      socket.on('message', (_msg, from) => socket.send(Buffer.from('this is not BER'), from.port, from.address));
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      port = socket.address().port;
    });
    afterAll(() => socket?.close());

    it('is up 0 with error "bad response", and nothing throws', async () => {
      const samples = await createSnmpCheck().run(device('junk', '127.0.0.1'), config('public', port, { timeoutSeconds: 0.3, retries: 0 }), ctx);
      expect(system(samples).fields).toEqual({ up: 0, error: 'bad response' });
    });
  });
});

describe('snmp check against net-snmp snmpd', () => {
  let snmpd: SnmpdServer;
  beforeAll(async () => {
    snmpd = await startSnmpd();
  });
  afterAll(async () => {
    await snmpd?.stop();
  });

  it('finds lo with 64-bit counters, and rates on the second poll', async () => {
    const check = createSnmpCheck();
    const target = config(snmpd.community, snmpd.port);
    const first = await check.run(device('host', snmpd.host), target, ctx);
    expect(system(first).fields).toMatchObject({ up: 1, sys_object_id: expect.stringMatching(/^1\.3\.6\.1\.4\.1\.8072\./) });
    expect(typeof system(first).fields.uptime_s).toBe('number');
    const lo = interfaces(first).find((s) => s.tags.interface === 'lo');
    expect(lo?.fields).toMatchObject({ counter_bits: 64, oper_status: 1 });
    await sleep(1_100);
    const second = await check.run(device('host', snmpd.host), target, ctx);
    const lo2 = interfaces(second).find((s) => s.tags.interface === 'lo');
    expect(lo2?.fields.in_bps).toBeGreaterThanOrEqual(0);
    for (const s of second) expect(sampleSchema.safeParse(s).error).toBeUndefined();
  });
});
