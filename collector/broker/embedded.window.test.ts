import { afterEach, describe, expect, it } from 'vitest';
import { samplesTopic } from '../../contract/index.ts';
import { startTestBroker, until, type TestBroker } from './testing.ts';
import { connectPacket, encode, rawClient } from '../../test/security/mqtt-wire.ts';
import { MAX_IN_INGEST } from './hooks.ts';

let t: TestBroker | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('embedded broker: one agent\'s window of publishes', () => {
  it('hands a window of 20 replayed batches (36 KB each) to the ingest together, so they can share one commit', async () => {
    t = await startTestBroker();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let pending = 0;
    t.hook.onPublish = async () => {
      pending++;
      await held;
    };
    const client = await t.connect(t.creds.north1);
    // aedes reads a connection again only once a read's PUBLISHes are all acknowledged: the read must
    // hold the whole window, not the socket default of 64 KiB (about two such batches).
    const payload = Buffer.alloc(36_000, 'x');
    const acks = Array.from({ length: 20 }, () => client.publishAsync(samplesTopic('north'), payload, { qos: 1 }));
    await until(() => pending >= 15, 5_000);
    release();
    await Promise.all(acks);
    expect(t.published).toHaveLength(20);
  });
});

describe('embedded broker: keepalive while the collector holds an agent\'s packets unread', () => {
  it('keeps a connection whose reads the ingest paused past 1.5 × its keepalive, and acknowledges everything after', async () => {
    t = await startTestBroker();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    t.hook.onPublish = () => held;
    const port = t.broker.port!;
    const raw = await rawClient(port);
    raw.write(connectPacket(t.creds.north1, { keepalive: 1 }));
    await raw.next('connack');
    // One more than the ingest takes at once: the connection's reads are paused with the last one unread.
    const n = MAX_IN_INGEST + 1;
    for (let id = 1; id <= n; id++) raw.write(encode({ cmd: 'publish', topic: samplesTopic('north'), qos: 1, messageId: id, payload: Buffer.from('{}') }));
    // 3 s: twice the 1.5 s aedes allows a silent client (its PINGREQ would sit unread behind the publishes).
    await new Promise((r) => setTimeout(r, 3_000));
    expect(raw.isClosed()).toBe(false);
    release();
    for (let id = 1; id <= n; id++) await raw.next('puback');
    expect(raw.isClosed()).toBe(false);
    raw.socket.destroy();
  });

  it('keeps a connection while the ingest holds even one of its messages past 1.5 × its keepalive', async () => {
    // aedes reads no more of a connection until a read's PUBLISHes are acknowledged: one message held in the
    // ingest (InfluxDB slow, the write-ahead log behind) stops its keepalive as surely as a pause (run 16).
    t = await startTestBroker();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    t.hook.onPublish = () => held;
    const raw = await rawClient(t.broker.port!);
    raw.write(connectPacket(t.creds.north1, { keepalive: 1 }));
    await raw.next('connack');
    raw.write(encode({ cmd: 'publish', topic: samplesTopic('north'), qos: 1, messageId: 1, payload: Buffer.from('{}') }));
    raw.write(encode({ cmd: 'pingreq' }));
    await new Promise((r) => setTimeout(r, 3_000));
    expect(raw.isClosed()).toBe(false);
    release();
    await raw.next('puback');
    await raw.next('pingresp');
    // Done with its messages, a silent client is judged again, from a whole period.
    await Promise.race([raw.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('still open after 5 s')), 5_000))]);
  });

  it('still closes a client that really goes silent: no packet within 1.5 × its keepalive', async () => {
    t = await startTestBroker();
    const raw = await rawClient(t.broker.port!);
    raw.write(connectPacket(t.creds.north1, { keepalive: 1 }));
    await raw.next('connack');
    await Promise.race([raw.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('still open after 5 s')), 5_000))]);
    expect(t.logLines.join('')).toContain('nothing read from it within 1.5');
  });
});
