import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { WIRE_VERSION, agentClientId, createLogger, samplesTopic, type SamplesBatch } from '../../contract/index.ts';
import { addAgent } from '../../collector/agents/store.ts';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { startCollector, type RunningCollector } from '../../collector/run.ts';
import { freeTcpPort, makeTempDir, startInflux, waitFor, type InfluxServer, type TempDir } from '../harness/index.ts';

/**
 * The collector's wiring: what an agent publishes over MQTT reaches `school_state` in a real influxd, one
 * point per configured school, each school's own devices only (test/dashboards/overview-sources.test.ts
 * judges the numbers against the raw queries; queries.test.ts runs a whole agent).
 */
const DB = 'school_state_wiring';
let influx: InfluxServer;
let dir: TempDir;
let collector: RunningCollector;
const clients: MqttClient[] = [];
const creds: Record<string, string> = {};

beforeAll(async () => {
  influx = await startInflux();
  dir = makeTempDir('school-state');
  mkdirSync(join(dir.path, 'sites'));
  for (const site of ['north', 'south', 'empty']) writeFileSync(join(dir.path, 'sites', `${site}.yaml`), stringify({ id: site, name: site }));
  const port = await freeTcpPort();
  writeFileSync(join(dir.path, 'collector.yaml'), stringify({ broker: { host: '127.0.0.1', port }, influx: { url: influx.url, database: DB, flushIntervalMs: 50 } }));
  for (const [id, site] of [['north-1', 'north'], ['south-1', 'south']] as const) creds[id] = (await addAgent(join(dir.path, 'agents.yaml'), { id, site })).password;
  collector = await startCollector(loadCollectorConfig(join(dir.path, 'collector.yaml')), createLogger('collector', 'silent'));
  await collector.storageReady;
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.endAsync(true)));
  await collector?.stop();
  await influx?.stop();
  dir?.remove();
});

const batch = (agent: string, site: string, samples: SamplesBatch['samples']): SamplesBatch => ({ v: WIRE_VERSION, agent, site, seq: 0, sentAt: Date.now(), samples });

describe('school_state from a running collector', () => {
  it('one point per configured school; each school counts its own devices', async () => {
    const t = Date.now() - 10_000;
    for (const [agent, site, ups] of [['north-1', 'north', [1, 0]], ['south-1', 'south', [1, 1]]] as const) {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${collector.broker.port}`, { clientId: agentClientId(agent), username: agent, password: creds[agent], reconnectPeriod: 0 });
      clients.push(client);
      const samples = [
        ...ups.map((up, i) => ({ measurement: 'ping', tags: { device: `d${i}` }, fields: { up }, time: t })),
        { measurement: 'snmp', tags: { device: 'd0' }, fields: { up: 1 }, time: t },
      ];
      await client.publishAsync(samplesTopic(site), JSON.stringify(batch(agent, site, samples)), { qos: 1 });
    }
    collector.schoolState.write();
    await collector.writer.flush();
    const rows = async () => {
      const [r] = await influx.query('SELECT last("ping_devices") AS pd, last("ping_failed") AS pf, last("snmp_devices") AS sd, last("state") AS state FROM "school_state" GROUP BY "site"', DB);
      return Object.fromEntries((r?.series ?? []).map((s) => [s.tags?.['site'], s.values[0]?.slice(1)]));
    };
    await waitFor(async () => Object.keys(await rows()).length === 3, { timeoutMs: 20_000, intervalMs: 200, what: 'school_state of three schools' });
    expect(await rows()).toEqual({ north: [2, 1, 1, 0.5], south: [2, 0, 1, 0], empty: [0, 0, 0, null] });
  }, 60_000);
});
