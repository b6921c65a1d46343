import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { createLogger, decodeMessage, samplesBatchSchema, type Sample } from '../../contract/index.ts';
import { addAgent } from '../../collector/agents/store.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { startCollector, type RunningCollector } from '../../collector/run.ts';
import {
  createDeadHost,
  freeTcpPort,
  makeTempDir,
  recordingInterfaceIndexes,
  spawnService,
  startInflux,
  startSnmpsim,
  waitFor,
  type DeadHost,
  type InfluxServer,
  type ServiceProcess,
  type SnmpsimServer,
  type TempDir,
} from '../harness/index.ts';

/**
 * One simulated school, end to end on real services: snmpsimd serving real device recordings and the
 * system ping → the agent (its real CLI, as a separate process) → the collector's embedded broker →
 * InfluxDB. Used by the spine test and by the dashboard query test.
 */

/** device name -> [recording, role] */
export const SCHOOL_SNMP_DEVICES: Readonly<Record<string, readonly [string, string]>> = {
  'core-switch': ['procurve_e2910', 'core-switch'],
  'hall-ap': ['unifi_nanohd', 'access-point'],
  firewall: ['fortigate_60f', 'firewall'],
  router: ['draytek', 'internet'],
  'file-server': ['windows_svr_2019_1809', 'server'],
  'office-printer': ['jetdirect_m252dw', 'printer'],
  'server-ups': ['eaton-mgeups_5px', 'ups'],
};

const AGENT_BIN = fileURLToPath(new URL('../../bin/hallmonitor-agent.js', import.meta.url));

export interface SchoolRunOptions {
  site?: string;
  db?: string;
  /** SNMP devices that get a ping check too (e.g. the internet router, so role=internet has ping data). */
  alsoPing?: readonly string[];
  /** More SNMP devices beside SCHOOL_SNMP_DEVICES: device name -> [recording, role]. */
  moreSnmpDevices?: Readonly<Record<string, readonly [string, string]>>;
  /** Extra keys of agent.yaml, e.g. `{ host: { intervalSeconds: 5 } }`. */
  agentConfig?: Record<string, unknown>;
  /** Extra keys of collector.yaml, e.g. `{ alerts: { ... } }`. */
  collectorConfig?: Record<string, unknown>;
}

export interface SchoolRun {
  readonly site: string;
  readonly db: string;
  readonly agentId: string;
  readonly dir: TempDir;
  readonly influx: InfluxServer;
  readonly collector: RunningCollector;
  readonly agent: ServiceProcess;
  /** Every sample the agent published, as the broker saw it. */
  readonly published: Sample[];
  /** Number of site devices: the SNMP ones plus the live and the dead ping host. */
  readonly deviceCount: number;
  /** The values of every series a statement returned. */
  select(q: string): Promise<unknown[][]>;
  stop(): Promise<void>;
}

/**
 * Starts everything and returns once InfluxDB holds two SNMP polls of every device (the second gives
 * rates), the ping results of every pinged device and the agent's own health.
 */
export async function startSchoolRun(options: SchoolRunOptions = {}): Promise<SchoolRun> {
  const site = options.site ?? 'e2e-school';
  const db = options.db ?? 'hallmonitor_e2e';
  const agentId = `${site}-1`;
  const alsoPing = new Set(options.alsoPing ?? []);
  const snmpDevices = { ...SCHOOL_SNMP_DEVICES, ...options.moreSnmpDevices };
  const published: Sample[] = [];
  let influx: InfluxServer | undefined;
  let snmpsim: SnmpsimServer | undefined;
  let dead: DeadHost | undefined;
  let dir: TempDir | undefined;
  let collector: RunningCollector | undefined;
  let agent: ServiceProcess | undefined;
  const stop = async () => {
    await agent?.stop();
    await collector?.stop();
    await Promise.allSettled([influx?.stop(), snmpsim?.stop(), dead?.remove()]);
    await dir?.remove();
  };

  try {
    const started = await Promise.allSettled([
      startInflux(),
      startSnmpsim({ recordings: [...new Set(Object.values(snmpDevices).map(([rec]) => rec))] }),
      createDeadHost(),
    ]);
    if (started[0].status === 'fulfilled') influx = started[0].value;
    if (started[1].status === 'fulfilled') snmpsim = started[1].value;
    if (started[2].status === 'fulfilled') dead = started[2].value;
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    if (!influx || !snmpsim || !dead) throw new Error('school run: a service did not start');
    const server = influx;
    const snmpPort = snmpsim.port;
    const deadAddress = dead.address;
    dir = makeTempDir('hm-e2e-');
    mkdirSync(join(dir.path, 'sites'));
    const brokerPort = await freeTcpPort();
    writeFileSync(
      join(dir.path, 'collector.yaml'),
      stringify({ broker: { host: '127.0.0.1', port: brokerPort }, influx: { url: influx.url, database: db, flushIntervalMs: 200 }, ...options.collectorConfig }),
    );
    const fast = { intervalSeconds: 2 };
    const ping = { ...fast, probes: 3, timeoutSeconds: 1 };
    const devices = [
      ...Object.entries(snmpDevices).map(([name, [recording, role]]) => ({
        name,
        address: '127.0.0.1',
        role,
        ...(name === 'hall-ap' ? { parent: 'core-switch' } : {}),
        checks: {
          snmp: { ...fast, community: recording, port: snmpPort, timeoutSeconds: 2, retries: 0 },
          ...(alsoPing.has(name) ? { ping } : {}),
        },
      })),
      { name: 'live-host', address: '127.0.0.3', role: 'server', checks: { ping } },
      { name: 'dead-host', address: deadAddress, role: 'other', checks: { ping } },
    ];
    writeFileSync(join(dir.path, 'sites', `${site}.yaml`), stringify({ id: site, name: 'E2E School', timezone: 'Europe/London', devices }));
    const { password } = await addAgent(join(dir.path, 'agents.yaml'), { id: agentId, site });

    collector = await startCollector(loadCollectorConfig(join(dir.path, 'collector.yaml')), createLogger('collector', 'warn'));
    // Watch what the agent actually sent, to compare with what InfluxDB stored.
    collector.broker.aedes.on('publish', (packet) => {
      if (!packet.topic.endsWith('/samples')) return;
      const batch = decodeMessage(samplesBatchSchema, packet.payload as Buffer);
      if (batch.ok) published.push(...batch.value.samples);
    });

    writeFileSync(
      join(dir.path, 'agent.yaml'),
      stringify({
        agent: agentId,
        site,
        broker: { url: `mqtt://127.0.0.1:${brokerPort}`, password },
        dataDir: 'agent-data',
        batch: { maxDelayMs: 200 },
        ...options.agentConfig,
      }),
    );
    agent = await spawnService({ name: 'agent', command: process.execPath, args: [AGENT_BIN, 'run', '-c', join(dir.path, 'agent.yaml')], dir: dir.path });
    await collector.storageReady;

    const select = async (q: string): Promise<unknown[][]> => {
      const [result] = await server.query(q, db);
      return result?.series?.flatMap((s) => s.values) ?? [];
    };
    const pinged = devices.filter((d) => 'ping' in d.checks).length;
    // Rates come from the second interface poll; on a loaded machine a device's `snmp` row can be stored
    // while its interface walk ran out of time, so wait for a rate of every device that has interfaces.
    const withInterfaces = Object.values(snmpDevices).filter(([recording]) => recordingInterfaceIndexes(recording).length > 0).length;
    await waitFor(
      async () => {
        const [result] = await server.query(`SELECT count(up) FROM snmp WHERE site='${site}' GROUP BY device`, db);
        const perDevice = (result?.series ?? []).map((s) => Number(s.values[0]?.[1]));
        const pings = await select(`SELECT count(up) FROM ping WHERE site='${site}' GROUP BY device`);
        const health = await select(`SELECT count(uptime_s) FROM agent_health WHERE site='${site}'`);
        const rates = await select(`SELECT count(in_bps) FROM interface WHERE site='${site}' AND in_bps >= 0 GROUP BY device`);
        return (
          perDevice.length === Object.keys(snmpDevices).length &&
          perDevice.every((n) => n >= 2) &&
          rates.length === withInterfaces &&
          pings.length === pinged &&
          health.length > 0
        );
      },
      { timeoutMs: 45_000, what: 'two SNMP polls per device, an interface rate of each, every ping result and the agent health in InfluxDB', intervalMs: 500, service: agent },
    );
    await collector.writer.flush();
    return { site, db, agentId, dir, influx: server, collector, agent, published, deviceCount: devices.length, select, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
