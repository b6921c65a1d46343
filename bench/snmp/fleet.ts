import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  freeUdpPort,
  makeTempDir,
  recordingPath,
  snmpAnswers,
  startService,
  startSnmpd,
  waitFor,
  type ServiceProcess,
  type SnmpdServer,
} from '../../test/harness/index.ts';
import { isRoot, nobody } from '../../test/harness/users.ts';

/** One simulated device: where it answers and with which community. */
export interface FleetDevice {
  name: string;
  host: string;
  port: number;
  community: string;
  /** The recording it plays, or "snmpd" for a live net-snmp agent. */
  kind: string;
}

export interface Fleet {
  devices: FleetDevice[];
  /** Simulator processes by name, for their CPU. */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

/** Recordings (test/fixtures/snmprec) with interface tables of different sizes and shapes. */
export const FLEET_RECORDINGS = [
  'dlink_dgs-1510-28',
  'procurve_e2910',
  'sophos-xg_xgs2100',
  'fortigate_60f',
  'pfsense',
  'unifi_nanohd',
  'aruba-instant',
  'windows_svr_2019_1809',
  'draytek',
  'linux_powermon',
] as const;

const COMMUNITY = 'public';

/**
 * `simulated` devices from one snmpsimd, each on its own loopback address 127.0.<base + k/250>.<1 + k%250>
 * with one port for all (RIG.md: one endpoint per device, `--v2c-arch`, and a per-transport data file
 * `public/1.3.6.1.6.1.1.<k>.snmprec` linked to its recording), plus `live` net-snmp snmpd agents on
 * 127.0.0.1, which answer ~15× faster than snmpsimd.
 */
export async function startFleet(simulated: number, live: number, base = 60): Promise<Fleet> {
  const temp = makeTempDir('snmp-fleet');
  const snmpds: SnmpdServer[] = [];
  let sim: ServiceProcess | undefined;
  try {
    const dataDir = join(temp.path, 'data');
    const cacheDir = join(temp.path, 'cache');
    mkdirSync(join(dataDir, COMMUNITY), { recursive: true });
    mkdirSync(cacheDir);
    const port = await freeUdpPort('127.0.0.1');
    const devices: FleetDevice[] = [];
    const endpoints: string[] = [];
    for (let k = 0; k < simulated; k++) {
      const recording = FLEET_RECORDINGS[k % FLEET_RECORDINGS.length]!;
      const host = `127.0.${base + Math.floor(k / 250)}.${1 + (k % 250)}`;
      symlinkSync(recordingPath(recording), join(dataDir, COMMUNITY, `1.3.6.1.6.1.1.${k}.snmprec`));
      endpoints.push(`--agent-udpv4-endpoint=${host}:${port}`);
      devices.push({ name: `sim-${k}`, host, port, community: COMMUNITY, kind: recording });
    }
    // snmpsimd needs a file for the bare community too, to accept it at all.
    symlinkSync(recordingPath(FLEET_RECORDINGS[0]), join(dataDir, `${COMMUNITY}.snmprec`));
    const argsFile = join(temp.path, 'endpoints.txt');
    writeFileSync(argsFile, `${endpoints.join('\n')}\n`);
    const user = isRoot() ? nobody() : undefined;
    if (user) {
      chmodSync(temp.path, 0o755);
      chownSync(cacheDir, user.uid, user.gid);
    }
    if (simulated > 0) {
      sim = await startService({
        name: 'snmpsimd',
        command: 'snmpsimd',
        args: [
          `--data-dir=${dataDir}`,
          `--cache-dir=${cacheDir}`,
          '--v2c-arch',
          `--args-from-file=${argsFile}`,
          '--logging-method=null',
          ...(user ? [`--process-user=${user.user}`, `--process-group=${user.group}`] : []),
        ],
        dir: temp.path,
        ...(user ? { user: { uid: user.uid, gid: user.gid } } : {}),
        ready: () => snmpAnswers({ host: devices[0]!.host, port, community: COMMUNITY }, '1.3.6.1.2.1.1.1.0', 500),
        readyTimeoutMs: 120_000,
        readyWhat: `snmpsimd with ${simulated} endpoints`,
      });
      const started = sim;
      // snmpsimd indexes each data file on its first request; do that before anything is timed.
      await Promise.all(
        devices.map((d) =>
          waitFor(() => snmpAnswers(d, '1.3.6.1.2.1.1.1.0', 3_000), { timeoutMs: 60_000, what: `${d.name} at ${d.host}:${port}`, service: started }),
        ),
      );
    }
    for (let i = 0; i < live; i++) {
      const snmpd = await startSnmpd();
      snmpds.push(snmpd);
      devices.push({ name: `snmpd-${i}`, host: snmpd.host, port: snmpd.port, community: snmpd.community, kind: 'snmpd' });
    }
    const pids: Record<string, number> = {};
    if (sim) pids.snmpsimd = sim.pid;
    snmpds.forEach((s, i) => (pids[`snmpd-${i}`] = s.pid));
    return {
      devices,
      pids,
      async stop() {
        for (const s of snmpds) await s.stop();
        await sim?.stop();
        await temp.remove();
      },
    };
  } catch (error) {
    for (const s of snmpds) await s.stop();
    await sim?.stop();
    await temp.remove();
    throw error;
  }
}
