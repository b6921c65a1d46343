import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { stringify } from 'yaml';
import { agentClientId, createLogger } from '../../contract/index.ts';
import { addAgent } from '../../collector/agents/store.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { startCollector, type CollectorExtras, type RunningCollector } from '../../collector/run.ts';
import { freeTcpPort, makeTempDir, startInflux, type InfluxServer, type TempDir } from '../harness/index.ts';

export interface SchoolsCollectorOptions {
  /** Temp dir name and InfluxDB database. */
  name: string;
  database: string;
  /** Site ids, each with a site file. */
  sites: readonly string[];
  /** [agent id, site] pairs registered in agents.yaml. */
  agents: readonly (readonly [string, string])[];
  /** Extra collector.yaml keys beside broker and influx (e.g. ingest limits). */
  config?: Record<string, unknown>;
  extras?: CollectorExtras;
}

export interface SchoolsCollector {
  influx: InfluxServer;
  collector: RunningCollector;
  dir: TempDir;
  /** An MQTT client logged in as this registered agent (closed by stop()). */
  connect(agent: string): Promise<MqttClient>;
  stop(): Promise<void>;
}

/**
 * The real collector in this process (embedded broker, write-ahead log, ingest, alerts) beside a real influxd,
 * with a few schools and their agents registered: what tests of the collector's wiring start from.
 */
export async function startSchoolsCollector(o: SchoolsCollectorOptions): Promise<SchoolsCollector> {
  const influx = await startInflux();
  const dir = makeTempDir(o.name);
  const clients: MqttClient[] = [];
  const creds: Record<string, string> = {};
  let collector: RunningCollector | undefined;
  const stop = async () => {
    await Promise.allSettled(clients.map((c) => c.endAsync(true)));
    await collector?.stop();
    await influx.stop();
    dir.remove();
  };
  try {
    mkdirSync(join(dir.path, 'sites'));
    for (const site of o.sites) writeFileSync(join(dir.path, 'sites', `${site}.yaml`), stringify({ id: site, name: site }));
    const port = await freeTcpPort();
    writeFileSync(join(dir.path, 'collector.yaml'), stringify({ broker: { host: '127.0.0.1', port }, influx: { url: influx.url, database: o.database, flushIntervalMs: 50 }, ...o.config }));
    for (const [id, site] of o.agents) creds[id] = (await addAgent(join(dir.path, 'agents.yaml'), { id, site })).password;
    collector = await startCollector(loadCollectorConfig(join(dir.path, 'collector.yaml')), createLogger('collector', 'silent'), Date.now, o.extras ?? {});
    await collector.storageReady;
  } catch (err) {
    await stop();
    throw err;
  }
  const running = collector;
  return {
    influx,
    collector: running,
    dir,
    async connect(agent) {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${running.broker.port}`, { clientId: agentClientId(agent), username: agent, password: creds[agent], protocolVersion: 4, reconnectPeriod: 0 });
      clients.push(client);
      return client;
    },
    stop,
  };
}
