import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnmpCheck } from '../agent/checks/snmp/snmp-check.ts';
import { createLogger, deviceSchema, sampleSchema, snmpCheckSchema, type Sample } from '../contract/index.ts';
import { simulatedSchool, type SimDevice } from '../deploy/demo/sim/school.ts';
import { toSnmprec } from '../deploy/demo/sim/snmprec.ts';
import { startSnmpsim, type SnmpsimServer } from './harness/index.ts';

/**
 * The simulated school the demo serves (deploy/demo/sim), read by the agent's own SNMP check through a
 * real snmpsimd: every device answers as its role, its MIBs give the samples a real one would, and its
 * counters move.
 */

const CLIENTS_PER_AP = 40;
const school = simulatedSchool({ switchPorts: 12, edgeSwitches: 2, clientsPerAp: CLIENTS_PER_AP });
const snmpDevices = school.filter((d): d is SimDevice & { snmp: NonNullable<SimDevice['snmp']> } => d.snmp !== undefined);
const CLASS_OF_ROLE: Record<string, string> = {
  firewall: 'firewall',
  'core-switch': 'switch',
  switch: 'switch',
  'access-point': 'wireless',
  server: 'server',
  printer: 'printer',
  ups: 'ups',
};
const LLDP_REM_SYS_NAME = '1.0.8802.1.1.2.1.4.1.1.9.';

const lines = (d: SimDevice) => toSnmprec(d.snmp!).trimEnd().split('\n');
const lldpNeighbours = (d: SimDevice) => lines(d).filter((l) => l.startsWith(LLDP_REM_SYS_NAME)).map((l) => l.split('|')[2]!);

describe('the simulated school (data)', () => {
  it('has every kind of device the demo promises, in a valid site device list', () => {
    expect(new Set(school.map((d) => d.role))).toEqual(new Set(['internet', 'firewall', 'core-switch', 'switch', 'access-point', 'server', 'printer', 'ups', 'other']));
    const parsed = school.map((d) => deviceSchema.safeParse({ name: d.name, address: '127.0.1.1', role: d.role, ...(d.parent ? { parent: d.parent } : {}) }));
    expect(parsed.every((p) => p.success)).toBe(true);
    const names = new Set(school.map((d) => d.name));
    expect(names.size).toBe(school.length);
    for (const d of school) if (d.parent !== undefined) expect(names.has(d.parent), d.name).toBe(true);
  });

  it('writes each device in OID order without duplicates, with the system group and a moving sysUpTime', () => {
    for (const d of snmpDevices) {
      const text = lines(d);
      expect(text.some((l) => l.startsWith('1.3.6.1.2.1.1.1.0|4|')), d.name).toBe(true);
      expect(text).toContain(`1.3.6.1.2.1.1.5.0|4|${d.name}`);
      expect(text.find((l) => l.startsWith('1.3.6.1.2.1.1.3.0|'))).toMatch(/^1\.3\.6\.1\.2\.1\.1\.3\.0\|67:numeric\|initial=\d+,rate=100$/);
    }
  });

  it('lists, on each switch, everything plugged into it by LLDP, and the switch on each neighbour that speaks LLDP', () => {
    const switches = school.filter((d) => d.role === 'switch' || d.role === 'core-switch');
    for (const sw of switches) {
      // Everything below it, and what it hangs off when that is a device of ours (not the ISP's line).
      const below = school.filter((d) => d.parent === sw.name).map((d) => d.name);
      const above = school.filter((d) => d.name === sw.parent && d.snmp !== undefined).map((d) => d.name);
      expect(new Set(lldpNeighbours(sw)), sw.name).toEqual(new Set([...below, ...above]));
      for (const name of below) {
        const neighbour = school.find((d) => d.name === name)!;
        if (neighbour.snmp === undefined) continue; // answers ping only (the CCTV recorder)
        const back = lldpNeighbours(neighbour);
        if (back.length > 0) expect(back, name).toContain(sw.name);
      }
    }
  });
});

describe('the simulated school through snmpsimd and the agent\'s SNMP check', () => {
  let sim: SnmpsimServer;
  const first = new Map<string, Sample[]>();
  const second = new Map<string, Sample[]>();
  const ctx = { now: () => Date.now(), log: createLogger('test', 'silent') };
  const check = createSnmpCheck();
  const poll = (d: SimDevice) =>
    check.run(
      deviceSchema.parse({ name: d.name, address: sim.host, role: d.role }),
      snmpCheckSchema.parse({ community: d.name, port: sim.port, timeoutSeconds: 2, retries: 1 }),
      ctx,
    );

  beforeAll(async () => {
    sim = await startSnmpsim({ recordings: [], extraFiles: Object.fromEntries(snmpDevices.map((d) => [d.name, toSnmprec(d.snmp)])), requestLog: false });
    for (const d of snmpDevices) first.set(d.name, await poll(d));
    await sleep(2_000);
    for (const d of snmpDevices) second.set(d.name, await poll(d));
  }, 180_000);
  afterAll(async () => {
    await sim?.stop();
  });

  const of = (samples: Sample[] | undefined, measurement: string) => (samples ?? []).filter((s) => s.measurement === measurement);

  it.each(snmpDevices.map((d) => [d.name, d.role] as const))('%s (%s) answers, classified as its role, with valid samples', (name, role) => {
    const samples = second.get(name)!;
    for (const s of samples) expect(sampleSchema.safeParse(s).error).toBeUndefined();
    const snmp = of(samples, 'snmp')[0]!;
    expect(snmp.fields).toMatchObject({ up: 1 });
    expect(snmp.fields.error).toBeUndefined();
    expect(snmp.tags.class).toBe(CLASS_OF_ROLE[role]);
    expect(of(samples, 'interface').length).toBeGreaterThan(0);
  });

  it('counters move: every up Ethernet port of the core switch has a traffic rate on the second poll', () => {
    const ports = of(second.get('core-switch'), 'interface').filter((s) => s.fields.oper_status === 1);
    expect(ports.length).toBeGreaterThan(2);
    for (const p of ports) {
      expect(p.fields.in_bps, p.tags.interface).toBeGreaterThan(0);
      expect(p.fields.out_bps, p.tags.interface).toBeGreaterThan(0);
    }
    // the same port's rate is there only once two polls have been seen
    expect(of(first.get('core-switch'), 'interface').every((s) => s.fields.in_bps === undefined)).toBe(true);
  });

  it('access points report their clients per radio (UniFi VAP table), adding up to the clients given', () => {
    for (const ap of snmpDevices.filter((d) => d.role === 'access-point')) {
      const radios = of(second.get(ap.name), 'wireless');
      expect(new Set(radios.map((r) => r.tags.band))).toEqual(new Set(['2.4ghz', '5ghz']));
      const total = radios.reduce((n, r) => n + Number(r.fields.clients ?? 0), 0);
      expect(Math.abs(total - CLIENTS_PER_AP)).toBeLessThanOrEqual(2);
    }
  });

  it('the printer reports each supply with its colour, and its state (Printer-MIB, HOST-RESOURCES)', () => {
    const supplies = of(second.get('office-printer'), 'printer_supply');
    expect(supplies).toHaveLength(6);
    expect(new Set(supplies.map((s) => s.tags.colour).filter(Boolean))).toEqual(new Set(['black', 'cyan', 'magenta', 'yellow']));
    expect(supplies.find((s) => s.tags.supply === 'Black Toner Cartridge')?.fields).toMatchObject({ level_pct: 64 });
    expect(of(second.get('office-printer'), 'printer')[0]?.fields).toMatchObject({ device_status: 2, printer_status: 3, no_paper: 0, jammed: 0 });
  });

  it('the UPS is on mains with a full battery (UPS-MIB), the server reports CPU and disks (HOST-RESOURCES)', () => {
    expect(of(second.get('server-ups'), 'ups')[0]?.fields).toMatchObject({ on_battery: 0, battery_status: 'normal', battery_pct: 100, runtime_min: 42, load_pct: 34 });
    expect(of(second.get('file-server'), 'host_cpu')).toHaveLength(4);
    expect(of(second.get('file-server'), 'host_storage').map((s) => s.tags.storage)).toEqual(expect.arrayContaining(['/', '/srv/shares']));
  });
});
