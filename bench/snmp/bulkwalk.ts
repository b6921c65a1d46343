import { execFile } from 'node:child_process';
import type { FleetDevice } from './fleet.ts';

/** What the exporter's if_mib module asks for: ifTable (under 1.3.6.1.2.1.2), ifXTable, and sysUpTime. */
export const EXPORTER_WALKS = ['1.3.6.1.2.1.2', '1.3.6.1.2.1.31.1.1'] as const;
export const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 1 << 26, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * net-snmp's own client over the same objects as the exporter, without loading MIBs (-m ''): one
 * snmpbulkwalk per table and one snmpget, max-repetitions as the exporter's. Returns the OIDs received.
 */
export async function bulkwalkDevice(device: FleetDevice, maxRepetitions: number): Promise<string[]> {
  const common = ['-v2c', '-c', device.community, '-m', '', '-On', '-Oq', '-t', '5', '-r', '1', `udp:${device.host}:${device.port}`];
  const oids: string[] = [];
  for (const root of EXPORTER_WALKS) {
    const out = await run('snmpbulkwalk', [`-Cr${maxRepetitions}`, ...common, root]);
    for (const line of out.split('\n')) if (line.startsWith('.')) oids.push(line.slice(1, line.indexOf(' ') === -1 ? undefined : line.indexOf(' ')));
  }
  const up = await run('snmpget', [...common, SYS_UPTIME]);
  if (up.startsWith('.')) oids.push(SYS_UPTIME);
  return oids;
}
