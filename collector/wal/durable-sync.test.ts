import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../contract/index.ts';
import type { LineChunk } from '../storage/line.ts';
import { createDurableLog } from './durable.ts';
import { MemoryWal } from './memory.ts';
import { SqliteWal } from './sqlite.ts';
import { walEntry } from './wal-suite.ts';

const quiet = createLogger('durable-sync-test', 'fatal');

/** A log whose fsync the test finishes by hand: sync() calls wait in `pending` until released. */
function syncedByHand() {
  const wal = new MemoryWal() as MemoryWal & { appendUnsynced: MemoryWal['append']; sync: () => Promise<void> };
  const pending: { resolve: () => void; reject: (err: Error) => void; committedBefore: number }[] = [];
  let commits = 0;
  wal.appendUnsynced = (entries, sequences) => (commits++, wal.append(entries, sequences));
  wal.sync = () => new Promise((resolve, reject) => pending.push({ resolve, reject, committedBefore: commits }));
  const queued: LineChunk[] = [];
  const durable = createDurableLog({ wal, target: { write: (c) => queued.push(c) }, maxBytes: 1 << 20, log: quiet });
  return { wal, durable, queued, pending, commits: () => commits };
}

const flush = () => new Promise((r) => setImmediate(r));
const state = (p: Promise<unknown>) => {
  const s = { value: 'pending' as 'pending' | 'resolved' | 'rejected' };
  p.then(() => (s.value = 'resolved'), () => (s.value = 'rejected'));
  return s;
};

describe('createDurableLog with an fsync off the event loop', () => {
  it('queues a committed group to InfluxDB at once, and acknowledges it only when its fsync returns', async () => {
    const { durable, queued, pending } = syncedByHand();
    const a = state(durable.append(walEntry('a', 0), 'r0'));
    const b = state(durable.append(walEntry('b', 0), 'r0'));
    await flush();
    await flush();
    expect(queued).toHaveLength(2);
    expect(pending).toHaveLength(1);
    expect([a.value, b.value]).toEqual(['pending', 'pending']);
    pending[0]!.resolve();
    await flush();
    expect([a.value, b.value]).toEqual(['resolved', 'resolved']);
  });

  it('a failed fsync rejects every message of its group (no PUBACK), and not those of a later group that synced', async () => {
    const { durable, pending } = syncedByHand();
    const first = state(durable.append(walEntry('a', 0), 'r0'));
    await flush();
    await flush();
    const second = state(durable.append(walEntry('a', 1), 'r1'));
    await flush();
    await flush();
    expect(pending).toHaveLength(2);
    pending[0]!.reject(new Error('EIO'));
    pending[1]!.resolve();
    await flush();
    expect([first.value, second.value]).toEqual(['rejected', 'resolved']);
  });

  it('acknowledges groups in commit order even when a later fsync returns first (an agent\'s batches are handed on oldest first)', async () => {
    const { durable, pending } = syncedByHand();
    const order: string[] = [];
    const first = durable.append(walEntry('a', 0), 'r0').then(() => order.push('first'));
    await flush();
    await flush();
    const second = durable.append(walEntry('a', 1), 'r1').then(() => order.push('second'));
    await flush();
    await flush();
    expect(pending).toHaveLength(2);
    pending[1]!.resolve();
    await flush();
    await flush();
    // The later group's own fsync is done, but the earlier one is not: it waits.
    expect(order).toEqual([]);
    pending[0]!.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
  });

  it('settled() (a redelivery of a message still syncing) waits for that fsync, and is at once free when none is running', async () => {
    const { durable, pending } = syncedByHand();
    void durable.append(walEntry('a', 0), 'r0');
    await flush();
    await flush();
    expect(pending).toHaveLength(1);
    const redelivery = state(durable.settled());
    await flush();
    expect(redelivery.value).toBe('pending');
    pending[0]!.resolve();
    await flush();
    expect(redelivery.value).toBe('resolved');
    const after = state(durable.settled());
    await flush();
    expect(after.value).toBe('resolved');
  });

  it('whatever order the fsyncs return in, a message is acknowledged only after an fsync begun after its commit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), async (groups, order) => {
        const { durable, pending, commits } = syncedByHand();
        const acks: { commitNo: number; ack?: number }[] = [];
        const doneSyncs: number[] = []; // committedBefore of each released sync, in release order
        for (let g = 0; g < groups.length; g++) {
          for (let m = 0; m < groups[g]!; m++) {
            const entry = { commitNo: g + 1, ack: undefined as number | undefined };
            acks.push(entry);
            void durable.append(walEntry(`s${g}`, m), 'r').then(() => (entry.ack = Math.max(...doneSyncs)));
          }
          await flush();
          await flush();
        }
        expect(commits()).toBe(groups.length);
        // Release the fsyncs in the generated order (the rest in order).
        const left = [...pending];
        for (const k of order) {
          if (left.length === 0) break;
          const [p] = left.splice(k % left.length, 1);
          doneSyncs.push(p!.committedBefore);
          p!.resolve();
          await flush();
        }
        for (const p of left) {
          doneSyncs.push(p.committedBefore);
          p.resolve();
          await flush();
        }
        for (const a of acks) {
          expect(a.ack).toBeDefined();
          expect(a.ack!).toBeGreaterThanOrEqual(a.commitNo);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('SqliteWal.appendUnsynced and sync', () => {
  it('a commit without its fsync is stored like append()’s once synced, and sync() works with and without a -wal file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hm-wal-sync-'));
    try {
      const file = join(dir, 'wal.db');
      const wal = new SqliteWal(file);
      const ids = wal.appendUnsynced([walEntry('a', 0), walEntry('a', 1, 3)], new Map([['a', 'rec-1']]));
      await wal.sync();
      expect(wal.next(10).map((e) => e.id)).toEqual(ids);
      wal.close();
      // Closing the last connection checkpoints and removes the -wal file: sync() then syncs the database.
      await wal.sync();
      const again = new SqliteWal(file);
      expect(again.next(10).map((e) => [e.agent, e.seq, e.points])).toEqual([['a', 0, 2], ['a', 1, 3]]);
      expect(again.sequences()).toEqual(new Map([['a', 'rec-1']]));
      expect(again.stats()).toMatchObject({ entries: 2, points: 5 });
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a sync of a log whose folder is gone fails (so the group is not acknowledged)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hm-wal-sync-'));
    const wal = new SqliteWal(join(dir, 'wal.db'));
    wal.close();
    rmSync(dir, { recursive: true, force: true });
    await expect(wal.sync()).rejects.toThrow(/ENOENT/);
  });
});
