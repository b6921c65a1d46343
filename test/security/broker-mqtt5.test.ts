import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClientId, eventsTopic, samplesTopic, statusTopic } from '../../contract/index.ts';
import { connectPacket, rawClient, type RawClient } from './mqtt-wire.ts';
import { batchText, goodAgent, loggedIn, onlyOwnConfig, startWireRig, type WireRig } from './wire-rig.ts';

/**
 * MQTT 5 against the collector's embedded broker (aedes, which speaks 3.1.1): every v5 feature an attacker
 * could use to reach another school — user properties by the thousand and huge, topic aliases (to another
 * site's topic, reused across topics, beyond the maximum), subscription identifiers, response topic and
 * correlation data naming another site, message expiry, content type, a payload-format indicator over invalid
 * UTF-8, receive maximum 0, maximum packet size 1, AUTH, DISCONNECT with a reason string — sent both as a v5
 * CONNECT and, after a 3.1.1 login, as v5-encoded packets. Judged by the real collector process and influxd:
 * no v5 session is ever opened, the process survives with its memory bounded, nothing is stored or delivered
 * under the other school, and the other school's agent keeps getting its PUBACKs.
 */
const MiB = 2 ** 20;
let rig: WireRig;
let good: Awaited<ReturnType<typeof goodAgent>>;
let baselineRss = 0;
let address = 20;
/** Each attack from a fresh loopback address: the per-address admission budget is not what is tested here. */
const nextAddress = () => `127.0.${Math.floor(address / 250) + 1}.${(address++ % 250) + 1}`;

beforeAll(async () => {
  rig = await startWireRig('mqtt5');
  good = await goodAgent(rig);
  baselineRss = (await rig.collector.ask('gc')).rss;
}, 90_000);
afterAll(async () => {
  good?.client.socket.destroy();
  await rig?.stop();
});

const v5 = (packet: Record<string, unknown>): Buffer => mqttPacket.generate(packet as unknown as mqttPacket.Packet, { protocolVersion: 5 });
const SOUTH = samplesTopic('south');
const userProperties = (n: number, valueBytes = 1) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'.repeat(valueBytes)]));
const INVALID_UTF8 = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xed, 0xa0, 0x80]);

/** Waits until the connection is closed by the broker or `ms` passed; resolves whether it was closed. */
const closedWithin = (c: RawClient, ms: number) => Promise.race([c.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('a v5 CONNECT, with valid credentials and every v5 property, never opens a session', () => {
  const base = (props: Record<string, unknown>, will?: Record<string, unknown>) => ({
    cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60,
    clientId: agentClientId('north-1'), username: 'north-1', password: Buffer.from(rig.creds.north1.password),
    properties: props, ...(will ? { will } : {}),
  });
  const cases: Array<[string, () => Record<string, unknown>]> = [
    ['5,000 user properties', () => base({ userProperties: userProperties(5_000) })],
    ['a 1 MB user property', () => base({ userProperties: { big: 'x'.repeat(1_000_000) } })],
    ['receive maximum 0', () => base({ receiveMaximum: 0 })],
    ['maximum packet size 1', () => base({ maximumPacketSize: 1 })],
    ['topic alias maximum 65535 and a session that never expires', () => base({ topicAliasMaximum: 65_535, sessionExpiryInterval: 0xffffffff, requestResponseInformation: true, requestProblemInformation: true })],
    ['enhanced authentication (AUTH method and data)', () => base({ authenticationMethod: 'SCRAM-SHA-1', authenticationData: Buffer.alloc(1_000, 1) })],
    [
      "a will on south's samples topic with a response topic, correlation data, expiry, content type and invalid UTF-8 flagged as UTF-8",
      () => base({}, { topic: SOUTH, payload: INVALID_UTF8, qos: 1, retain: true, properties: { willDelayInterval: 0, payloadFormatIndicator: true, messageExpiryInterval: 0xffffffff, contentType: 'application/json', responseTopic: SOUTH, correlationData: Buffer.from('x'), userProperties: userProperties(500) } }),
    ],
    [
      "a will on its own status topic whose response topic is south's",
      () => base({}, { topic: statusTopic('north', 'north-1'), payload: Buffer.from('offline'), qos: 2, retain: true, properties: { responseTopic: SOUTH, correlationData: Buffer.alloc(60_000, 2) } }),
    ],
  ];
  it.each(cases)('%s: refused (CONNACK 1 or closed), the will never published', async (_name, make) => {
    const before = await rig.stored('south');
    const c = await rawClient(rig.collector.port, nextAddress());
    c.write(v5(make()));
    const connack = await c.next('connack', 3_000).catch(() => undefined);
    if (connack) expect((connack as { returnCode: number }).returnCode).not.toBe(0);
    expect(await closedWithin(c, 3_000)).toBe(true);
    expect(rig.collector.exited()).toBeUndefined();
    await good.publish();
    expect(await rig.stored('south')).toBe(before + 1);
    onlyOwnConfig(good.received());
  });
});

describe('after a 3.1.1 login, v5-encoded packets are 3.1.1 bytes: refused or stored as sent, never routed elsewhere', () => {
  const attacks: Array<[string, (id: number) => Buffer[]]> = [
    ["a topic alias set on south's samples topic", (id) => [v5({ cmd: 'publish', topic: SOUTH, payload: batchText(rig.creds.north1, id), qos: 1, messageId: id, properties: { topicAlias: 1 } })]],
    [
      'an alias set on its own topic, then reused with an empty topic and then re-pointed at south',
      (id) => [
        v5({ cmd: 'publish', topic: samplesTopic('north'), payload: batchText(rig.creds.north1, id), qos: 1, messageId: id, properties: { topicAlias: 1 } }),
        v5({ cmd: 'publish', topic: '', payload: batchText(rig.creds.north1, id + 1), qos: 1, messageId: id + 1, properties: { topicAlias: 1 } }),
        v5({ cmd: 'publish', topic: SOUTH, payload: batchText(rig.creds.north1, id + 2), qos: 1, messageId: id + 2, properties: { topicAlias: 1 } }),
      ],
    ],
    ['an alias beyond any Topic Alias Maximum (65535) with an empty topic', (id) => [v5({ cmd: 'publish', topic: '', payload: batchText(rig.creds.north1, id), qos: 1, messageId: id, properties: { topicAlias: 65_535 } })]],
    ["a response topic and correlation data naming south's samples", (id) => [v5({ cmd: 'publish', topic: samplesTopic('north'), payload: batchText(rig.creds.north1, id), qos: 1, messageId: id, properties: { responseTopic: SOUTH, correlationData: batchText(rig.creds.south1, id) } })]],
    ['10,000 user properties on a publish', (id) => [v5({ cmd: 'publish', topic: samplesTopic('north'), payload: batchText(rig.creds.north1, id), qos: 1, messageId: id, properties: { userProperties: userProperties(10_000, 8) } })]],
    ['a payload-format indicator over invalid UTF-8, a content type and a message expiry', (id) => [v5({ cmd: 'publish', topic: eventsTopic('north'), payload: INVALID_UTF8, qos: 1, messageId: id, properties: { payloadFormatIndicator: true, contentType: 'text/plain', messageExpiryInterval: 1 } })]],
    ['a subscribe with a subscription identifier and v5 options on its own config topic and on south', (id) => [v5({ cmd: 'subscribe', messageId: id, properties: { subscriptionIdentifier: 268_435_455, userProperties: userProperties(100) }, subscriptions: [{ topic: 'hallmonitor/v1/north/config', qos: 1, nl: true, rap: true, rh: 0 }, { topic: SOUTH, qos: 2, rh: 2 }] })]],
    ['an AUTH packet', () => [v5({ cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'x', authenticationData: Buffer.alloc(10) } })]],
    ['a DISCONNECT with a reason string and a session expiry', () => [v5({ cmd: 'disconnect', reasonCode: 0x04, properties: { reasonString: 'x'.repeat(1_000), sessionExpiryInterval: 3_600, serverReference: SOUTH } })]],
  ];
  let seq = 1_000;
  it.each(attacks)('%s', async (_name, make) => {
    const before = await rig.stored('south');
    const c = await loggedIn(rig.collector.port, rig.creds.north1, nextAddress(), { will: { topic: statusTopic('north', 'north-1'), payload: Buffer.from('{}'), qos: 1, retain: true } });
    seq += 10;
    for (const p of make(seq)) c.write(p);
    // Acknowledged (the message was refused and counted, or stored as north's) or closed: either way, settled.
    await closedWithin(c, 1_500);
    c.socket.destroy();
    expect(rig.collector.exited()).toBeUndefined();
    await good.publish();
    expect(await rig.stored('south')).toBe(before + 1);
    onlyOwnConfig(good.received());
  });

  it('over the whole run: nothing of north under south, memory bounded, logins still work', async () => {
    const stats = await rig.collector.ask('gc');
    // South holds exactly its own agent's batches, one point each.
    expect(await rig.stored('south')).toBe(good.sent());
    expect(await rig.stored('south', ` AND device =~ /^d[0-9]+-0$/ AND value >= 1000`)).toBe(0);
    const refusals = stats.broker;
    console.log(`MQTT 5 attacks: collector RSS ${(baselineRss / MiB).toFixed(0)} → ${(stats.rss / MiB).toFixed(0)} MiB; ingest rejects ${JSON.stringify(stats.ingest.rejects)}; broker publish denied ${refusals['publishDenied']}, subscribe denied ${refusals['subscribeDenied']}, packets refused ${refusals['packetsRefused']}`);
    expect(stats.rss - baselineRss).toBeLessThan(64 * MiB);
    // A v5 CONNECT with a fresh 3.1.1 connection after it: the broker still logs agents in.
    const again = await rawClient(rig.collector.port, nextAddress());
    again.write(connectPacket(rig.creds.north2));
    expect(await again.next('connack')).toMatchObject({ returnCode: 0 });
    again.socket.destroy();
  });
});
