import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplesTopic } from '../../contract/index.ts';
import { encode } from './mqtt-wire.ts';
import { batchText, goodAgent, loggedIn, startWireRig, type WireRig } from './wire-rig.ts';

/**
 * The QoS flows as an attacker drives them, against the real collector process and influxd. Agents publish at
 * QoS 1 only; QoS 2 would make the broker hold each message in memory until a PUBREL that need never come
 * (aedes keeps up to 1,000 per connection, each up to the largest packet: gigabytes), so a QoS 2 publish is
 * refused with a counted reason before anything is stored. QoS 1 redeliveries (DUP) are stored once, stray
 * PUBRELs change nothing, and 65,535 publishes in flight with the PUBACKs never read neither grow the
 * collector's memory nor slow another school's agent: the sender's reads are throttled to its budget.
 */
const MiB = 2 ** 20;
let rig: WireRig;
let good: Awaited<ReturnType<typeof goodAgent>>;
let address = 20;
const nextAddress = () => `127.0.4.${address++}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  rig = await startWireRig('qos');
  good = await goodAgent(rig);
}, 90_000);
afterAll(async () => {
  good?.client.socket.destroy();
  await rig?.stop();
});

const northPoints = (seq: number) => rig.stored('north', ` AND device = 'd${seq}-0'`);

describe('QoS 2 from an agent', () => {
  it('a QoS 2 publish is refused (no PUBREC, connection closed), counted as publish-denied, and nothing of it stored', async () => {
    const before = await rig.collector.ask('stats');
    const c = await loggedIn(rig.collector.port, rig.creds.north1, nextAddress());
    c.write(encode({ cmd: 'publish', topic: samplesTopic('north'), payload: batchText(rig.creds.north1, 1), qos: 2, messageId: 1 }));
    // The same packet again with DUP, and a PUBREL for it: as a client that saw no PUBREC would.
    c.write(encode({ cmd: 'publish', topic: samplesTopic('north'), payload: batchText(rig.creds.north1, 1), qos: 2, messageId: 1, dup: true }));
    c.write(encode({ cmd: 'pubrel', messageId: 1 }));
    await Promise.race([c.closed, sleep(3_000)]);
    expect(c.isClosed()).toBe(true);
    expect(c.packets.filter((p) => p.cmd === 'pubrec' || p.cmd === 'pubcomp')).toEqual([]);
    const after = await rig.collector.ask('stats');
    expect(after.broker['publishDenied']! - before.broker['publishDenied']!).toBe(1);
    expect(await northPoints(1)).toBe(0);
  });

  it('1,000 QoS 2 publishes never released: refused at the first, memory unchanged', async () => {
    const before = await rig.collector.ask('gc');
    const c = await loggedIn(rig.collector.port, rig.creds.north1, nextAddress());
    const payload = Buffer.alloc(64 * 1024, 0x61);
    for (let id = 1; id <= 1_000 && !c.isClosed(); id++) c.write(encode({ cmd: 'publish', topic: samplesTopic('north'), payload, qos: 2, messageId: id }));
    await Promise.race([c.closed, sleep(3_000)]);
    const after = await rig.collector.ask('gc');
    console.log(`1,000 unreleased QoS 2 publishes of 64 KiB: collector RSS ${(before.rss / MiB).toFixed(0)} → ${(after.rss / MiB).toFixed(0)} MiB, heap ${(before.heapUsed / MiB).toFixed(0)} → ${(after.heapUsed / MiB).toFixed(0)} MiB`);
    expect(c.isClosed()).toBe(true);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(16 * MiB);
    expect(after.rss - before.rss).toBeLessThan(32 * MiB);
    await good.publish();
  });
});

describe('QoS 1 flows', () => {
  it('a redelivery with DUP set (same packet id, same batch) is acknowledged and stored once', async () => {
    const c = await loggedIn(rig.collector.port, rig.creds.north1, nextAddress());
    const payload = batchText(rig.creds.north1, 10);
    c.write(encode({ cmd: 'publish', topic: samplesTopic('north'), payload, qos: 1, messageId: 5 }));
    await c.next('puback');
    for (let i = 0; i < 5; i++) {
      c.write(encode({ cmd: 'publish', topic: samplesTopic('north'), payload, qos: 1, messageId: 5, dup: true }));
      await c.next('puback');
    }
    // And the same batch again under a new packet id, after a reconnect, as a spool replay would send it.
    c.socket.destroy();
    const again = await loggedIn(rig.collector.port, rig.creds.north1, nextAddress());
    again.write(encode({ cmd: 'publish', topic: samplesTopic('north'), payload, qos: 1, messageId: 6 }));
    await again.next('puback');
    again.socket.destroy();
    expect(await northPoints(10)).toBe(1);
  });

  it('PUBREL, PUBREC and PUBCOMP for ids never used change nothing; the connection carries on or is closed, the collector carries on', async () => {
    const c = await loggedIn(rig.collector.port, rig.creds.north1, nextAddress());
    for (let id = 1; id <= 2_000; id++) c.write(encode({ cmd: (['pubrel', 'pubrec', 'pubcomp', 'puback'] as const)[id % 4], messageId: id }));
    await sleep(500);
    if (!c.isClosed()) {
      c.write(encode({ cmd: 'publish', topic: samplesTopic('north'), payload: batchText(rig.creds.north1, 20), qos: 1, messageId: 9 }));
      await c.next('puback');
      expect(await northPoints(20)).toBe(1);
    }
    c.socket.destroy();
    expect(rig.collector.exited()).toBeUndefined();
    await good.publish();
  });

  it("65,535 publishes in flight, PUBACKs never read: the sender is throttled, memory stays bounded, south's PUBACKs stay prompt", async () => {
    const before = await rig.collector.ask('gc');
    const c = await loggedIn(rig.collector.port, rig.creds.north2, nextAddress());
    c.socket.pause(); // never read: the PUBACKs pile up in the kernel, then in the collector's write buffer
    let written = 0;
    const flood = (async () => {
      for (let id = 1; id <= 65_535 && !c.socket.destroyed; id++) {
        const more = c.socket.write(encode({ cmd: 'publish', topic: samplesTopic('north'), payload: batchText(rig.creds.north2, 100_000 + id), qos: 1, messageId: id }));
        written++;
        if (!more) await Promise.race([new Promise((r) => c.socket.once('drain', r)), sleep(200)]);
      }
    })();
    const times: number[] = [];
    const until = Date.now() + 8_000;
    while (Date.now() < until) {
      const t = performance.now();
      await good.publish();
      times.push(performance.now() - t);
      await sleep(50);
    }
    const during = await rig.collector.ask('stats');
    c.socket.destroy();
    await flood;
    const after = await rig.collector.ask('gc');
    times.sort((a, b) => a - b);
    const p99 = times[Math.floor(times.length * 0.99)]!;
    console.log(
      `65,535 QoS 1 publishes unread: ${written} written by the sender in 8 s; collector slowed ${during.broker['publishesSlowed']} acknowledgements; RSS ${(before.rss / MiB).toFixed(0)} → ${(during.rss / MiB).toFixed(0)} (during) → ${(after.rss / MiB).toFixed(0)} MiB; south PUBACK p50 ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms over ${times.length}`,
    );
    expect(during.rss - before.rss).toBeLessThan(96 * MiB);
    expect(after.rss - before.rss).toBeLessThan(64 * MiB);
    // Generous bounds on a shared 2-core machine (the fairness figures belong to broker-flood.test.ts): south is
    // not starved behind north's 65,535, which at north's budget of 100 a second would take 11 minutes.
    expect(times[Math.floor(times.length / 2)]!).toBeLessThan(250);
    expect(p99).toBeLessThan(3_000);
    expect(rig.collector.exited()).toBeUndefined();
    // South's points are all there, and exactly its own.
    expect(await rig.stored('south')).toBe(good.sent());
  }, 40_000);
});

describe('control packets nobody reads the answers to', () => {
  it('PINGREQs as fast as TCP takes them, PINGRESPs never read: the collector closes the connection (more than 64 answered packets in one read) or stops reading until its answers drain; memory bounded', async () => {
    const before = await rig.collector.ask('gc');
    const c = await loggedIn(rig.collector.port, rig.creds.north1, nextAddress());
    c.socket.pause();
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < chunk.length; i += 2) chunk.writeUInt16BE(0xc000, i); // PINGREQ, §3.12
    let written = 0;
    const until = Date.now() + 5_000;
    while (Date.now() < until && !c.socket.destroyed) {
      if (!c.socket.write(chunk)) await Promise.race([new Promise((r) => c.socket.once('drain', r)), sleep(100)]);
      written += chunk.length;
    }
    const during = await rig.collector.ask('gc');
    const closedByCollector = c.socket.destroyed;
    c.socket.destroy();
    console.log(`PINGREQ flood, answers unread: ${(written / 2 / 1e6).toFixed(1)} M PINGREQs offered in 5 s; collector RSS ${(before.rss / MiB).toFixed(0)} → ${(during.rss / MiB).toFixed(0)} MiB, heap ${(before.heapUsed / MiB).toFixed(0)} → ${(during.heapUsed / MiB).toFixed(0)} MiB (after a GC; the connection ${closedByCollector ? 'closed by the collector' : 'still open'})`);
    expect(during.heapUsed - before.heapUsed).toBeLessThan(32 * MiB);
    // Before the collector stopped reading such a client: RSS +192 MiB after a GC (its unsent answers), and growing.
    expect(during.rss - before.rss).toBeLessThan(96 * MiB);
    expect(rig.collector.exited()).toBeUndefined();
    await good.publish();
  }, 30_000);
});
