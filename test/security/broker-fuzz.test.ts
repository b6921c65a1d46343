import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplesTopic } from '../../contract/index.ts';
import { connectPacket, encode, rawClient, startBrokerChild, type BrokerChild, type RawClient } from './mqtt-wire.ts';

/**
 * Malformed and truncated packets of every MQTT 3.1.1 type, before and after login, into the broker in its own
 * process: it survives, its memory stays bounded, and a well-behaved agent keeps getting its PUBACKs.
 */
let b: BrokerChild;
let good: RawClient;
let goodId = 0;
const MiB = 2 ** 20;

beforeAll(async () => {
  // Generous connection budgets: the fuzz opens hundreds of connections from one address on purpose.
  b = await startBrokerChild({ connections: { connectBurst: 100_000, connectPerSecond: 100_000, maxUnauthenticatedPerAddress: 1_000 }, loginBackoff: { baseMs: 0, maxMs: 0, quietMs: 1_000 } });
  good = await rawClient(b.port, '127.0.0.9');
  good.write(connectPacket(b.creds.south1));
  await good.next('connack');
});
afterAll(() => b?.stop());

async function goodAgentPublishes(): Promise<void> {
  goodId = (goodId % 65_000) + 1;
  good.write(encode({ cmd: 'publish', topic: samplesTopic('south'), payload: '{}', qos: 1, messageId: goodId }));
  expect(await good.next('puback', 5_000)).toMatchObject({ messageId: goodId });
}

const topic = fc.oneof(fc.constantFrom(samplesTopic('north'), samplesTopic('south'), '#', '+/+', '$SYS/x', ''), fc.string({ maxLength: 30 }));
/** Every packet type, well formed, as mqtt-packet writes it (then mutated below). */
const packet = fc.oneof(
  fc.record({ cmd: fc.constant('connect'), protocolId: fc.constantFrom('MQTT', 'MQIsdp', 'XXXX'), protocolVersion: fc.constantFrom(3, 4, 5), clean: fc.boolean(), keepalive: fc.nat(65_535), clientId: fc.string({ maxLength: 30 }) }),
  fc.record({ cmd: fc.constant('publish'), topic, payload: fc.string({ maxLength: 200 }), qos: fc.constantFrom(0, 1, 2), messageId: fc.integer({ min: 1, max: 65_535 }), retain: fc.boolean(), dup: fc.boolean() }),
  fc.record({ cmd: fc.constantFrom('puback', 'pubrec', 'pubrel', 'pubcomp', 'unsuback'), messageId: fc.integer({ min: 1, max: 65_535 }) }),
  fc.record({ cmd: fc.constant('subscribe'), messageId: fc.integer({ min: 1, max: 65_535 }), subscriptions: fc.array(fc.record({ topic, qos: fc.constantFrom(0, 1, 2) }), { minLength: 1, maxLength: 20 }) }),
  fc.record({ cmd: fc.constant('unsubscribe'), messageId: fc.integer({ min: 1, max: 65_535 }), unsubscriptions: fc.array(topic, { minLength: 1, maxLength: 5 }) }),
  fc.record({ cmd: fc.constantFrom('pingreq', 'pingresp', 'disconnect') }),
  fc.record({ cmd: fc.constant('connack'), returnCode: fc.nat(5), sessionPresent: fc.boolean() }),
  fc.record({ cmd: fc.constant('suback'), messageId: fc.integer({ min: 1, max: 65_535 }), granted: fc.array(fc.constantFrom(0, 1, 2, 128), { minLength: 1, maxLength: 3 }) }),
).map((p) => {
  try {
    return encode(p);
  } catch {
    return Buffer.from([0xc0, 0x00]);
  }
});
/** Truncated, bit-flipped, length-lied, or raw bytes. */
const mutated = fc.oneof(
  packet,
  fc.tuple(packet, fc.nat()).map(([p, n]) => p.subarray(0, n % Math.max(1, p.length))),
  fc.tuple(packet, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([p, i, v]) => {
    const c = Buffer.from(p);
    c[i % c.length] = v;
    return c;
  }),
  fc.tuple(packet, fc.integer({ min: 0, max: 0x0fffffff })).map(([p, len]) => Buffer.concat([p.subarray(0, 1), Buffer.from([(len & 0x7f) | 0x80, ((len >> 7) & 0x7f) | 0x80, ((len >> 14) & 0x7f) | 0x80, (len >> 21) & 0x7f]), p.subarray(2)])),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.from(a)),
);

async function send(login: boolean, packets: Buffer[]): Promise<void> {
  const c = await rawClient(b.port, '127.0.0.8');
  if (login) {
    c.write(connectPacket(b.creds.north1));
    await c.next('connack', 5_000).catch(() => undefined);
  }
  for (const p of packets) c.write(p);
  await Promise.race([c.closed, new Promise((r) => setTimeout(r, 30))]);
  c.socket.destroy();
}

describe('MQTT packet fuzz (broker in its own process)', () => {
  it('survives malformed and truncated packets of every type before and after login; a good agent keeps flowing', { timeout: 120_000 }, async () => {
    const before = await b.snapshot();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(mutated, { minLength: 1, maxLength: 6 }), async (login, packets) => {
        await send(login, packets);
        runs++;
        expect(b.exited()).toBe(false);
        if (runs % 25 === 0) await goodAgentPublishes();
      }),
      { numRuns: 500 },
    );
    await goodAgentPublishes();
    const after = await b.snapshot();
    console.log(`MQTT fuzz: ${runs} connections; broker RSS ${(before.rss / MiB).toFixed(0)} → ${(after.rss / MiB).toFixed(0)} MiB; packets refused at the door ${after.stats.packetsRefused}; publish denied ${after.stats.publishDenied}, subscribe denied ${after.stats.subscribeDenied}`);
    expect(after.rss - before.rss).toBeLessThan(64 * MiB);
  });
});
