import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WalEntry, WriteAheadLog } from './wal.ts';

/** Fresh storage for one test; a durable kind reopens the same storage on each open(). */
export interface WalFactory {
  open(): WriteAheadLog;
  cleanup(): void;
}

export const walEntry = (agent: string, seq: number, points = 2): WalEntry => ({
  agent,
  seq,
  points,
  text: Array.from({ length: points }, (_, i) => `ping,device=dev-${i},site=north up=1 ${1_768_000_000_000 + seq}`).join('\n'),
});
const bytesOf = (entries: WalEntry[]) => entries.reduce((n, e) => n + Buffer.byteLength(e.text), 0);

/** The one test suite every WriteAheadLog implementation passes (the mqtt.js IStore habit): call it with a factory. */
export function describeWal(name: string, kind: { durable: boolean; make(): WalFactory }): void {
  describe(`WriteAheadLog contract: ${name}`, () => {
    let factory: WalFactory;
    const logs: WriteAheadLog[] = [];
    const open = () => {
      const wal = factory.open();
      logs.push(wal);
      return wal;
    };
    beforeEach(() => {
      factory = kind.make();
    });
    afterEach(() => {
      logs.splice(0).forEach((l) => l.close());
      factory.cleanup();
    });

    it('gives growing ids and hands entries back oldest first, with their text', () => {
      const wal = open();
      const entries = [walEntry('a', 0), walEntry('b', 7, 3), walEntry('a', 1)];
      const ids = wal.append(entries, new Map());
      expect(ids).toHaveLength(3);
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
      expect(new Set(ids).size).toBe(3);
      expect(wal.next(10)).toEqual(entries.map((e, i) => ({ ...e, id: ids[i] })));
      expect(wal.next(2).map((e) => e.id)).toEqual(ids.slice(0, 2));
      expect(wal.next(10, ids[0]).map((e) => e.id)).toEqual(ids.slice(1));
      expect(wal.stats()).toEqual({ entries: 3, points: 7, bytes: bytesOf(entries), lastId: ids[2] });
    });

    it('removes written entries in any order, ignores unknown ids, and never gives an id twice', () => {
      const wal = open();
      const ids = wal.append([walEntry('a', 0), walEntry('a', 1), walEntry('a', 2)], new Map());
      wal.remove([ids[2]!, ids[0]!, 9_999]);
      wal.remove([ids[2]!]);
      expect(wal.next(10).map((e) => e.seq)).toEqual([1]);
      wal.remove([ids[1]!]);
      expect(wal.stats()).toEqual({ entries: 0, points: 0, bytes: 0, lastId: ids[2] });
      const [again] = wal.append([walEntry('a', 3)], new Map());
      expect(again).toBeGreaterThan(ids[2]!);
    });

    it('keeps the last sequence record of each agent, with or without entries', () => {
      const wal = open();
      wal.append([walEntry('a', 0)], new Map([['a', 'r1']]));
      wal.append([], new Map([['b', 'x']]));
      wal.append([walEntry('a', 1)], new Map([['a', 'r2']]));
      expect(wal.sequences()).toEqual(new Map([['a', 'r2'], ['b', 'x']]));
    });

    it.runIf(kind.durable)('keeps entries, totals, ids and sequence records across close and open', () => {
      const first = open();
      const ids = first.append([walEntry('a', 0), walEntry('a', 1, 5), walEntry('b', 0)], new Map([['a', 'r'], ['b', 's']]));
      first.remove([ids[0]!]);
      const before = { stats: first.stats(), stored: first.next(10), sequences: first.sequences() };
      first.close();
      const again = open();
      expect(again.stats()).toEqual(before.stats);
      expect(again.next(10)).toEqual(before.stored);
      expect(again.sequences()).toEqual(before.sequences);
      again.remove(ids);
      again.close();
      expect(open().append([walEntry('a', 2)], new Map())[0]).toBeGreaterThan(ids[2]!);
    });
  });
}
