import { startSnmpd, startSnmpsimEndpoints, type SnmpdServer, type SnmpsimEndpoints } from '../../test/harness/index.ts';

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

/** Recordings (../shared/snmprec) with interface tables of different sizes and shapes. */
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

/**
 * `simulated` devices from one snmpsimd, each on its own loopback address 127.0.<base + k/250>.<1 + k%250>
 * with one port for all (RIG.md: one endpoint per device, `--v2c-arch`, and a per-transport data file
 * `public/1.3.6.1.6.1.1.<k>.snmprec` linked to its recording), plus `live` net-snmp snmpd agents on
 * 127.0.0.1, which answer ~15× faster than snmpsimd.
 */
export async function startFleet(simulated: number, live: number, base = 60): Promise<Fleet> {
  const snmpds: SnmpdServer[] = [];
  let sim: SnmpsimEndpoints | undefined;
  try {
    const devices: FleetDevice[] = [];
    if (simulated > 0) {
      const endpoints = Array.from({ length: simulated }, (_, k) => ({
        host: `127.0.${base + Math.floor(k / 250)}.${1 + (k % 250)}`,
        recording: FLEET_RECORDINGS[k % FLEET_RECORDINGS.length]!,
      }));
      sim = await startSnmpsimEndpoints(endpoints);
      const { port, community } = sim;
      endpoints.forEach((e, k) => devices.push({ name: `sim-${k}`, host: e.host, port, community, kind: e.recording }));
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
      },
    };
  } catch (error) {
    for (const s of snmpds) await s.stop();
    await sim?.stop();
    throw error;
  }
}
