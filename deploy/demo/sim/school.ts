/**
 * A simulated school, written by the project itself: the devices a typical primary or secondary school
 * has (broadband, firewall, core and edge switches with LLDP between them, access points with clients,
 * printers, a UPS, a file server, a CCTV recorder) as snmpsim data with counters that move. Used by the
 * demo and by anything that needs a plausible site without someone else's recordings.
 *
 *   node --import tsx deploy/demo/sim/school.ts <dir>     writes <dir>/<device>.snmprec and prints the list
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { accessPoint, firewall, printer, server, switchDevice, ups, type Identity, type Neighbour } from './devices.ts';
import { toSnmprec, type Varbind } from './snmprec.ts';

/** A device of the site file's roles (contract/device.ts), with its SNMP data unless it only answers ping. */
export interface SimDevice {
  name: string;
  role: 'internet' | 'firewall' | 'core-switch' | 'switch' | 'access-point' | 'server' | 'printer' | 'ups' | 'other';
  parent?: string;
  snmp?: Varbind[];
}

export interface SchoolOptions {
  /** Ports of the core switch and of each edge switch (uplinks come on top). */
  switchPorts?: number;
  /** Edge switches below the core one; each gets an access point. */
  edgeSwitches?: number;
  /** Wi-Fi clients per access point, before the seed spreads them over SSIDs. */
  clientsPerAp?: number;
}

const LOCATION = 'Demo School, Main Building';

const id = (name: string, descr: string, objectId: string, location = LOCATION): Identity => ({ name, descr, objectId, location });

/**
 * The school. Device and port names are stable, so the same options always give the same school; where a
 * device hangs off a switch, both sides list each other in LLDP (IEEE 802.1AB) on the ports that link them.
 */
export function simulatedSchool(options: SchoolOptions = {}): SimDevice[] {
  const portsPerSwitch = options.switchPorts ?? 24;
  const edges = options.edgeSwitches ?? 1;
  const clients = options.clientsPerAp ?? 30;
  const SWITCH_DESCR = (name: string) => `Simulated ${portsPerSwitch}-port gigabit switch ${name} (hallmonitor sim)`;
  const SWITCH_OID = '1.3.6.1.4.1.4526.100.4.62'; // Netgear managed switch, so the class reads "switch"

  /** What hangs off which switch port: filled as devices are placed, then the switches are written. */
  const links = new Map<string, Neighbour[]>();
  const nextPort = new Map<string, number>();
  const plug = (switchName: string, device: string, devicePort: string, descr?: string): Neighbour => {
    const port = (nextPort.get(switchName) ?? 0) + 1;
    nextPort.set(switchName, port);
    links.set(switchName, [...(links.get(switchName) ?? []), { port, name: device, portName: devicePort, ...(descr ? { descr } : {}) }]);
    return { port: 1, name: switchName, portName: `ge-0/0/${port}`, descr: SWITCH_DESCR(switchName) };
  };

  const devices: SimDevice[] = [{ name: 'broadband', role: 'internet' }];
  devices.push({
    name: 'firewall',
    role: 'firewall',
    parent: 'broadband',
    snmp: firewall({ identity: id('firewall', 'pfSense firewall.demo-school 2.7.2-RELEASE FreeBSD 14.0-CURRENT amd64', '1.3.6.1.4.1.12325.1.1.2.1.1'), wanMbps: 500 }),
  });
  const switches = ['core-switch', ...Array.from({ length: edges }, (_, k) => (k === 0 ? 'block-b-switch' : `block-${String.fromCharCode(99 + k - 1)}-switch`))];
  devices.push({ name: 'core-switch', role: 'core-switch', parent: 'firewall' });
  plug('core-switch', 'firewall', 'igb1');
  for (const edge of switches.slice(1)) {
    devices.push({ name: edge, role: 'switch', parent: 'core-switch' });
    const up = plug('core-switch', edge, 'xg1', SWITCH_DESCR(edge));
    links.set(edge, [...(links.get(edge) ?? []), { port: portsPerSwitch + 1, name: 'core-switch', portName: up.portName, descr: up.descr ?? '' }]);
  }

  const aps: [string, string][] = [['library-ap', 'core-switch'], ...switches.slice(1).map((s, k): [string, string] => [k === 0 ? 'hall-ap' : `${s.replace(/-switch$/, '')}-ap`, s])];
  for (const [name, sw] of aps) {
    const uplink = plug(sw, name, 'eth0', `U6-Lite 6.6.55 ${name}`);
    const share = (k: number) => Math.round(clients * [0.2, 0.55, 0.05, 0.2][k]!);
    devices.push({
      name,
      role: 'access-point',
      parent: sw,
      snmp: accessPoint({
        identity: id(name, `U6-Lite 6.6.55 (hallmonitor simulated access point ${name})`, '1.3.6.1.4.1.41112'),
        model: 'U6-Lite',
        ssids: [
          { essid: 'School', radio: 'ng', clients: share(0) },
          { essid: 'School', radio: 'na', clients: share(1) },
          { essid: 'Guest', radio: 'ng', clients: share(2) },
          { essid: 'Guest', radio: 'na', clients: share(3) },
        ],
        uplink,
      }),
    });
  }

  plug('core-switch', 'file-server', 'eno1');
  devices.push({
    name: 'file-server',
    role: 'server',
    parent: 'core-switch',
    snmp: server({
      identity: id('file-server', 'Linux file-server 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 x86_64', '1.3.6.1.4.1.8072.3.2.10', 'Server room'),
      cpus: 4,
      cpuLoad: 12,
      ramGiB: 32,
      disks: [{ mount: '/', sizeGiB: 100, usedPercent: 38 }, { mount: '/srv/shares', sizeGiB: 4_000, usedPercent: 61 }],
    }),
  });

  const printerSwitch = switches[1] ?? 'core-switch';
  plug(printerSwitch, 'office-printer', 'eth0');
  devices.push({
    name: 'office-printer',
    role: 'printer',
    parent: printerSwitch,
    snmp: printer({
      identity: id('office-printer', 'Simulated colour laser MFP (hallmonitor sim)', '1.3.6.1.4.1.8072.3.2.255', 'School office'),
      model: 'Colour Laser MFP (simulated)',
      supplies: [
        { descr: 'Black Toner Cartridge', colour: 'black', type: 'toner', levelPercent: 64 },
        { descr: 'Cyan Toner Cartridge', colour: 'cyan', type: 'toner', levelPercent: 81 },
        { descr: 'Magenta Toner Cartridge', colour: 'magenta', type: 'toner', levelPercent: 47 },
        { descr: 'Yellow Toner Cartridge', colour: 'yellow', type: 'toner', levelPercent: 72 },
        { descr: 'Drum Unit', type: 'drum', levelPercent: 88 },
        { descr: 'Waste Toner Box', type: 'waste', levelPercent: 90 },
      ],
      trays: [
        { name: 'Bypass Tray', media: 'Plain A4', capacity: 100, level: 20 },
        { name: 'Tray 1', media: 'Plain A4', capacity: 500, level: 350 },
        { name: 'Tray 2', media: 'Plain A3', capacity: 500, level: 180 },
      ],
      pagesPerHour: 120,
    }),
  });

  plug('core-switch', 'server-ups', 'eth0');
  devices.push({
    name: 'server-ups',
    role: 'ups',
    parent: 'core-switch',
    snmp: ups({
      identity: id('server-ups', 'Simulated 1500 VA line-interactive UPS (hallmonitor sim)', '1.3.6.1.2.1.33', 'Server room'),
      manufacturer: 'hallmonitor sim',
      model: 'SIM-1500',
      loadPercent: 34,
      minutesRemaining: 42,
    }),
  });
  plug('core-switch', 'cctv-recorder', 'eth0');
  devices.push({ name: 'cctv-recorder', role: 'other', parent: 'core-switch' });

  // The switches last, now that everything plugged into them is known.
  for (const name of switches) {
    const at = devices.findIndex((d) => d.name === name);
    devices[at] = { ...devices[at]!, snmp: switchDevice({ identity: id(name, SWITCH_DESCR(name), SWITCH_OID), ports: portsPerSwitch, neighbours: links.get(name) ?? [] }) };
  }
  return devices;
}

/**
 * Writes `<name>.snmprec` for every SNMP device into `dataDir` (community = device name) and, for
 * snmpsimd's --v2c-arch, `public/1.3.6.1.6.1.1.<k>.snmprec` naming the k-th SNMP device, so the k-th
 * `--agent-udpv4-endpoint` answers community "public" as that device. Returns the SNMP devices in order.
 */
export function writeSchool(dataDir: string, devices: readonly SimDevice[]): SimDevice[] {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(join(dataDir, 'public'), { recursive: true, mode: 0o755 });
  const snmp = devices.filter((d) => d.snmp !== undefined);
  snmp.forEach((device, k) => {
    writeFileSync(join(dataDir, `${device.name}.snmprec`), toSnmprec(device.snmp!), { mode: 0o644 });
    symlinkSync(`../${device.name}.snmprec`, join(dataDir, 'public', `1.3.6.1.6.1.1.${k}.snmprec`));
  });
  return snmp;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('deploy/demo/sim/school.ts')) {
  const dir = process.argv[2];
  if (dir === undefined) {
    process.stderr.write('usage: node --import tsx deploy/demo/sim/school.ts <data dir>\n');
    process.exit(2);
  }
  const written = writeSchool(resolve(dir), simulatedSchool());
  for (const d of written) process.stdout.write(`${d.name}\t${d.role}\t${d.snmp!.length} objects\n`);
}
