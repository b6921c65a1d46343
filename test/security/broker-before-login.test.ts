import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPacket, encode, rawClient, startBrokerChild, type BrokerChild } from './mqtt-wire.ts';

/**
 * Issue 11 item 5 (a CONNECT declaring 200 MB was buffered whole before authentication) and the idle-socket
 * part of item 6 (22,000 sockets that never log in took every descriptor). The broker runs in its own
 * process so its RSS and descriptors are its own.
 */
let b: BrokerChild;
const MiB = 2 ** 20;

beforeAll(async () => {
  b = await startBrokerChild({ connections: { maxUnauthenticated: 200, maxUnauthenticatedPerAddress: 16, connectBurst: 40, connectPerSecond: 20 } });
});
afterAll(() => b?.stop());

/** Declares `declared` bytes of CONNECT, then streams `send` bytes of body as fast as the socket takes them. */
function hugeConnect(port: number, declared: number, send: number, localAddress: string): Promise<{ written: number }> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let written = 0;
    const chunk = Buffer.alloc(256 * 1024, 0x41);
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ written }));
    socket.on('connect', () => {
      // Fixed header: CONNECT (0x10) and the remaining length in four bytes (§2.2.3).
      const len = [declared & 0x7f | 0x80, (declared >> 7) & 0x7f | 0x80, (declared >> 14) & 0x7f | 0x80, (declared >> 21) & 0x7f];
      socket.write(Buffer.from([0x10, ...len]));
      const pump = () => {
        while (written < send && !socket.destroyed) {
          written += chunk.length;
          if (!socket.write(chunk)) return socket.once('drain', pump);
        }
        if (written >= send) setTimeout(() => socket.destroy(), 2_000);
      };
      pump();
    });
  });
}

describe('before login, the broker holds no more than a CONNECT\'s worth per connection', () => {
  it('five CONNECTs declaring 200 MB are closed at their header; the broker\'s RSS barely moves', async () => {
    const before = await b.snapshot();
    const sent = await Promise.all([1, 2, 3, 4, 5].map((i) => hugeConnect(b.port, 200 * MiB, 40 * MiB, `127.0.0.${10 + i}`)));
    const after = await b.snapshot();
    console.log(`5 × CONNECT declaring 200 MB: broker RSS ${(before.rss / MiB).toFixed(0)} → ${(after.rss / MiB).toFixed(0)} MiB; client wrote ${sent.map((s) => (s.written / MiB).toFixed(1)).join(', ')} MiB before the close`);
    expect(b.exited()).toBe(false);
    expect(after.stats.packetsRefused - before.stats.packetsRefused).toBe(5);
    expect(after.rss - before.rss).toBeLessThan(32 * MiB);
    // Closed long before the body was sent (the kernel's socket buffers take a few MiB at most).
    for (const s of sent) expect(s.written).toBeLessThan(20 * MiB);
  });

  it('a CONNECT of just under 64 KiB is read and answered (refused for its password), one just over is closed unanswered', async () => {
    const { north1 } = b.creds;
    const under = await rawClient(b.port);
    under.write(connectPacket({ ...north1, password: 'x'.repeat(60_000) }));
    expect(await under.next('connack')).toMatchObject({ returnCode: 4 });
    const over = await rawClient(b.port);
    over.write(connectPacket({ ...north1, password: 'x'.repeat(66_000) }));
    await over.closed;
    expect(over.packets).toEqual([]);
  });

  it('the first packet must be a CONNECT [MQTT-3.1.0-1]; a reserved type or a five-byte length closes at once', async () => {
    for (const bytes of [
      encode({ cmd: 'publish', topic: 'hallmonitor/v1/north/samples', payload: 'x', qos: 0 }),
      encode({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 0 }] }),
      Buffer.from([0x00, 0x00]),
      Buffer.from([0xf0, 0x00]),
      Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]),
    ]) {
      const c = await rawClient(b.port);
      c.write(bytes);
      await c.closed;
      expect(c.packets).toEqual([]);
    }
    expect(b.exited()).toBe(false);
  });

  it('2,000 idle sockets from 100 addresses hold at most the before-login pool; an agent still logs in and publishes', async () => {
    const sockets: Socket[] = [];
    for (let a = 0; a < 100; a++) {
      for (let i = 0; i < 20; i++) {
        const s = connect({ port: b.port, host: '127.0.0.1', localAddress: `127.0.1.${a + 1}` });
        s.on('error', () => undefined);
        sockets.push(s);
      }
    }
    await new Promise((r) => setTimeout(r, 1_500));
    const held = (await b.snapshot()).stats;
    const descriptors = readdirSync(`/proc/${b.child.pid}/fd`).length;
    console.log(`2,000 idle sockets from 100 addresses: broker holds ${held.total} connections (${held.unauthenticated} before login), ${descriptors} descriptors; refused or evicted ${held.connectionsRefused}`);
    expect(held.total).toBeLessThanOrEqual(200);
    expect(descriptors).toBeLessThan(200 + 100);
    const agent = await rawClient(b.port);
    agent.write(connectPacket(b.creds.south1));
    expect(await agent.next('connack')).toMatchObject({ returnCode: 0 });
    // Logged in, the agent no longer counts against the pool: another wave of strangers cannot evict it.
    for (let i = 0; i < 300; i++) {
      const s = connect({ port: b.port, host: '127.0.0.1', localAddress: `127.0.2.${(i % 100) + 1}` });
      s.on('error', () => undefined);
      sockets.push(s);
    }
    await new Promise((r) => setTimeout(r, 500));
    agent.write(encode({ cmd: 'publish', topic: 'hallmonitor/v1/south/samples', payload: '{}', qos: 1, messageId: 7 }));
    expect(await agent.next('puback')).toMatchObject({ messageId: 7 });
    for (const s of sockets) s.destroy();
    agent.socket.destroy();
  });
});
