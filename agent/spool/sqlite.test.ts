import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { WIRE_VERSION } from '../../contract/index.ts';
import { SqliteSpool } from './sqlite.ts';
import { describeSpool } from './spool-suite.ts';

describeSpool('SqliteSpool', {
  durable: true,
  make: () => {
    const dir = mkdtempSync(join(tmpdir(), 'hm-spool-'));
    return {
      open: (limits, firstSeq) => new SqliteSpool(join(dir, 'spool.db'), limits, firstSeq),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});

describe('SqliteSpool acknowledgements', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const T0 = Date.UTC(2026, 2, 3, 9, 0, 0);
  const limits = { maxBytes: 1 << 30, maxAgeMs: 86_400_000 };
  const fill = (n: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'hm-spool-ack-'));
    dirs.push(dir);
    const file = join(dir, 'spool.db');
    const spool = new SqliteSpool(file, limits);
    for (let i = 0; i < n; i++) {
      spool.append({ v: WIRE_VERSION, agent: 'north-1', site: 'north', sentAt: T0 + i, samples: [{ measurement: 'ping', tags: { device: 'gw' }, fields: { up: 1 }, time: T0 + i }] });
    }
    /** What another process (the agent after a crash) would find in the file now. */
    const onDisk = () => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare<[], { seq: number }>('SELECT seq FROM batches ORDER BY seq').all().map((r) => r.seq);
      } finally {
        db.close();
      }
    };
    return { spool, onDisk, file };
  };

  it('forgets acknowledged batches at once and deletes them from the file together at the end of the turn', async () => {
    const { spool, onDisk } = fill(5);
    expect([spool.ack(0), spool.ack(2), spool.ack(2)]).toEqual([true, true, false]);
    expect(spool.next(10).map((b) => b.seq)).toEqual([1, 3, 4]);
    expect(spool.next(1).map((b) => b.seq)).toEqual([1]);
    expect(spool.stats()).toMatchObject({ batches: 3, samples: 3 });
    // Acknowledged, not yet deleted: an agent dying now would send 0 and 2 again (the collector drops them).
    expect(onDisk()).toEqual([0, 1, 2, 3, 4]);
    await nextTurn();
    expect(onDisk()).toEqual([1, 3, 4]);
    spool.close();
  });

  it('an acknowledgement left over when the agent stops is sent again after the restart', () => {
    const { spool, file } = fill(3);
    spool.ack(0);
    // A second handle on the file, as the restarted agent after a kill -9 before the turn ended.
    const again = new SqliteSpool(file, limits);
    expect(again.next(10).map((b) => b.seq)).toEqual([0, 1, 2]);
    again.close();
    spool.close();
  });

  it('an append in the same turn deletes the acknowledged batches in its own commit; close deletes the rest', () => {
    const { spool, onDisk, file } = fill(3);
    spool.ack(0);
    spool.append({ v: WIRE_VERSION, agent: 'north-1', site: 'north', sentAt: T0 + 9, samples: [] });
    expect(onDisk()).toEqual([1, 2, 3]);
    spool.ack(1);
    spool.close();
    expect(onDisk()).toEqual([2, 3]);
    const again = new SqliteSpool(file, limits);
    expect(again.stats()).toMatchObject({ batches: 2, nextSeq: 4 });
    again.close();
  });
});
