import { createServer, type AddressInfo } from 'node:net';
import { Aedes, type Client } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, decodeMessage, samplesBatchSchema, type Sample } from '../../contract/index.ts';
import { waitFor } from '../../test/harness/index.ts';
import { systemClock } from '../../contract/clock.ts';
import { MemorySpool } from '../spool/memory.ts';
import { Link } from './link.ts';
import { Outbox } from './outbox.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * A broker that records which connection carried which samples seq, and can leave publishes without
 * a PUBACK (its authorizePublish hook never answers), like one that dies before acknowledging.
 */
async function broker() {
  const received: { connection: number; seq: number }[] = [];
  const connections = new Map<Client, number>();
  const state = { withholdAcks: false };
  const aedes = await Aedes.createBroker({
    authorizePublish: (client, packet, done) => {
      if (!packet.topic.endsWith('/samples')) return done(null);
      const batch = decodeMessage(samplesBatchSchema, packet.payload as Buffer);
      if (batch.ok && client) received.push({ connection: connections.get(client) ?? -1, seq: batch.value.seq });
      if (!state.withholdAcks) done(null);
    },
  });
  aedes.on('client', (client) => connections.set(client, connections.size));
  const server = createServer(aedes.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => {
    server.close();
    await new Promise<void>((r) => aedes.close(() => r()));
  });
  return { aedes, received, connections, state, url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('Link with the outbox', () => {
  it('a batch without PUBACK before a disconnect is sent once more after the reconnect, from the spool', async () => {
    const b = await broker();
    const log = createLogger('test', 'silent');
    const spool = new MemorySpool({ maxBytes: 1 << 30, maxAgeMs: 86_400_000 });
    const outbox: Outbox = new Outbox({ agent: 'west-1', site: 'west', spool, clock: systemClock, log, maxInFlight: 20, publish: (p, d) => link.publishBatch(p, d) });
    const link: Link = new Link({
      url: b.url, agent: 'west-1', site: 'west', username: 'west-1', password: 'x', version: 'test', startedAt: Date.now(), clock: systemClock, log,
      onConfig: () => {}, configRevision: () => undefined, onConnect: () => outbox.connected(), onClose: () => outbox.disconnected(),
    });
    closers.unshift(() => link.close(500));
    await waitFor(() => link.connected, { timeoutMs: 5_000, what: 'first connection' });

    b.state.withholdAcks = true;
    const sample = (i: number): Sample => ({ measurement: 'ping', tags: { device: 'gw' }, fields: { up: 1 }, time: Date.now() + i });
    for (let i = 0; i < 5; i++) outbox.add([sample(i)]);
    await waitFor(() => b.received.length === 5, { timeoutMs: 5_000, what: 'five batches at the broker, none acknowledged' });
    expect(outbox.inFlightCount).toBe(5);

    b.state.withholdAcks = false;
    const [first] = [...b.connections.keys()];
    first!.close();
    await waitFor(() => spool.stats().batches === 0, { timeoutMs: 10_000, what: 'every batch acknowledged after the reconnect' });
    expect(b.received.filter((r) => r.connection === 0).map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
    // Resent by the outbox from the spool, once each, oldest first; not by mqtt.js from its memory.
    expect(b.received.filter((r) => r.connection === 1).map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(outbox.stats).toMatchObject({ batchesSent: 10, batchesResent: 5, batchesAcked: 5 });
  });
});
