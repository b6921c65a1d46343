/**
 * Simulated SNMP devices of a school, as snmpsim data: each kind answers the standard MIBs a real one
 * does (and, for access points, the vendor MIB the agent reads), with counters that move. Pure: the
 * same spec gives the same lines.
 */
import { counter, fraction, gauge, hex, int, macAddress, oidValue, text, upTime, type Varbind } from './snmprec.ts';

const SYSTEM = '1.3.6.1.2.1.1';
const IF_NUMBER = '1.3.6.1.2.1.2.1.0';
const IF_ENTRY = '1.3.6.1.2.1.2.2.1';
const IFX_ENTRY = '1.3.6.1.2.1.31.1.1.1';
const LLDP_LOC = '1.0.8802.1.1.2.1.3';
const LLDP_REM = '1.0.8802.1.1.2.1.4.1.1';
const HR_DEVICE = '1.3.6.1.2.1.25.3.2.1';

/** IANAifType (RFC 2863 ifType values). */
export const IF_TYPE = { ethernet: 6, loopback: 24, wifi: 71, vlan: 135 } as const;

export interface Port {
  index: number;
  name: string;
  descr?: string;
  alias?: string;
  type?: number;
  speedMbps: number;
  up: boolean;
  /** Bytes per second each way while up; default from the seed, 2 kB/s to 2 MB/s, at most a third of the line. */
  inBytesPerSecond?: number;
  outBytesPerSecond?: number;
}

export interface Identity {
  name: string;
  descr: string;
  objectId: string;
  location?: string;
  contact?: string;
  /** Seconds since the device booted when the data is written; default from the name, 1 to 60 days. */
  upSeconds?: number;
}

/** RFC 3418 system group. */
function system(id: Identity): Varbind[] {
  const up = id.upSeconds ?? Math.round(86_400 * (1 + 59 * fraction(`${id.name}/uptime`)));
  return [
    text(`${SYSTEM}.1.0`, id.descr),
    oidValue(`${SYSTEM}.2.0`, id.objectId),
    upTime(`${SYSTEM}.3.0`, up),
    text(`${SYSTEM}.4.0`, id.contact ?? 'IT support <support@provider.example>'),
    text(`${SYSTEM}.5.0`, id.name),
    text(`${SYSTEM}.6.0`, id.location ?? 'Simulated school'),
    int(`${SYSTEM}.7.0`, 78),
  ];
}

/** The default traffic of a port: steady, different per port and direction, within the line's capacity. */
function rate(device: string, port: Port, direction: 'in' | 'out'): number {
  const given = direction === 'in' ? port.inBytesPerSecond : port.outBytesPerSecond;
  if (!port.up) return 0;
  if (given !== undefined) return given;
  const limit = (port.speedMbps * 1e6) / 8 / 3;
  return Math.max(1, Math.round(Math.min(2_000 * 1_000 ** fraction(`${device}/${port.index}/${direction}`), limit)));
}

/** RFC 2863 ifTable and ifXTable: status, speed, 32- and 64-bit octet counters, packets, no errors. */
export function interfaces(device: string, ports: readonly Port[]): Varbind[] {
  const out: Varbind[] = [int(IF_NUMBER, ports.length)];
  for (const p of ports) {
    const i = p.index;
    const inRate = rate(device, p, 'in');
    const outRate = rate(device, p, 'out');
    const start = (dir: string) => Math.round(fraction(`${device}/${i}/${dir}/start`) * 4e9);
    out.push(
      int(`${IF_ENTRY}.1.${i}`, i),
      text(`${IF_ENTRY}.2.${i}`, p.descr ?? p.name),
      int(`${IF_ENTRY}.3.${i}`, p.type ?? IF_TYPE.ethernet),
      int(`${IF_ENTRY}.4.${i}`, p.type === IF_TYPE.loopback ? 65_536 : 1_500),
      gauge(`${IF_ENTRY}.5.${i}`, Math.min(p.speedMbps * 1e6, 4_294_967_295)),
      hex(`${IF_ENTRY}.6.${i}`, p.type === IF_TYPE.loopback ? Buffer.alloc(0) : macAddress(`${device}/${i}`)),
      int(`${IF_ENTRY}.7.${i}`, 1),
      int(`${IF_ENTRY}.8.${i}`, p.up ? 1 : 2),
      { oid: `${IF_ENTRY}.9.${i}`, tag: '67', value: '0' },
      counter(`${IF_ENTRY}.10.${i}`, 32, start('in'), inRate),
      counter(`${IF_ENTRY}.11.${i}`, 32, Math.round(start('in') / 900), Math.round(inRate / 900)),
      counter(`${IF_ENTRY}.13.${i}`, 32, 0, 0),
      counter(`${IF_ENTRY}.14.${i}`, 32, 0, 0),
      counter(`${IF_ENTRY}.16.${i}`, 32, start('out'), outRate),
      counter(`${IF_ENTRY}.17.${i}`, 32, Math.round(start('out') / 900), Math.round(outRate / 900)),
      counter(`${IF_ENTRY}.19.${i}`, 32, 0, 0),
      counter(`${IF_ENTRY}.20.${i}`, 32, 0, 0),
      text(`${IFX_ENTRY}.1.${i}`, p.name),
      counter(`${IFX_ENTRY}.6.${i}`, 64, start('in'), inRate),
      counter(`${IFX_ENTRY}.10.${i}`, 64, start('out'), outRate),
      gauge(`${IFX_ENTRY}.15.${i}`, p.speedMbps),
      text(`${IFX_ENTRY}.18.${i}`, p.alias ?? ''),
      { oid: `${IFX_ENTRY}.19.${i}`, tag: '67', value: '0' },
    );
  }
  return out;
}

export interface Neighbour {
  /** The local port (ifIndex) the neighbour is seen on. */
  port: number;
  name: string;
  portName: string;
  descr?: string;
}

/**
 * IEEE 802.1AB LLDP-MIB: the local system and ports (port id subtype 5, interfaceName) and one remote
 * entry per neighbour, indexed timeMark.localPortNum.remIndex (chassis id subtype 4, a MAC address).
 */
export function lldp(id: Identity, ports: readonly Port[], neighbours: readonly Neighbour[]): Varbind[] {
  const out: Varbind[] = [
    int(`${LLDP_LOC}.1.0`, 4),
    hex(`${LLDP_LOC}.2.0`, macAddress(`${id.name}/chassis`)),
    text(`${LLDP_LOC}.3.0`, id.name),
    text(`${LLDP_LOC}.4.0`, id.descr),
  ];
  for (const p of ports.filter((x) => x.type === undefined || x.type === IF_TYPE.ethernet)) {
    out.push(int(`${LLDP_LOC}.7.1.2.${p.index}`, 5), text(`${LLDP_LOC}.7.1.3.${p.index}`, p.name), text(`${LLDP_LOC}.7.1.4.${p.index}`, p.descr ?? p.name));
  }
  for (const n of neighbours) {
    const index = `0.${n.port}.1`;
    out.push(
      int(`${LLDP_REM}.4.${index}`, 4),
      hex(`${LLDP_REM}.5.${index}`, macAddress(`${n.name}/chassis`)),
      int(`${LLDP_REM}.6.${index}`, 5),
      text(`${LLDP_REM}.7.${index}`, n.portName),
      text(`${LLDP_REM}.8.${index}`, n.portName),
      text(`${LLDP_REM}.9.${index}`, n.name),
      text(`${LLDP_REM}.10.${index}`, n.descr ?? n.name),
    );
  }
  return out;
}

/** Switch ports 1..n (gigabit) and uplinks n+1.. (10 G); which are up comes from the seed unless listed. */
export function switchPorts(name: string, count: number, uplinks: number, upPorts?: ReadonlySet<number>): Port[] {
  const ports: Port[] = [];
  for (let i = 1; i <= count + uplinks; i++) {
    const uplink = i > count;
    const up = upPorts?.has(i) ?? (uplink ? i === count + 1 : fraction(`${name}/${i}/up`) < 0.6);
    ports.push({ index: i, name: uplink ? `xg${i - count}` : `ge-0/0/${i}`, descr: uplink ? `10G uplink ${i - count}` : `Port ${i}`, speedMbps: uplink ? 10_000 : 1_000, up });
  }
  return ports;
}

export interface SwitchSpec {
  identity: Identity;
  ports: number;
  uplinks?: number;
  neighbours?: readonly Neighbour[];
}

/** An access switch: IF-MIB for every port, LLDP for what is plugged in. */
export function switchDevice(spec: SwitchSpec): Varbind[] {
  const up = new Set<number>((spec.neighbours ?? []).map((n) => n.port));
  const ports = switchPorts(spec.identity.name, spec.ports, spec.uplinks ?? 2).map((p) => (up.has(p.index) ? { ...p, up: true } : p));
  return [...system(spec.identity), ...interfaces(spec.identity.name, ports), ...lldp(spec.identity, ports, spec.neighbours ?? [])];
}

export interface AccessPointSpec {
  identity: Identity;
  /** UniFi model name (unifiApSystemModel). */
  model: string;
  /** One per SSID per radio; "ng" is 2.4 GHz, "na" 5 GHz (UBNT-UniFi-MIB unifiVapRadio). */
  ssids: readonly { essid: string; radio: 'ng' | 'na'; clients: number }[];
  uplink?: Neighbour;
}

/**
 * An access point: an Ethernet uplink and one IF-MIB row per radio SSID (ifType 71, ieee80211), plus
 * UBNT-UniFi-MIB unifiVapTable (the stations per SSID the agent's wireless profile reads).
 */
export function accessPoint(spec: AccessPointSpec): Varbind[] {
  const name = spec.identity.name;
  const ports: Port[] = [
    { index: 1, name: 'eth0', speedMbps: 1_000, up: true },
    ...spec.ssids.map((s, k) => ({ index: 2 + k, name: `${s.radio === 'ng' ? 'ra' : 'rai'}${k}`, descr: s.essid, type: IF_TYPE.wifi, speedMbps: s.radio === 'ng' ? 144 : 866, up: true })),
  ];
  const VAP = '1.3.6.1.4.1.41112.1.6.1.2.1';
  const vap: Varbind[] = spec.ssids.flatMap((s, k) => {
    const i = k + 1;
    return [
      int(`${VAP}.1.${i}`, i),
      text(`${VAP}.6.${i}`, s.essid),
      gauge(`${VAP}.8.${i}`, s.clients),
      text(`${VAP}.9.${i}`, s.radio),
    ];
  });
  return [
    ...system(spec.identity),
    ...interfaces(name, ports),
    ...lldp(spec.identity, ports, spec.uplink ? [spec.uplink] : []),
    ...vap,
    text('1.3.6.1.4.1.41112.1.6.3.3.0', spec.model),
  ];
}

export interface PrinterSpec {
  identity: Identity;
  model: string;
  /** Toner and other consumables; level in percent of capacity. */
  supplies: readonly { descr: string; colour?: string; type: 'toner' | 'drum' | 'waste'; levelPercent: number }[];
  trays: readonly { name: string; media: string; capacity: number; level: number }[];
  /** Pages printed so far; grows by `pagesPerHour`. */
  pages?: number;
  pagesPerHour?: number;
}

/** RFC 3805 PrtMarkerSuppliesTypeTC values. */
const SUPPLY_TYPE = { toner: 3, waste: 4, drum: 9 } as const;

/**
 * A network printer: HOST-RESOURCES hrDeviceTable/hrPrinterTable (RFC 2790; running, idle, no error
 * bits) and Printer-MIB (RFC 3805) supplies with colorants, input trays and the page counter.
 */
export function printer(spec: PrinterSpec): Varbind[] {
  const d = 1; // hrDeviceIndex of the printer
  const PRT = '1.3.6.1.2.1.43';
  const colours = [...new Set(spec.supplies.map((s) => s.colour).filter((c): c is string => c !== undefined))];
  const supplies = spec.supplies.flatMap((s, k) => {
    const i = `${d}.${k + 1}`;
    const colorant = s.colour === undefined ? 0 : colours.indexOf(s.colour) + 1;
    return [
      int(`${PRT}.11.1.1.2.${i}`, 1),
      int(`${PRT}.11.1.1.3.${i}`, colorant),
      int(`${PRT}.11.1.1.4.${i}`, s.type === 'waste' ? 4 : 3),
      int(`${PRT}.11.1.1.5.${i}`, SUPPLY_TYPE[s.type]),
      text(`${PRT}.11.1.1.6.${i}`, s.descr),
      int(`${PRT}.11.1.1.7.${i}`, 19),
      int(`${PRT}.11.1.1.8.${i}`, 100),
      int(`${PRT}.11.1.1.9.${i}`, Math.round(s.levelPercent)),
    ];
  });
  const colorants = colours.flatMap((c, k) => [int(`${PRT}.12.1.1.3.${d}.${k + 1}`, 3), text(`${PRT}.12.1.1.4.${d}.${k + 1}`, c)]);
  const trays = spec.trays.flatMap((t, k) => {
    const i = `${d}.${k + 1}`;
    return [
      int(`${PRT}.8.2.1.2.${i}`, k === 0 ? 4 : 3),
      int(`${PRT}.8.2.1.8.${i}`, 8),
      int(`${PRT}.8.2.1.9.${i}`, t.capacity),
      int(`${PRT}.8.2.1.10.${i}`, t.level),
      int(`${PRT}.8.2.1.11.${i}`, 0),
      text(`${PRT}.8.2.1.12.${i}`, t.media),
      text(`${PRT}.8.2.1.13.${i}`, t.name),
    ];
  });
  const pages = spec.pages ?? Math.round(10_000 + 90_000 * fraction(`${spec.identity.name}/pages`));
  return [
    ...system(spec.identity),
    ...interfaces(spec.identity.name, [{ index: 1, name: 'eth0', speedMbps: 1_000, up: true, inBytesPerSecond: 800, outBytesPerSecond: 300 }]),
    oidValue(`${HR_DEVICE}.2.${d}`, '1.3.6.1.2.1.25.3.1.5'),
    text(`${HR_DEVICE}.3.${d}`, spec.model),
    int(`${HR_DEVICE}.5.${d}`, 2),
    int(`1.3.6.1.2.1.25.3.5.1.1.${d}`, 3),
    hex(`1.3.6.1.2.1.25.3.5.1.2.${d}`, Buffer.from([0, 0])),
    ...supplies,
    ...colorants,
    ...trays,
    counter(`${PRT}.10.2.1.4.${d}.1`, 32, pages, Math.max(0, Math.round((spec.pagesPerHour ?? 0) / 3600))),
  ];
}

export interface UpsSpec {
  identity: Identity;
  manufacturer: string;
  model: string;
  loadPercent: number;
  minutesRemaining: number;
}

/** A UPS on mains, battery full and normal: RFC 1628 UPS-MIB. */
export function ups(spec: UpsSpec): Varbind[] {
  const U = '1.3.6.1.2.1.33.1';
  return [
    ...system(spec.identity),
    ...interfaces(spec.identity.name, [{ index: 1, name: 'eth0', speedMbps: 100, up: true, inBytesPerSecond: 300, outBytesPerSecond: 300 }]),
    text(`${U}.1.1.0`, spec.manufacturer),
    text(`${U}.1.2.0`, spec.model),
    int(`${U}.2.1.0`, 2),
    int(`${U}.2.2.0`, 0),
    int(`${U}.2.3.0`, spec.minutesRemaining),
    int(`${U}.2.4.0`, 100),
    int(`${U}.2.5.0`, 272),
    int(`${U}.2.7.0`, 27),
    int(`${U}.3.2.0`, 1),
    int(`${U}.3.3.1.2.1`, 500),
    int(`${U}.3.3.1.3.1`, 231),
    int(`${U}.4.1.0`, 3),
    int(`${U}.4.2.0`, 500),
    int(`${U}.4.3.0`, 1),
    int(`${U}.4.4.1.2.1`, 230),
    int(`${U}.4.4.1.5.1`, spec.loadPercent),
  ];
}

export interface ServerSpec {
  identity: Identity;
  cpus: number;
  /** Percent busy per CPU (hrProcessorLoad). */
  cpuLoad: number;
  ramGiB: number;
  disks: readonly { mount: string; sizeGiB: number; usedPercent: number }[];
}

/** A file server: HOST-RESOURCES-MIB (RFC 2790) processors and storage, two network ports. */
export function server(spec: ServerSpec): Varbind[] {
  const S = '1.3.6.1.2.1.25.2.3.1';
  const block = 4096;
  const storage = [
    { type: '1.3.6.1.2.1.25.2.1.2', descr: 'Physical memory', units: 1024, size: spec.ramGiB * 1024 * 1024, used: 0.55 },
    ...spec.disks.map((d) => ({ type: '1.3.6.1.2.1.25.2.1.4', descr: d.mount, units: block, size: (d.sizeGiB * 2 ** 30) / block, used: d.usedPercent / 100 })),
  ].flatMap((s, k) => {
    const i = k + 1;
    return [
      int(`${S}.1.${i}`, i),
      oidValue(`${S}.2.${i}`, s.type),
      text(`${S}.3.${i}`, s.descr),
      int(`${S}.4.${i}`, s.units),
      int(`${S}.5.${i}`, Math.round(s.size)),
      int(`${S}.6.${i}`, Math.round(s.size * s.used)),
    ];
  });
  const cpus = Array.from({ length: spec.cpus }, (_, k) => 196_608 + k).flatMap((i) => [
    oidValue(`${HR_DEVICE}.2.${i}`, '1.3.6.1.2.1.25.3.1.3'),
    text(`${HR_DEVICE}.3.${i}`, 'GenuineIntel: Intel(R) Xeon(R) E-2334 CPU @ 3.40GHz'),
    int(`${HR_DEVICE}.5.${i}`, 2),
    int(`1.3.6.1.2.1.25.3.3.1.2.${i}`, spec.cpuLoad),
  ]);
  const ports: Port[] = [
    { index: 1, name: 'lo', type: IF_TYPE.loopback, speedMbps: 10_000, up: true, inBytesPerSecond: 2_000, outBytesPerSecond: 2_000 },
    { index: 2, name: 'eno1', speedMbps: 1_000, up: true },
    { index: 3, name: 'eno2', speedMbps: 1_000, up: false },
  ];
  return [
    ...system(spec.identity),
    ...interfaces(spec.identity.name, ports),
    { oid: '1.3.6.1.2.1.25.1.1.0', tag: '67:numeric', value: `initial=${Math.trunc((spec.identity.upSeconds ?? 864_000) * 100)},rate=100` },
    int('1.3.6.1.2.1.25.2.2.0', spec.ramGiB * 1024 * 1024),
    ...storage,
    ...cpus,
  ];
}

export interface FirewallSpec {
  identity: Identity;
  /** Internet line speed, Mbit/s. */
  wanMbps: number;
}

/** The school's firewall: WAN, LAN and a guest VLAN, busy with the school's internet traffic. */
export function firewall(spec: FirewallSpec): Varbind[] {
  const wanIn = Math.round((spec.wanMbps * 1e6) / 8 / 6);
  const ports: Port[] = [
    { index: 1, name: 'igb0', descr: 'WAN', alias: 'Broadband', speedMbps: 1_000, up: true, inBytesPerSecond: wanIn, outBytesPerSecond: Math.round(wanIn / 4) },
    { index: 2, name: 'igb1', descr: 'LAN', alias: 'Core switch', speedMbps: 1_000, up: true, inBytesPerSecond: Math.round(wanIn / 4), outBytesPerSecond: wanIn },
    { index: 3, name: 'igb1.20', descr: 'GUEST', alias: 'Guest Wi-Fi VLAN 20', type: IF_TYPE.vlan, speedMbps: 1_000, up: true },
    { index: 4, name: 'lo0', type: IF_TYPE.loopback, speedMbps: 0, up: true, inBytesPerSecond: 100, outBytesPerSecond: 100 },
  ];
  return [...system(spec.identity), ...interfaces(spec.identity.name, ports)];
}
