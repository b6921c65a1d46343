import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { freeTcpPort, makeTempDir, startService, type ServiceProcess } from '../../test/harness/index.ts';
import { sharedPath } from '../../test/harness/shared.ts';
import type { FleetDevice } from './fleet.ts';

/**
 * prometheus-snmp-exporter (Debian 0.21) with upstream's generated if_mib module (../shared/bench/
 * snmp_exporter_if_mib.yml: walks ifTable and ifXTable, gets sysUpTime). The module carries its community
 * (0.21 format), so one copy is made per community in the fleet.
 */
const MODULE_FILE = sharedPath('bench', 'snmp_exporter_if_mib.yml');

export interface Exporter {
  readonly pid: number;
  /** One scrape of one device; resolves the varbinds the exporter says it got back. */
  scrape(device: FleetDevice): Promise<number>;
  stop(): Promise<void>;
}

export function exporterInstalled(): boolean {
  try {
    readFileSync('/usr/bin/prometheus-snmp-exporter');
    return true;
  } catch {
    return false;
  }
}

export async function startExporter(devices: readonly FleetDevice[], maxRepetitions: number): Promise<Exporter> {
  const temp = makeTempDir('snmp-exporter');
  try {
    // Copied as text: a YAML round trip turns the enum maps' integer keys into strings, which 0.21 rejects.
    const text = readFileSync(MODULE_FILE, 'utf8');
    const body = text.slice(text.indexOf('\nif_mib:\n') + '\nif_mib:\n'.length);
    if (!/^ {2}max_repetitions: \d+$/m.test(body) || !/^ {4}community: public$/m.test(body)) throw new Error(`${MODULE_FILE}: not the expected if_mib module`);
    const communities = [...new Set(devices.map((d) => d.community))];
    const moduleOf = new Map(communities.map((c, i) => [c, `if_mib_${i}`]));
    const config = communities
      .map((c) => `${moduleOf.get(c)}:\n${body.replace(/^ {2}max_repetitions: \d+$/m, `  max_repetitions: ${maxRepetitions}`).replace(/^ {4}community: public$/m, `    community: ${c}`)}`)
      .join('\n');
    const configPath = join(temp.path, 'snmp.yml');
    writeFileSync(configPath, config);
    const port = await freeTcpPort('127.0.0.1');
    const service: ServiceProcess = await startService({
      name: 'snmp-exporter',
      command: 'prometheus-snmp-exporter',
      args: [`--config.file=${configPath}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      dir: temp.path,
      ready: () => get(port, '/').then(() => true, () => false),
      readyTimeoutMs: 20_000,
      readyWhat: 'snmp exporter to answer HTTP',
    });
    return {
      pid: service.pid,
      async scrape(device) {
        const body = await get(port, `/snmp?module=${moduleOf.get(device.community)}&target=${device.host}:${device.port}`);
        const pdus = /^snmp_scrape_pdus_returned (\d+)$/m.exec(body)?.[1];
        if (pdus === undefined) throw new Error(`exporter scrape of ${device.name} has no snmp_scrape_pdus_returned: ${body.slice(0, 300)}`);
        return Number(pdus);
      },
      async stop() {
        await service.stop();
        await temp.remove();
      },
    };
  } catch (error) {
    await temp.remove();
    throw error;
  }
}

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`GET ${path}: HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timed out`)));
    req.end();
  });
}
