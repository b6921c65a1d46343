import { readFileSync } from 'node:fs';
import { recordingPath } from '../harness/snmprec.ts';

/**
 * A school wired by hand from real recordings: each recording keeps its own identity and tables, loses
 * whatever LLDP/CDP it had, and gets LLDP rows that point at the other devices of this school, so the
 * tree they describe is known: gw → core → edge-1 → ap-hall, core → edge-2 → ap-library. The rows name
 * their neighbour in each of the ways devices do (management address, chassis id MAC, sysName only).
 */
export interface WiredDevice {
  name: string;
  recording: string;
  host: string;
  mac: string;
  /** Rows of this device's lldpRemTable: local port number → the neighbour and how the row names it. */
  sees: { port: number; neighbour: string; by: 'address' | 'chassis' | 'sysName' }[];
}

const LLDP = '1.0.8802.1.1.2.1';
const CDP = '1.3.6.1.4.1.9.9.23.';

export function wiredSchool(net: string): WiredDevice[] {
  return [
    { name: 'gw', recording: 'sonicwall_sonicos7', host: `${net}.1`, mac: '02:00:00:00:00:01', sees: [] },
    { name: 'core', recording: 'procurve_e2910', host: `${net}.2`, mac: '02:00:00:00:00:02', sees: [
      { port: 1, neighbour: 'gw', by: 'address' },
      { port: 2, neighbour: 'edge-1', by: 'chassis' },
      { port: 3, neighbour: 'edge-2', by: 'sysName' },
    ] },
    { name: 'edge-1', recording: 'ios_2960x', host: `${net}.3`, mac: '02:00:00:00:00:03', sees: [
      { port: 24, neighbour: 'core', by: 'chassis' },
      { port: 5, neighbour: 'ap-hall', by: 'address' },
    ] },
    { name: 'edge-2', recording: 'edgeswitch_us-8-v2', host: `${net}.4`, mac: '02:00:00:00:00:04', sees: [
      { port: 8, neighbour: 'core', by: 'sysName' },
      { port: 6, neighbour: 'ap-library', by: 'chassis' },
    ] },
    { name: 'ap-hall', recording: 'unifi_nanohd', host: `${net}.5`, mac: '02:00:00:00:00:05', sees: [{ port: 1, neighbour: 'edge-1', by: 'sysName' }] },
    { name: 'ap-library', recording: 'aruba-instant', host: `${net}.6`, mac: '02:00:00:00:00:06', sees: [] },
  ];
}

/** The recording as snmpsimd serves it for this school: sysName set, LLDP rewritten, lines in OID order. */
export function servedRecording(device: WiredDevice, school: readonly WiredDevice[]): string {
  const byName = new Map(school.map((d) => [d.name, d]));
  const kept = readFileSync(recordingPath(device.recording), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('1.0.8802.1.1.2.') && !l.startsWith(CDP) && !l.startsWith('1.3.6.1.2.1.1.5.0|'));
  const hex = (mac: string) => mac.replaceAll(':', '');
  const lines = [...kept, `1.3.6.1.2.1.1.5.0|4|${device.name}.school.local`, `${LLDP}.3.1.0|2|4`, `${LLDP}.3.2.0|4x|${hex(device.mac)}`];
  for (const row of device.sees) {
    const n = byName.get(row.neighbour)!;
    const index = `0.${row.port}.1`;
    lines.push(`${LLDP}.3.7.1.2.${row.port}|2|5`, `${LLDP}.3.7.1.3.${row.port}|4|port${row.port}`);
    // By sysName only: a locally assigned chassis id (subtype 7) that matches nothing else.
    lines.push(row.by === 'chassis' ? `${LLDP}.4.1.1.4.${index}|2|4` : `${LLDP}.4.1.1.4.${index}|2|7`);
    lines.push(row.by === 'chassis' ? `${LLDP}.4.1.1.5.${index}|4x|${hex(n.mac)}` : `${LLDP}.4.1.1.5.${index}|4|local-${row.port}`);
    lines.push(`${LLDP}.4.1.1.6.${index}|2|5`, `${LLDP}.4.1.1.7.${index}|4|uplink`);
    if (row.by === 'sysName') lines.push(`${LLDP}.4.1.1.9.${index}|4|${n.name.toUpperCase()}.school.local`);
    if (row.by === 'address') {
      const octets = n.host.split('.').join('.');
      lines.push(`${LLDP}.4.2.1.3.${index}.1.4.${octets}|2|2`);
    }
  }
  return `${sortByOid(lines).join('\n')}\n`;
}

function sortByOid(lines: string[]): string[] {
  const key = (l: string) => l.slice(0, l.indexOf('|')).split('.').map(Number);
  return lines.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
}
