/**
 * Loaded into the collector child with `--import` when the flood test wants to know why an acknowledgement
 * was slow: it writes one JSON line per event to the file named by HM_STALL_PROBE, with the wall-clock time
 * the event ended (`at`, ms) and how long it took (`ms`).
 * - `loop`: the event loop did not run for `ms` (a 10 ms timer came late), with the CPU this process used
 *   meanwhile (`cpuMs`): about `ms` means our own synchronous work; about 0 means the process was not on a
 *   core (the machine's other load) or was blocked in a system call.
 * - `gc`: a garbage collection of `ms` (PerformanceObserver), with its kind.
 * - `wal`: one write-ahead-log commit (SQLite, synchronous, fsynced on this thread) or removal of `ms`.
 * Only events of at least MIN_MS are written, so the file stays small under a flood.
 */
import { appendFileSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { SqliteWal } from '../../collector/wal/sqlite.ts';

const file = process.env.HM_STALL_PROBE;
const MIN_MS = Number(process.env.HM_STALL_PROBE_MIN_MS ?? 30);
const TICK_MS = 10;

if (file) {
  const record = (event: Record<string, unknown>): void => appendFileSync(file, `${JSON.stringify(event)}\n`);

  let last = performance.now();
  let cpu = process.cpuUsage();
  setInterval(() => {
    const t = performance.now();
    const used = process.cpuUsage(cpu);
    const gap = t - last - TICK_MS;
    if (gap >= MIN_MS) record({ kind: 'loop', at: Date.now(), ms: Math.round(gap), cpuMs: Math.round((used.user + used.system) / 1_000) });
    last = t;
    cpu = process.cpuUsage();
  }, TICK_MS).unref();

  const GC_KINDS: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration < MIN_MS / 3) continue;
      const kind = ((e as unknown as { detail?: { kind?: number } }).detail)?.kind;
      record({ kind: 'gc', at: Math.round(performance.timeOrigin + e.startTime + e.duration), ms: Math.round(e.duration), gc: GC_KINDS[kind ?? -1] ?? kind });
    }
  }).observe({ entryTypes: ['gc'] });

  // appendUnsynced is the collector's commit now (its fsync runs off the loop): timed as an append.
  for (const method of ['append', 'appendUnsynced', 'remove'] as const) {
    const original = SqliteWal.prototype[method] as (...args: unknown[]) => unknown;
    (SqliteWal.prototype as unknown as Record<string, unknown>)[method] = function timed(this: SqliteWal, ...args: unknown[]) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const ms = performance.now() - started;
        if (ms >= MIN_MS / 3) record({ kind: 'wal', op: method === 'appendUnsynced' ? 'append' : method, at: Date.now(), ms: Math.round(ms), entries: (args[0] as unknown[]).length });
      }
    };
  }
}
