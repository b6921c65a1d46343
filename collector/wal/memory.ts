import { entryBytes, type StoredWalEntry, type WalEntry, type WalStats, type WriteAheadLog } from './wal.ts';

/** In memory: for unit tests of what sits on top of the log. Durable across nothing. */
export class MemoryWal implements WriteAheadLog {
  private readonly entries = new Map<number, StoredWalEntry>();
  private readonly records = new Map<string, string>();
  private totals = { points: 0, bytes: 0 };
  private lastId = -1;

  append(entries: readonly WalEntry[], sequences: ReadonlyMap<string, string>): number[] {
    const ids = entries.map((entry) => {
      const id = ++this.lastId;
      this.entries.set(id, { ...entry, id });
      this.totals.points += entry.points;
      this.totals.bytes += entryBytes(entry);
      return id;
    });
    for (const [agent, record] of sequences) this.records.set(agent, record);
    return ids;
  }

  remove(ids: readonly number[]): void {
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (!entry) continue;
      this.entries.delete(id);
      this.totals.points -= entry.points;
      this.totals.bytes -= entryBytes(entry);
    }
  }

  next(limit: number, after = -1): StoredWalEntry[] {
    const out: StoredWalEntry[] = [];
    // Map iteration is insertion order, which is id order.
    for (const entry of this.entries.values()) {
      if (out.length >= limit) break;
      if (entry.id > after) out.push({ ...entry });
    }
    return out;
  }

  sequences(): Map<string, string> {
    return new Map(this.records);
  }

  stats(): WalStats {
    return { entries: this.entries.size, ...this.totals, lastId: this.lastId };
  }

  close(): void {}
}
