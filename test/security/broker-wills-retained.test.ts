import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIRE_VERSION, configTopic, eventsTopic, samplesTopic, statusTopic } from '../../contract/index.ts';
import { connectPacket, encode, rawClient } from './mqtt-wire.ts';
import { DB, batchText, goodAgent, loggedIn, onlyOwnConfig, startWireRig, type WireRig } from './wire-rig.ts';

/**
 * Wills and retained messages as a way into another school. A will is published by the broker on the agent's
 * behalf after the connection dies, and a retained message is handed to every later subscriber: both outlive
 * the connection that sent them. Against the real collector process and influxd: a will on another site's
 * topic, on a topic the agent may not publish, with QoS 2 and retain, a will whose text names another school;
 * retained publishes on its own and on another site's topics; each connection then cut without a DISCONNECT.
 * Nothing reaches the other school's storage or its agent, and nothing retained is later received as data.
 */
let rig: WireRig;
let good: Awaited<ReturnType<typeof goodAgent>>;
let address = 20;
const nextAddress = () => `127.0.3.${address++}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  rig = await startWireRig('wills');
  good = await goodAgent(rig);
}, 90_000);
afterAll(async () => {
  good?.client.socket.destroy();
  await rig?.stop();
});

const status = (agent: string, site: string, state: 'online' | 'offline' = 'offline') =>
  Buffer.from(JSON.stringify({ v: WIRE_VERSION, agent, site, state, version: '1.0.0', startedAt: Date.now() - 60_000, at: Date.now(), uptimeSeconds: 60 }));

async function agentStatusRows(where: string): Promise<number> {
  await rig.collector.ask('flush');
  const [r] = await rig.influx.query(`SELECT count(online) FROM agent_status WHERE ${where}`, DB);
  return Number(r?.series?.[0]?.values[0]?.[1] ?? 0);
}

describe('a will on a topic the agent may not publish is refused at CONNECT', () => {
  const refused: Array<[string, () => string, () => Buffer]> = [
    ["south's samples topic, a valid south batch as payload", () => samplesTopic('south'), () => batchText(rig.creds.south1, 900)],
    ["south-1's status topic, south's offline status", () => statusTopic('south', 'south-1'), () => status('south-1', 'south')],
    ['its own config topic (published by the collector only)', () => configTopic('north'), () => Buffer.from('{"v":1,"site":"north","devices":[]}')],
    ["south's config topic", () => configTopic('south'), () => Buffer.from('{"v":1,"site":"south","devices":[]}')],
    ["its own samples topic (a will is a status)", () => samplesTopic('north'), () => batchText(rig.creds.north1, 901)],
    ["another agent of its own site's status topic", () => statusTopic('north', 'north-2'), () => status('north-2', 'north')],
    ['a wildcard', () => 'hallmonitor/v1/+/samples', () => Buffer.from('x')],
  ];
  it.each(refused)('%s: CONNACK 5, and the cut connection publishes nothing', async (_name, topic, payload) => {
    const before = await rig.stored('south');
    for (const qos of [1, 2]) {
      const c = await rawClient(rig.collector.port, nextAddress());
      c.write(connectPacket(rig.creds.north1, { will: { topic: topic(), payload: payload(), qos, retain: true } }));
      const answer = await c.next('connack', 3_000).catch(() => undefined);
      if (answer) expect((answer as { returnCode: number }).returnCode).not.toBe(0);
      c.socket.destroy(); // abrupt: no DISCONNECT
    }
    await sleep(300);
    await good.publish();
    expect(await rig.stored('south')).toBe(before + 1);
    expect(await agentStatusRows(`site = 'south'`)).toBe(0);
    onlyOwnConfig(good.received());
  });
});

describe('a will on its own status topic', () => {
  it("with QoS 2 and retain and a payload naming south's agent: published on the abrupt close, refused by the status handler, stored for no one", async () => {
    const c = await loggedIn(rig.collector.port, rig.creds.north1, nextAddress(), { will: { topic: statusTopic('north', 'north-1'), payload: status('south-1', 'south', 'online'), qos: 2, retain: true } });
    c.socket.destroy();
    await sleep(500);
    expect(await agentStatusRows(`site = 'south'`)).toBe(0);
    expect(await agentStatusRows(`agent = 'south-1'`)).toBe(0);
  });

  it('with its own offline status: stored under north only, and never delivered to any agent', async () => {
    const c = await loggedIn(rig.collector.port, rig.creds.north1, nextAddress(), { will: { topic: statusTopic('north', 'north-1'), payload: status('north-1', 'north'), qos: 2, retain: true } });
    c.socket.destroy();
    await sleep(500);
    expect(await agentStatusRows(`site = 'north' AND agent = 'north-1'`)).toBe(1);
    expect(await agentStatusRows(`site = 'south'`)).toBe(0);
  });
});

describe('retained publishes', () => {
  const attempts: Array<[string, () => string, () => Buffer]> = [
    ['on its own samples topic', () => samplesTopic('north'), () => batchText(rig.creds.north1, 950)],
    ['on its own events topic', () => eventsTopic('north'), () => Buffer.from('{"v":1}')],
    ["on south's samples topic", () => samplesTopic('south'), () => batchText(rig.creds.south1, 951)],
    ["on south's config topic", () => configTopic('south'), () => Buffer.from('{"v":1,"site":"south","devices":[{"name":"evil"}]}')],
    ["on its own config topic", () => configTopic('north'), () => Buffer.from('{"v":1,"site":"north","devices":[{"name":"evil"}]}')],
  ];
  it.each(attempts)('%s, QoS 0, 1 and 2: refused (the connection closed), nothing stored or retained', async (_name, topic, payload) => {
    const before = await rig.stored('south');
    for (const qos of [0, 1, 2]) {
      const c = await loggedIn(rig.collector.port, rig.creds.north2, nextAddress());
      c.write(encode({ cmd: 'publish', topic: topic(), payload: payload(), qos, retain: true, ...(qos > 0 ? { messageId: 7 } : {}) }));
      const closed = await Promise.race([c.closed.then(() => true), sleep(3_000).then(() => false)]);
      expect(closed).toBe(true);
      expect(c.packets.filter((p) => p.cmd === 'puback' || p.cmd === 'pubrec')).toEqual([]);
    }
    await good.publish();
    expect(await rig.stored('south')).toBe(before + 1);
  });

  it("its own status, retained (allowed): later subscribers get only their school's config", async () => {
    const c = await loggedIn(rig.collector.port, rig.creds.north2, nextAddress());
    c.write(encode({ cmd: 'publish', topic: statusTopic('north', 'north-2'), payload: Buffer.from('not a status at all'), qos: 1, retain: true, messageId: 8 }));
    await c.next('puback');
    c.socket.destroy();
    // New subscribers at both schools: each receives its school's config, retained by the collector, and nothing else.
    for (const who of [rig.creds.south1, rig.creds.north1]) {
      const s = await loggedIn(rig.collector.port, who, nextAddress());
      s.write(encode({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: configTopic(who.site), qos: 1 }] }));
      await s.next('suback');
      await sleep(300);
      const got = s.packets.filter((p) => p.cmd === 'publish') as unknown as Array<{ topic: string; payload: Buffer }>;
      expect(got.length).toBe(1);
      expect(got[0]!.topic).toBe(configTopic(who.site));
      expect(JSON.parse(got[0]!.payload.toString('utf8'))).toMatchObject({ site: who.site });
      s.socket.destroy();
    }
  });

  it('after everything, south holds exactly its own agent\'s points and its agent received only its config', async () => {
    expect(rig.collector.exited()).toBeUndefined();
    expect(await rig.stored('south')).toBe(good.sent());
    onlyOwnConfig(good.received());
    const stats = await rig.collector.ask('stats');
    console.log(`wills and retained: publish denied ${stats.broker['publishDenied']}, auth failures ${stats.broker['authFailures']}; south points ${good.sent()}`);
  });
});
