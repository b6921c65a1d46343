import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createLogger, encodeMessage, samplesTopic } from '../../contract/index.ts';
import type { Lane } from '../storage/lane.ts';
import type { LineChunk } from '../storage/line.ts';
import { createDurableLog } from '../wal/durable.ts';
import { MemoryWal } from '../wal/memory.ts';
import { createIngest } from './ingest.ts';
import { T0, batch, sample } from './test-batches.ts';

/**
 * The ingest's side of the live lane: a message waits only for its own lane's room, and never ahead of an
 * earlier message of the same agent (acknowledgements in the agent's order, with and without the log).
 */
const log = createLogger('ingest-lanes-test', 'fatal');
const NOW = T0 + 3_600_000;
const ids = { a: { agent: 'north-1', site: 'north-primary' }, b: { agent: 'south-1', site: 'south-academy' } };
type Who = keyof typeof ids;

/** A writer whose backlog lane has no room until `free()`; live always has. */
function heldWriter() {
  const written: LineChunk[] = [];
  const waiting: (() => void)[] = [];
  let held = true;
  const writer = {
    write: (c: LineChunk) => void written.push(c),
    room: (lane: Lane = 'live') => (lane === 'backlog' && held ? new Promise<void>((resolve) => void waiting.push(resolve)) : undefined),
  };
  return { writer, written, free: () => ((held = false), waiting.splice(0).forEach((resolve) => resolve())) };
}

function message(who: Who, seq: number, ageMs: number) {
  const { agent, site } = ids[who];
  const at = NOW - ageMs;
  return { topic: samplesTopic(site), payload: encodeMessage(batch({ agent, site, seq, sentAt: at + 500, samples: [sample({ time: at, fields: { up: seq } })] })), identity: ids[who] };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('ingest lanes', () => {
  for (const durable of [false, true]) {
    it(`a live message waits for nothing but an earlier message of its own agent (${durable ? 'with' : 'without'} the write-ahead log)`, async () => {
      const { writer, written, free } = heldWriter();
      const wal = new MemoryWal();
      const ingest = createIngest({
        writer,
        log,
        now: () => NOW,
        ...(durable ? { durable: createDurableLog({ wal, target: writer, maxBytes: 1 << 20, log }) } : {}),
      });
      const acked: string[] = [];
      const send = (who: Who, seq: number, ageMs: number) => {
        const m = message(who, seq, ageMs);
        return ingest.handle(m.topic, m.payload, m.identity).then(() => void acked.push(`${who}${seq}`));
      };
      // Agent a: an hour-old spool batch, then a fresh one; agent b: fresh only.
      const all = [send('a', 0, 3_600_000), send('a', 1, 1_000), send('b', 0, 1_000), send('b', 1, 119_000)];
      for (let waited = 0; waited < 5_000 && acked.length < 2; waited += 10) await tick();
      await tick();
      expect(acked).toEqual(['b0', 'b1']);
      expect(written.map((c) => c.lane)).toEqual(['live', 'live']);
      free();
      await Promise.all(all);
      expect(acked).toEqual(['b0', 'b1', 'a0', 'a1']);
      expect(written.map((c) => c.lane)).toEqual(['live', 'live', 'backlog', 'live']);
      expect(ingest.stats().acceptedBatches).toBe(4);
    });
  }

  it("property: whatever the ages and arrival order, each agent's messages are acknowledged in its own order, and live never waits for a held backlog of another agent", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ who: fc.constantFrom<Who>('a', 'b'), old: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        async (plan) => {
          const { writer, free } = heldWriter();
          const ingest = createIngest({ writer, log, now: () => NOW, durable: createDurableLog({ wal: new MemoryWal(), target: writer, maxBytes: 1 << 20, log }) });
          const acked: { who: Who; seq: number }[] = [];
          const seqs = { a: 0, b: 0 };
          const all = plan.map(({ who, old }) => {
            const seq = seqs[who]++;
            const m = message(who, seq, old ? 600_000 : 0);
            return ingest.handle(m.topic, m.payload, m.identity).then(() => void acked.push({ who, seq }));
          });
          // Before the backlog has room: exactly each agent's messages before its first old one.
          const expected = (who: Who) => {
            const mine = plan.filter((p) => p.who === who);
            const firstOld = mine.findIndex((p) => p.old);
            return firstOld === -1 ? mine.length : firstOld;
          };
          const ackedOf = (who: Who) => acked.filter((x) => x.who === who).length;
          // Generous for a loaded machine: group commits take a few loop turns.
          for (let waited = 0; waited < 5_000 && (ackedOf('a') < expected('a') || ackedOf('b') < expected('b')); waited += 10) await tick();
          await tick();
          for (const who of ['a', 'b'] as const) expect(ackedOf(who)).toBe(expected(who));
          free();
          await Promise.all(all);
          for (const who of ['a', 'b'] as const) {
            const order = acked.filter((x) => x.who === who).map((x) => x.seq);
            expect(order).toEqual([...order].sort((x, y) => x - y));
            expect(order).toHaveLength(seqs[who]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('a message waiting for room', () => {
  it('holds its payload, not its decoded samples; with room it is stored exactly as sent', async () => {
    // A full collection on demand, so the heap measured is what is live.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { writer, written, free } = heldWriter();
    const ingest = createIngest({ writer, log, now: () => NOW });
    // 200 schools replaying one 500-sample batch each (the backlog lane, held): 100,000 samples waiting.
    const schools = 200;
    const perBatch = 500;
    const messages = Array.from({ length: schools }, (_, i) => {
      const identity = { agent: `agent-${i}`, site: `school-${i}` };
      const at = NOW - 3_600_000;
      const samples = Array.from({ length: perBatch }, (_, k) =>
        sample({ measurement: 'interface', tags: { device: `sw-${k % 8}`, role: 'access-switch', if_name: `Gi1/0/${k}` }, fields: { in_octets: i * perBatch + k, out_octets: k, oper_up: 1 }, time: at }),
      );
      // As the broker hands it over: bytes, not a string.
      return { topic: samplesTopic(identity.site), payload: Buffer.from(encodeMessage(batch({ agent: identity.agent, site: identity.site, seq: 0, sentAt: at + 500, samples }))), identity };
    });
    gc();
    const before = process.memoryUsage().heapUsed;
    const all = messages.map((m) => ingest.handle(m.topic, m.payload, m.identity));
    for (let i = 0; i < 20; i++) await tick();
    gc();
    const waitingBytesPerSample = (process.memoryUsage().heapUsed - before) / (schools * perBatch);
    expect(written).toHaveLength(0);
    // Measured: decoded and waiting, ~111 bytes of heap a sample of this shape; with the payload only, ~5.
    expect(waitingBytesPerSample).toBeLessThan(30);
    free();
    await Promise.all(all);
    const lines = written.flatMap((c) => c.text.split('\n'));
    expect(lines).toHaveLength(schools * perBatch);
    expect(written.every((c) => c.lane === 'backlog')).toBe(true);
    for (const i of [0, 117, 199]) {
      const mine = lines.filter((l) => l.includes(`,site=school-${i} `));
      expect(mine).toHaveLength(perBatch);
      expect(mine.filter((l) => l.includes(` in_octets=${i * perBatch + 499},out_octets=499,oper_up=1 ${NOW - 3_600_000}`))).toHaveLength(1);
    }
    expect(ingest.stats().acceptedSamples).toBe(schools * perBatch);
  });
});

describe('write-ahead log room per lane', () => {
  it('backlog waits above maxBytes less the live reserve; live only above maxBytes; both freed as InfluxDB takes entries', async () => {
    const queued: LineChunk[] = [];
    const wal = new MemoryWal();
    const entry = (seq: number) => ({ agent: 'a', seq, points: 1, text: `m,site=s v=${seq} ${T0 + seq}`.padEnd(100, ' ') });
    const one = Buffer.byteLength(entry(0).text);
    const durable = createDurableLog({ wal, target: { write: (c) => void queued.push(c) }, maxBytes: one * 8, liveReserveBytes: one * 2, log });
    for (let seq = 0; seq < 7; seq++) await durable.append({ ...entry(seq), lane: 'backlog' }, 'r');
    // 7 entries: over the backlog's 6, within live's 8.
    const backlogRoom = durable.room('backlog');
    expect(backlogRoom).toBeInstanceOf(Promise);
    expect(durable.room('live')).toBeUndefined();
    for (let seq = 7; seq < 9; seq++) await durable.append({ ...entry(seq), lane: 'live' }, 'r');
    const liveRoom = durable.room('live');
    expect(liveRoom).toBeInstanceOf(Promise);
    expect(queued.map((c) => c.lane)).toEqual([...Array(7).fill('backlog'), 'live', 'live']);
    const freed: string[] = [];
    void backlogRoom!.then(() => freed.push('backlog'));
    void liveRoom!.then(() => freed.push('live'));
    durable.written(queued.slice(0, 1));
    await tick();
    expect(freed).toEqual(['live']);
    durable.written(queued.slice(1, 3));
    await tick();
    expect(freed).toEqual(['live', 'backlog']);
  });

  it('replays its entries at start in the backlog lane', async () => {
    const wal = new MemoryWal();
    wal.append([{ agent: 'a', seq: 0, points: 1, text: `m v=1 ${T0}` }], new Map());
    const queued: LineChunk[] = [];
    const lanes: (Lane | undefined)[] = [];
    const durable = createDurableLog({ wal, target: { write: (c) => void queued.push(c), room: (lane) => void lanes.push(lane) }, maxBytes: 1 << 20, log });
    await durable.replay();
    expect(queued.map((c) => c.lane)).toEqual(['backlog']);
    expect(lanes).toEqual(['backlog']);
  });
});
