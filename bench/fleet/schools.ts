import { toTagValue, type Device, type DeviceRole, type FieldValue, type Sample } from '../../contract/index.ts';

/**
 * The fleet of issue 17: 70 % primaries of ~15 devices and 30 % secondaries of ~50 devices (8 switches with
 * ~290 ports, 20 APs, 8 printers, 2 UPSes, 4 servers). Names are stable across polls, as a real school's
 * interface, supply and AP names are, so the series count is what a provider would see. Pure: the bench,
 * the agents' process and the smoke test derive the same devices and samples from (school index, poll).
 */
export type SchoolKind = 'primary' | 'secondary';

export interface SchoolDevice {
  name: string;
  role: DeviceRole;
  /** Ports polled over IF-MIB (0: the device is only pinged, or has other SNMP tables). */
  ports: number;
  snmp: boolean;
}

export interface School {
  index: number;
  site: string;
  agent: string;
  kind: SchoolKind;
  devices: SchoolDevice[];
}

const dev = (name: string, role: DeviceRole, ports: number, snmp = true): SchoolDevice => ({ name, role, ports, snmp });

function primaryDevices(): SchoolDevice[] {
  return [
    dev('router', 'internet', 4),
    dev('core-switch', 'core-switch', 24),
    dev('switch-1', 'switch', 24),
    dev('switch-2', 'switch', 24),
    ...Array.from({ length: 6 }, (_, i) => dev(`ap-${i + 1}`, 'access-point', 0)),
    dev('printer-1', 'printer', 0),
    dev('printer-2', 'printer', 0),
    dev('ups-1', 'ups', 0),
    dev('server-1', 'server', 0),
    dev('nvr', 'other', 0, false),
  ];
}

function secondaryDevices(): SchoolDevice[] {
  return [
    dev('router', 'internet', 4),
    dev('firewall', 'firewall', 8),
    dev('core-switch', 'core-switch', 48),
    // 7 access switches of 34 ports + the core's 48 = 286 switch ports (+12 on router and firewall).
    ...Array.from({ length: 7 }, (_, i) => dev(`switch-${i + 1}`, 'switch', 34)),
    dev('wlc', 'wireless-controller', 4),
    ...Array.from({ length: 20 }, (_, i) => dev(`ap-${i + 1}`, 'access-point', 0)),
    ...Array.from({ length: 8 }, (_, i) => dev(`printer-${i + 1}`, 'printer', 0)),
    dev('ups-1', 'ups', 0),
    dev('ups-2', 'ups', 0),
    ...Array.from({ length: 4 }, (_, i) => dev(`server-${i + 1}`, 'server', 0)),
    ...Array.from({ length: 5 }, (_, i) => dev(`other-${i + 1}`, 'other', 0, false)),
  ];
}

/** School i (from 0): every tenth school from the 4th on is a secondary... three in ten in all. */
export function schoolKind(index: number): SchoolKind {
  return index % 10 === 3 || index % 10 === 6 || index % 10 === 9 ? 'secondary' : 'primary';
}

export function school(index: number): School {
  const site = `fleet-${String(index + 1).padStart(4, '0')}`;
  const kind = schoolKind(index);
  return { index, site, agent: `${site}-agent`, kind, devices: kind === 'primary' ? primaryDevices() : secondaryDevices() };
}

/** The site file's device list: a loopback address each (nothing is polled: the agents are simulated). */
export function siteDevices(s: School, pollSeconds: number): Device[] {
  return s.devices.map((d, i) => ({
    name: d.name,
    address: `127.${100 + (s.index >> 8)}.${s.index & 255}.${i + 1}`,
    role: d.role,
    checks: {
      ping: { intervalSeconds: pollSeconds, probes: 3, probeIntervalSeconds: 0.2, timeoutSeconds: 1 },
      ...(d.snmp ? { snmp: { intervalSeconds: pollSeconds, port: 161, timeoutSeconds: 2, retries: 1, version: '2c' as const, community: 'public' } } : {}),
    },
  }));
}

/** Devices the fault phase takes down: access switches only, so no parent or child is involved. */
export function switchesOf(s: School): string[] {
  return s.devices.filter((d) => d.role === 'switch').map((d) => d.name);
}

/** A small deterministic hash: values differ per series and poll but are the same in every run. */
function wobble(a: number, b: number, c: number): number {
  let h = (a * 73_856_093) ^ (b * 19_349_663) ^ (c * 83_492_791);
  h = Math.imul(h ^ (h >>> 13), 0x5bd1e995);
  return ((h ^ (h >>> 15)) >>> 0) / 4_294_967_296;
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

function portName(d: SchoolDevice, p: number): string {
  if (d.role === 'internet' || d.role === 'firewall') return `ge-0/0/${p}`;
  return `Gi1/0/${p + 1}`;
}

const SUPPLIES = ['black toner', 'cyan toner', 'magenta toner', 'yellow toner'] as const;

/**
 * One poll of one school as the agent sends it, measured at `at` (ms). `down` names devices that do not
 * answer: their ping says up 0, their SNMP poll fails and yields no tables, as the agent's checks do.
 * Values stay well inside every default alert threshold: a healthy fleet raises nothing.
 */
export function pollSamples(s: School, poll: number, at: number, down: ReadonlySet<string> = new Set()): Sample[] {
  const out: Sample[] = [];
  const parts = staticParts(s);
  s.devices.forEach((d, di) => {
    const tags = parts.device[di]!;
    const time = at + di * 20;
    if (down.has(d.name)) {
      out.push({ measurement: 'ping', tags, fields: { up: 0, loss_pct: 100, sent: 3, received: 0 }, time });
      if (d.snmp) out.push({ measurement: 'snmp', tags, fields: { up: 0, error: 'timeout' }, time: time + 5 });
      return;
    }
    const rtt = r3(0.3 + wobble(s.index, di, poll) * 8);
    out.push({
      measurement: 'ping',
      tags,
      fields: { up: 1, loss_pct: 0, sent: 3, received: 3, rtt_min_ms: r3(rtt * 0.8), rtt_avg_ms: rtt, rtt_max_ms: r3(rtt * 1.3), jitter_ms: r3(rtt * 0.1) },
      time,
    });
    if (!d.snmp) return;
    out.push({ measurement: 'snmp', tags, fields: { up: 1, duration_ms: r3(40 + wobble(di, s.index, poll) * 200) }, time: time + 5 });
    const ports = parts.port[di]!;
    for (let p = 0; p < d.ports; p++) {
      const speed = p === 0 ? 10_000_000_000 : 1_000_000_000;
      const w = wobble(s.index * 64 + di, p, poll);
      const inBps = r3(w * speed * 0.2);
      const outBps = r3(w * speed * 0.05);
      out.push({
        measurement: 'interface',
        tags: ports[p]!,
        fields: {
          oper_status: 1,
          admin_status: 1,
          speed_bps: speed,
          in_octets: Math.floor(1e9 * (p + 1) + poll * (inBps / 8) * 60),
          out_octets: Math.floor(4e8 * (p + 1) + poll * (outBps / 8) * 60),
          counter_bits: 64,
          in_bps: inBps,
          out_bps: outBps,
          in_errors_ps: 0,
          out_errors_ps: 0,
          in_discards_ps: 0,
          out_discards_ps: 0,
          utilisation_pct: r3((Math.max(inBps, outBps) / speed) * 100),
        },
        time: time + 10,
      });
    }
    out.push(...tableSamples(s, d, di, poll, time + 15, parts));
  });
  return out;
}

/**
 * A school's tag sets, made once: they are the same every poll (the names are stable), so the agents'
 * process reuses them, and batch.ts encodes each (measurement, tag set) prefix once. Never mutated.
 */
interface StaticParts {
  device: Tags[];
  port: Tags[][];
  /** Per device: the role table's tag sets (radios, supplies, storage), by row. */
  table: Tags[][];
}
type Tags = Record<string, string>;

const PARTS = new WeakMap<School, StaticParts>();
const STORAGE = ['C:\\ Label:System  Serial Number 5a1b2c3d', 'D:\\ Label:Data  Serial Number 7e8f9a0b'] as const;

function staticParts(s: School): StaticParts {
  let parts = PARTS.get(s);
  if (parts !== undefined) return parts;
  const device = s.devices.map((d) => ({ device: d.name, role: d.role }));
  parts = {
    device,
    port: s.devices.map((d, di) => Array.from({ length: d.ports }, (_, p) => ({ ...device[di]!, interface: portName(d, p), if_index: String(p + 1) }))),
    table: s.devices.map((d, di) => {
      const tags = device[di]!;
      switch (d.role) {
        case 'access-point':
          return (['2.4ghz', '5ghz'] as const).map((band, r) => ({ ...tags, ap: `${s.site}-${d.name}`, radio: `radio${r}`, band }));
        case 'printer':
          return [{ ...tags, printer_index: '1' }, ...SUPPLIES.map((supply, i) => ({ ...tags, supply, supply_index: String(i + 1) }))];
        case 'server':
          // As the agent sends Windows' hrStorageDescr: made a valid tag value (contract toTagValue).
          return STORAGE.map((storage, i) => ({ ...tags, storage: toTagValue(storage, `storage ${i + 1}`), storage_index: String(i + 1), kind: 'fixed_disk' }));
        default:
          return [];
      }
    }),
  };
  PARTS.set(s, parts);
  return parts;
}

/** The role's other SNMP tables: radios per AP, supplies per printer (RFC 3805), UPS-MIB (RFC 1628), host resources. */
function tableSamples(s: School, d: SchoolDevice, di: number, poll: number, time: number, parts: StaticParts): Sample[] {
  const tags = parts.device[di]!;
  const rows = parts.table[di]!;
  const w = wobble(s.index, di + 100, poll);
  switch (d.role) {
    case 'access-point':
      return rows.map((t) => ({ measurement: 'wireless', tags: t, fields: { clients: Math.floor(w * 30) }, time }));
    case 'printer':
      return [
        { measurement: 'printer', tags: rows[0]!, fields: { device_status: 2, printer_status: 3 }, time },
        ...SUPPLIES.map((_, i) => ({
          measurement: 'printer_supply',
          tags: rows[i + 1]!,
          fields: { level_pct: 40 + Math.round(wobble(s.index, di, i) * 50), level_state: 'percent' } as Record<string, FieldValue>,
          time,
        })),
      ];
    case 'ups':
      return [{ measurement: 'ups', tags, fields: { on_battery: 0, battery_pct: 100, runtime_min: 45, load_pct: r3(20 + w * 20), battery_status: 'normal' }, time }];
    case 'server':
      return [
        { measurement: 'host', tags, fields: { processors: 4, cpu_load_pct: r3(5 + w * 30), memory_used_pct: r3(30 + w * 30) }, time },
        ...rows.map((t, i) => ({ measurement: 'host_storage', tags: t, fields: { size_bytes: 500e9, used_bytes: Math.round(500e9 * (0.3 + 0.1 * i)), used_pct: 30 + 10 * i }, time })),
      ];
    default:
      return [];
  }
}

/** Samples of a healthy poll of school `s` (the same every poll). */
export function samplesPerPoll(s: School): number {
  return pollSamples(s, 0, 0).length;
}
