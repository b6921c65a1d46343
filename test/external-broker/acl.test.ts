import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCollectorConfig } from '../../collector/config/load.ts';
import { startExternalCollector, type RunningExternalCollector } from '../../collector/run.ts';
import { WIRE_VERSION, configTopic, createLogger, encodeMessage, eventsTopic, samplesTopic, statusTopic, type SamplesBatch } from '../../contract/index.ts';
import { waitFor } from '../harness/index.ts';
import { externalRig, runCollectorCli, type ExternalRig } from './rig.ts';

/**
 * The external broker's doors, with the files `mosquitto-files` generates from the agent registry, in a real
 * Mosquitto 2.0.11 started from deploy/mosquitto/hallmonitor.conf; and the collector's own second door in
 * external mode (the body's site and agent held to the topic and the registry).
 */
let rig: ExternalRig;
let collector: RunningExternalCollector;
const clients: MqttClient[] = [];
/** What the collector user's login sees (it may read every site's samples, events and status). */
const seen: Array<{ topic: string; payload: string }> = [];
let observer: MqttClient;

/** A collector logs in over the shipped loopback-only plain listener; an agent as it would from a school, over TLS with the CA pinned. */
async function login(user: string, extra: IClientOptions = {}): Promise<MqttClient> {
  const isCollector = user.startsWith('hallmonitor-collector-');
  const password = rig.agents.get(user)?.password ?? (isCollector ? rig.collectorPassword(Number(user.split('-').at(-1))) : 'x');
  const where = isCollector ? { url: rig.mosquitto.url } : { url: `mqtts://127.0.0.1:${rig.tlsPort}`, ca: readFileSync(rig.ca) };
  const { url, ...tls } = where;
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, username: user, password, ...tls, ...extra });
  clients.push(client);
  return client;
}

/** A marker on the agent's own samples topic: once the observer has it, all the agent sent before is routed or dropped. */
async function settle(agent: MqttClient, site: string): Promise<void> {
  const marker = `marker-${Math.random()}`;
  await agent.publishAsync(samplesTopic(site), marker, { qos: 1 });
  await waitFor(() => seen.some((m) => m.payload === marker), { timeoutMs: 5_000, what: `marker on ${samplesTopic(site)}` });
}

function batch(agent: string, site: string, seq: number): Buffer {
  const message: SamplesBatch = {
    v: WIRE_VERSION,
    agent,
    site,
    seq,
    sentAt: Date.now(),
    samples: [{ measurement: 'acl_probe', tags: { device: 'd1' }, fields: { v: seq }, time: Date.now() - 60_000 + seq }],
  };
  return encodeMessage(message);
}

beforeAll(async () => {
  rig = await externalRig('ext-acl', { sites: ['north', 'south'], agentsPerSite: 2, collectors: 2 });
  // Collector 2's login watches everything agents can get through; collector 1 runs in this process.
  observer = await login('hallmonitor-collector-2', { clientId: 'observer' });
  observer.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
  await observer.subscribeAsync(['hallmonitor/v1/+/samples', 'hallmonitor/v1/+/events', 'hallmonitor/v1/+/status/+'], { qos: 1 });
  collector = await startExternalCollector(loadCollectorConfig(rig.collectorConfigs[0]!), createLogger('collector', 'error'));
  await collector.external.subscribed;
}, 240_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  await collector?.stop();
  await rig?.remove();
});

describe('mosquitto-files in a real Mosquitto', () => {
  it('refuses wrong passwords and unknown users (CONNACK 5)', async () => {
    await expect(login('north-1', { password: 'wrong' })).rejects.toMatchObject({ code: 5 });
    await expect(login('nobody-1')).rejects.toMatchObject({ code: 5 });
  });

  const denied: Array<[string, string]> = [
    ['samples of another site', samplesTopic('south')],
    ['events of another site', eventsTopic('south')],
    ['the status of another agent of its own site', statusTopic('north', 'north-2')],
    ['the status of an agent of another site', statusTopic('south', 'south-1')],
    ['its site\'s config', configTopic('north')],
  ];
  it.each(denied)('an agent of site A cannot publish %s', async (_what, topic) => {
    const agent = await login('north-1');
    await agent.publishAsync(topic, 'denied', { qos: 1 }); // acknowledged and dropped: 3.1.1 cannot say no
    await settle(agent, 'north');
    expect(seen.filter((m) => m.payload === 'denied')).toEqual([]);
  });

  it('an agent cannot read another agent\'s status or another site\'s config, retained or live', async () => {
    const south = await login('south-1');
    const north = await login('north-1');
    await south.publishAsync(statusTopic('south', 'south-1'), 'south-1 retained', { qos: 1, retain: true });
    await north.publishAsync(statusTopic('north', 'north-1'), 'north-1 retained', { qos: 1, retain: true });
    const nosy = await login('north-2');
    const got: string[] = [];
    nosy.on('message', (_topic, payload) => got.push(payload.toString()));
    // Mosquitto grants any filter in the SUBACK and checks read access for each message instead.
    await nosy.subscribeAsync([statusTopic('south', 'south-1'), statusTopic('north', 'north-1'), 'hallmonitor/v1/+/status/+', configTopic('south'), configTopic('north')], { qos: 1 }).catch(() => undefined);
    await south.publishAsync(statusTopic('south', 'south-1'), 'south-1 live', { qos: 1 });
    await north.publishAsync(statusTopic('north', 'north-1'), 'north-1 live', { qos: 1 });
    // The collector published both sites' configs, retained; north-2 may read its own site's only.
    await waitFor(() => got.some((p) => p.includes('"site":"north"')), { timeoutMs: 5_000, what: 'north\'s own retained config' });
    await settle(north, 'north');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(got.filter((p) => !p.includes('"site":"north"'))).toEqual([]);
  });

  it('a revoked agent is refused once the files are generated again and Mosquitto reloaded', async () => {
    await login('south-2').then((c) => c.endAsync());
    runCollectorCli(['agent', 'revoke', '--id', 'south-2', '-c', rig.collectorConfigs[0]!]);
    await rig.regenerate();
    await expect(login('south-2')).rejects.toMatchObject({ code: 5 });
  });
});

describe('the collector\'s own checks in external mode', () => {
  it('stores a valid batch, and rejects and counts a body naming another site or another site\'s agent', async () => {
    const north = await login('north-1', { clientId: 'north-1' });
    const before = { ...collector.ingest.stats().rejects };
    await north.publishAsync(samplesTopic('north'), batch('north-1', 'south', 1), { qos: 1 }); // body's site ≠ topic's
    await north.publishAsync(samplesTopic('north'), batch('south-1', 'south', 1), { qos: 1 }); // another site's agent
    await north.publishAsync(samplesTopic('north'), batch('north-1', 'north', 2), { qos: 1 });
    await waitFor(() => collector.ingest.stats().acceptedBatches >= 1 && collector.external.stats.rejected['foreign-agent'] >= 1, {
      timeoutMs: 10_000,
      what: 'the collector to take the three batches',
    });
    await waitFor(() => collector.ingest.stats().rejects['site-mismatch'] > before['site-mismatch'], { timeoutMs: 5_000, what: 'the site mismatch counted' });
    expect(collector.ingest.stats().rejects['site-mismatch']).toBe(before['site-mismatch'] + 1);
    expect(collector.external.stats.rejected['foreign-agent']).toBe(1);
    await waitFor(async () => (await rig.influx.query('SELECT count(v) FROM acl_probe', rig.db))[0]?.series?.[0]?.values[0]?.[1] === 1, {
      timeoutMs: 10_000,
      what: 'the valid batch in InfluxDB',
    });
  });
});
