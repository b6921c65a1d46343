/**
 * A small bounded pool for the month's reports of every school: one school's InfluxDB queries (one per
 * device and month) overlap another's rendering. Bounded, since more in flight only queue inside InfluxDB
 * and hold more reports in memory at once.
 */

/** What became of one item: its value, or the error that stopped it (the others go on). */
export type Outcome<T, R> = { item: T; ok: true; value: R } | { item: T; ok: false; error: unknown };

/** Admission beyond the fixed bound (pace/pacer.ts narrows it while InfluxDB's writes are slow). */
export interface Gate {
  acquire(): Promise<void>;
  release(): void;
}

/**
 * Runs `work` over `items` with at most `concurrency` in flight, and each start admitted by `gate` if
 * given; outcomes in the items' order. An item's failure is recorded, never thrown, so one school's broken
 * data does not stop the other 999 reports.
 */
export async function eachBounded<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>, gate?: Gate): Promise<Outcome<T, R>[]> {
  const out: Outcome<T, R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      await gate?.acquire();
      // Another worker may have taken the last item while this one waited at the gate.
      if (next >= items.length) {
        gate?.release();
        break;
      }
      const i = next++;
      const item = items[i]!;
      try {
        out[i] = { item, ok: true, value: await work(item) };
      } catch (error) {
        out[i] = { item, ok: false, error };
      } finally {
        gate?.release();
      }
    }
  };
  const width = Math.max(1, Math.min(Math.floor(concurrency), items.length));
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}
