import { describe, expect, it } from 'vitest';
import { createLogger } from '../../contract/index.ts';
import type { LineChunk } from '../storage/line.ts';
import { createTurns } from '../ingest/turns.ts';
import { createDurableLog } from './durable.ts';
import { MemoryWal } from './memory.ts';
import { walEntry } from './wal-suite.ts';

const quiet = createLogger('durable-test', 'fatal');

function setup(maxBytes = 1 << 20, options: { maxGroupWaitMs?: number; now?: () => number } = {}) {
  const wal = new MemoryWal();
  const commits: number[] = [];
  const append = wal.append.bind(wal);
  wal.append = (entries, sequences) => (commits.push(entries.length), append(entries, sequences));
  const queued: LineChunk[] = [];
  const durable = createDurableLog({ wal, target: { write: (c) => queued.push(c) }, maxBytes, log: quiet, ...options });
  return { wal, commits, queued, durable };
}

describe('createDurableLog', () => {
  it('commits messages that arrive together in one append, then queues them with their entry ids', async () => {
    const { wal, commits, queued, durable } = setup();
    const waits = [0, 1, 2].map((seq) => durable.append(walEntry('a', seq), `r${seq}`));
    expect(queued).toEqual([]);
    await Promise.all(waits);
    expect(commits).toEqual([3]);
    expect(queued.map((c) => c.walId)).toEqual(wal.next(10).map((e) => e.id));
    expect(wal.sequences()).toEqual(new Map([['a', 'r2']]));
    await durable.settled();
  });

  it('messages given a loop turn each (as the ingest does) still share one commit', async () => {
    const { commits, durable } = setup();
    const turns = createTurns();
    const waits = [0, 1, 2, 3, 4, 5].map(async (seq) => {
      await turns();
      return durable.append(walEntry('a', seq), `r${seq}`);
    });
    await Promise.all(waits);
    expect(commits).toEqual([6]);
  });

  it('a steady trickle is committed after maxGroupWaitMs, not held for ever', async () => {
    let clock = 0;
    const { commits, durable } = setup(1 << 20, { maxGroupWaitMs: 50, now: () => clock });
    const turns = createTurns();
    const waits = Array.from({ length: 10 }, async (_, seq) => {
      await turns();
      clock += 20; // each message takes 20 ms to decode
      return durable.append(walEntry('a', seq), 'r');
    });
    await Promise.all(waits);
    expect(commits.length).toBeGreaterThan(1);
    expect(Math.max(...commits)).toBeLessThanOrEqual(4);
    expect(commits.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('settled() waits for the commit in progress', async () => {
    const { wal, durable } = setup();
    void durable.append(walEntry('a', 0), 'r');
    await durable.settled();
    expect(wal.stats().entries).toBe(1);
  });

  it('a failed commit rejects every message in it and queues none', async () => {
    const { wal, queued, durable } = setup();
    wal.append = () => {
      throw new Error('disk full');
    };
    const results = await Promise.allSettled([durable.append(walEntry('a', 0), 'r'), durable.append(walEntry('b', 0), 'r')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(queued).toEqual([]);
  });

  it('removes entries once written; over maxBytes, room() waits until they are', async () => {
    const one = Buffer.byteLength(walEntry('a', 0).text);
    const { wal, queued, durable } = setup(one * 2);
    for (let seq = 0; seq < 3; seq++) await durable.append(walEntry('a', seq), 'r');
    const room = durable.room();
    expect(room).toBeInstanceOf(Promise);
    let free = false;
    void room!.then(() => (free = true));
    durable.written(queued.slice(0, 1));
    await Promise.resolve();
    expect(free).toBe(true);
    expect(durable.room()).toBeUndefined();
    durable.written(queued.slice(1));
    expect(wal.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('replay queues what was stored before, oldest first, and not what comes after', async () => {
    const { wal, durable, queued } = setup();
    const ids = wal.append([walEntry('a', 0), walEntry('a', 1, 4)], new Map());
    const replaying = durable.replay();
    void durable.append(walEntry('a', 2), 'r');
    expect(await replaying).toEqual({ entries: 2, points: 6 });
    await durable.settled();
    expect(queued.map((c) => c.walId)).toEqual([...ids, ids[1]! + 1]);
  });
});
