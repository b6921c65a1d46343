import { expect } from 'vitest';
import { WIRE_VERSION, configTopic, samplesTopic } from '../../contract/index.ts';
import { makeTempDir, startInflux, type InfluxServer, type TempDir } from '../harness/index.ts';
import { startCollectorProcess, type CollectorProcess } from './collector-process.ts';
import { connectPacket, encode, rawClient, type Creds, type RawClient } from './mqtt-wire.ts';

/**
 * The real collector in its own process (embedded aedes, write-ahead log) writing a real influxd, with agents
 * north-1 and north-2 at site north (the attacker's school) and south-1 at site south (the other school),
 * for the raw-MQTT attacks in this folder. South's agent publishes and subscribes as a well-behaved one.
 */
export const DB = 'security';
export interface WireRig {
  influx: InfluxServer;
  dir: TempDir;
  collector: CollectorProcess;
  creds: Record<'north1' | 'north2' | 'south1', Creds>;
  /** Points stored under a site (any measurement but the collector's own). */
  stored(site: string, where?: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startWireRig(name: string): Promise<WireRig> {
  const influx = await startInflux();
  const dir = makeTempDir(name);
  const agents = [{ agent: 'north-1', site: 'north' }, { agent: 'north-2', site: 'north' }, { agent: 'south-1', site: 'south' }];
  // No login slow-down: an attack's denied publish would otherwise hold the next attack's login for seconds.
  let collector: CollectorProcess;
  try {
    collector = await startCollectorProcess({ dir, influxUrl: influx.url, agents, broker: { loginBackoff: { baseMs: 0, maxMs: 0, quietMs: 1_000 } }, logLevel: 'warn' });
  } catch (err) {
    await influx.stop();
    dir.remove();
    throw err;
  }
  const creds = {
    north1: { id: 'north-1', site: 'north', password: collector.creds['north-1']! },
    north2: { id: 'north-2', site: 'north', password: collector.creds['north-2']! },
    south1: { id: 'south-1', site: 'south', password: collector.creds['south-1']! },
  };
  return {
    influx,
    dir,
    collector,
    creds,
    async stored(site, where = '') {
      await collector.ask('flush');
      const [r] = await influx.query(`SELECT count(*) FROM /^(ping|probe)$/ WHERE site = '${site}'${where}`, DB);
      return (r?.series ?? []).reduce((sum, s) => sum + Number(s.values[0]?.[1] ?? 0), 0);
    },
    async stop() {
      await collector.stop();
      await influx.stop();
      dir.remove();
    },
  };
}

/** A samples batch of `n` probe points, its text as an agent would send it. */
export function batchText(who: Creds, seq: number, n = 1, extra: Record<string, unknown> = {}): Buffer {
  const now = Date.now();
  return Buffer.from(
    JSON.stringify({
      v: WIRE_VERSION, agent: who.id, site: who.site, seq, sentAt: now,
      samples: Array.from({ length: n }, (_, i) => ({ measurement: 'probe', tags: { device: `d${seq}-${i}`, ...extra }, fields: { value: seq + i }, time: now - 1_000 + i })),
    }),
  );
}

/** A raw client logged in as `who` (MQTT 3.1.1); fails the test if the CONNACK is not 0. */
export async function loggedIn(port: number, who: Creds, localAddress: string, extra: Record<string, unknown> = {}): Promise<RawClient> {
  const c = await rawClient(port, localAddress);
  c.write(connectPacket(who, extra));
  expect(await c.next('connack')).toMatchObject({ returnCode: 0 });
  return c;
}

/**
 * South's well-behaved agent: logged in, subscribed to its config topic (what it receives is checked to be
 * the collector's config only), publishing one valid batch per call and waiting for its PUBACK.
 */
export async function goodAgent(rig: WireRig): Promise<{ client: RawClient; publish(): Promise<void>; sent: () => number; received: () => Array<{ topic: string; payload: string }> }> {
  const client = await loggedIn(rig.collector.port, rig.creds.south1, '127.0.0.9');
  const received: Array<{ topic: string; payload: string }> = [];
  client.socket.on('data', () => {
    for (const p of client.packets.filter((x) => x.cmd === 'publish')) {
      const pub = p as unknown as { topic: string; payload: Buffer };
      received.push({ topic: pub.topic, payload: pub.payload.toString('utf8') });
    }
    for (let i = client.packets.length - 1; i >= 0; i--) if (client.packets[i]!.cmd === 'publish') client.packets.splice(i, 1);
  });
  client.write(encode({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: configTopic('south'), qos: 1 }] }));
  await client.next('suback');
  let seq = 0;
  let id = 100;
  return {
    client,
    sent: () => seq,
    received: () => received,
    async publish() {
      seq++;
      id = (id % 60_000) + 1;
      client.write(encode({ cmd: 'publish', topic: samplesTopic('south'), payload: batchText(rig.creds.south1, seq), qos: 1, messageId: id }));
      expect(await client.next('puback', 10_000)).toMatchObject({ messageId: id });
    },
  };
}

/** Every message south's agent received is the collector's own config for south, never another party's text. */
export function onlyOwnConfig(received: Array<{ topic: string; payload: string }>): void {
  for (const m of received) {
    expect(m.topic).toBe(configTopic('south'));
    expect(JSON.parse(m.payload)).toMatchObject({ site: 'south' });
  }
}
