import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encode, rawClient, type RawClient } from './mqtt-wire.ts';

/**
 * The raw client's next() against a plain loopback TCP peer that writes MQTT packets on demand. A wait that
 * has ended (answered or timed out) must never take a later packet meant for the next wait: that lost the
 * fuzz test's good agent every PUBACK after its first loss, so a healthy broker looked stuck.
 */
let server: Server | undefined;
let client: RawClient | undefined;
afterEach(() => {
  vi.useRealTimers();
  client?.socket.destroy();
  server?.close();
});

async function peer(): Promise<{ send: (b: Buffer) => Promise<void> }> {
  let accepted!: (s: Socket) => void;
  const sock = new Promise<Socket>((r) => (accepted = r));
  server = createServer((s) => accepted(s));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  client = await rawClient((server.address() as AddressInfo).port);
  const s = await sock;
  const c = client;
  return {
    // Resolves once the bytes have reached the client's socket and its parser has handled them.
    send: (b) =>
      new Promise((r) => {
        c.socket.once('data', () => setImmediate(r));
        s.write(b);
      }),
  };
}

const puback = (messageId: number) => encode({ cmd: 'puback', messageId });

describe('rawClient.next', () => {
  it('a wait answered earlier does not take the next wait\'s packet when its timer fires on the dot', async () => {
    const p = await peer();
    // Timers fire exactly on time under fake timers: the case a busy machine hits by chance.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const first = client!.next('puback', 1_000);
    await p.send(puback(1));
    expect(await first).toMatchObject({ messageId: 1 });
    // The first wait's timer comes due, and a millisecond later.
    vi.advanceTimersByTime(1_000);
    vi.advanceTimersByTime(1);
    await p.send(puback(2));
    const second = client!.next('puback', 1_000);
    const settled = second.then((x) => x, (e: Error) => e);
    vi.advanceTimersByTime(1_001);
    expect(await settled).toMatchObject({ messageId: 2 });
  });

  it('a wait that timed out does not take a later packet', async () => {
    const p = await peer();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const lost = client!.next('puback', 1_000).then(() => 'answered', (e: Error) => e.message);
    vi.advanceTimersByTime(1_000);
    vi.advanceTimersByTime(1);
    expect(await lost).toBe('no puback within 1000 ms');
    await p.send(puback(3));
    const next = client!.next('puback', 1_000).then((x) => x, (e: Error) => e);
    vi.advanceTimersByTime(1_001);
    expect(await next).toMatchObject({ messageId: 3 });
  });

  it('two waits for the same kind each get their own packet, in order', async () => {
    const p = await peer();
    const a = client!.next('puback', 5_000);
    const b = client!.next('puback', 5_000);
    await p.send(Buffer.concat([puback(4), puback(5)]));
    expect([await a, await b]).toMatchObject([{ messageId: 4 }, { messageId: 5 }]);
  });

  it('a wait ends when the connection closes', async () => {
    await peer();
    const w = client!.next('puback', 5_000).then(() => 'answered', (e: Error) => e.message);
    server!.close();
    for (const s of [client!.socket]) s.end();
    expect(await w).toBe('closed before puback');
  });
});
