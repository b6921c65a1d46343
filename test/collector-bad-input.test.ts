import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { WIRE_VERSION, agentClientId, createLogger, samplesTopic, type SamplesBatch } from '../contract/index.ts';
import { addAgent } from '../collector/agents/store.ts';
import { loadCollectorConfig } from '../collector/config/load.ts';
import { startCollector, type RunningCollector } from '../collector/run.ts';
import { freeTcpPort, makeTempDir, startInflux, waitFor, type InfluxServer, type TempDir } from './harness/index.ts';

/** Malformed and unauthorised messages are refused and counted; everyone else keeps being served. */
const DB = 'bad_input';
let influx: InfluxServer;
let dir: TempDir;
let collector: RunningCollector;
const creds: Record<string, string> = {};
const clients: MqttClient[] = [];

async function connect(agent: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${collector.broker.port}`, {
    clientId: agentClientId(agent),
    username: agent,
    password: creds[agent],
    reconnectPeriod: 0,
  });
  clients.push(client);
  return client;
}

// A recent time: the collector refuses samples older than its window (collector/ingest, maxSampleAgeHours).
const T0 = Math.floor(Date.now() / 1_000) * 1_000 - 3_600_000;
const batch = (agent: string, site: string, seq: number): SamplesBatch => ({
  v: WIRE_VERSION,
  agent,
  site,
  seq,
  sentAt: T0 + seq * 1000 + 500,
  samples: [{ measurement: 'ping', tags: { device: 'gw', role: 'internet' }, fields: { up: 1, loss_pct: 0 }, time: T0 + seq * 1000 }],
});

beforeAll(async () => {
  influx = await startInflux();
  dir = makeTempDir('bad-input');
  mkdirSync(join(dir.path, 'sites'));
  for (const site of ['north', 'south']) writeFileSync(join(dir.path, 'sites', `${site}.yaml`), stringify({ id: site, name: site }));
  const port = await freeTcpPort();
  writeFileSync(join(dir.path, 'collector.yaml'), stringify({ broker: { host: '127.0.0.1', port }, influx: { url: influx.url, database: DB, flushIntervalMs: 50 } }));
  for (const [id, site] of [['north-1', 'north'], ['south-1', 'south']] as const) {
    creds[id] = (await addAgent(join(dir.path, 'agents.yaml'), { id, site })).password;
  }
  collector = await startCollector(loadCollectorConfig(join(dir.path, 'collector.yaml')), createLogger('collector', 'silent'));
  await collector.storageReady;
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.endAsync(true)));
  await collector?.stop();
  await influx?.stop();
  dir?.remove();
});

describe('collector under bad input', () => {
  it('acknowledges and counts malformed batches without writing them, and keeps the connection', async () => {
    const north = await connect('north-1');
    const topic = samplesTopic('north');
    const bad: (string | object)[] = [
      'not json',
      '[1,2,3]',
      { ...batch('north-1', 'north', 0), v: 2 },
      { ...batch('north-1', 'north', 0), samples: [{ measurement: 'ping', tags: {}, fields: {}, time: T0 }] },
      { ...batch('north-1', 'north', 0), site: 'south' },
      { ...batch('north-1', 'north', 0), agent: 'south-1' },
    ];
    for (const b of bad) await north.publishAsync(topic, typeof b === 'string' ? b : JSON.stringify(b), { qos: 1 });
    const rejects = collector.ingest.stats().rejects;
    expect(rejects.invalid).toBe(4);
    expect(rejects['site-mismatch'] + rejects['agent-mismatch']).toBe(2);
    expect(north.connected).toBe(true);

    await north.publishAsync(topic, JSON.stringify(batch('north-1', 'north', 1)), { qos: 1 });
    await collector.writer.flush();
    const [r] = await influx.query(`SELECT count(up) FROM ping WHERE site='north'`, DB);
    expect(r?.series?.[0]?.values[0]?.[1]).toBe(1);
  });

  it('closes the connection of an agent writing to another site, and serves the other site on', async () => {
    const north = await connect('north-1');
    const south = await connect('south-1');
    const closed = new Promise<void>((resolve) => north.once('close', () => resolve()));
    north.publish(samplesTopic('south'), JSON.stringify(batch('north-1', 'south', 7)), { qos: 1 });
    await closed;
    expect(collector.broker.stats.publishDenied).toBe(1);

    await south.publishAsync(samplesTopic('south'), JSON.stringify(batch('south-1', 'south', 0)), { qos: 1 });
    await collector.writer.flush();
    await waitFor(async () => {
      const [r] = await influx.query(`SELECT count(up) FROM ping WHERE site='south'`, DB);
      return r?.series?.[0]?.values[0]?.[1] === 1;
    }, { timeoutMs: 5_000, what: "south's sample in InfluxDB" });
  });
});
