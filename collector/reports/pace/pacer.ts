import type { Logger } from '../../../contract/index.ts';
import { nextWidth, writeHealth, type PaceLimits, type WriteCounters, type WriteHealth } from './width.ts';

export interface PacerOptions extends PaceLimits {
  /** Reads InfluxDB's write counters (write-counters.ts); a failure turns pacing off for the run. */
  read(): Promise<WriteCounters>;
  /** Between readings. */
  intervalMs: number;
  log: Logger;
}

export interface Pacer {
  /** Resolves when one more school may start; pair each with one release() when it is made. */
  acquire(): Promise<void>;
  release(): void;
  /** The width now. */
  width(): number;
  /** The run's pacing in figures, for its last line. */
  summary(): { narrowest: number; slowIntervals: number; intervals: number; pacing: boolean };
  stop(): void;
}

/**
 * Keeps the width (width.ts) up to date from InfluxDB's counters, read every `intervalMs` while reports
 * are made. Starts at the full width; with no counters (an InfluxDB that does not serve them, or forbids
 * them) it stays there, as before pacing, and says so once.
 */
export async function startPacer(o: PacerOptions): Promise<Pacer> {
  let width = Math.max(1, Math.floor(o.max));
  let narrowest = width;
  let slowIntervals = 0;
  let intervals = 0;
  let stopped = false;
  let running = 0;
  const waiters: (() => void)[] = [];
  const wakeAll = () => {
    for (const w of waiters.splice(0)) w();
  };

  let last: WriteCounters | undefined;
  try {
    last = await o.read();
  } catch (err) {
    o.log.warn({ err: (err as Error).message }, 'reports: cannot read InfluxDB\'s write counters; schools are made without pacing');
  }

  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (stopped || last === undefined) return;
    let health: WriteHealth;
    let err: string | undefined;
    try {
      const now = await o.read();
      health = writeHealth(last, now, o);
      last = now;
    } catch (e) {
      // One unreadable interval (influxd busy past the timeout) counts as slow writes: that is what it means.
      health = { state: 'slow' };
      err = (e as Error).message;
    }
    intervals++;
    if (health.state === 'slow') slowIntervals++;
    const next = nextWidth(width, health, o);
    if (next !== width) {
      const meanWriteMs = health.meanMs === undefined ? undefined : Math.round(health.meanMs);
      o.log.info({ width: next, was: width, meanWriteMs, writes: health.state, err }, 'reports: schools at once changed with InfluxDB\'s write time');
      width = next;
      narrowest = Math.min(narrowest, width);
      wakeAll();
    }
    if (!stopped) timer = setTimeout(() => void tick(), o.intervalMs);
  };
  if (last !== undefined) timer = setTimeout(() => void tick(), o.intervalMs);

  return {
    async acquire() {
      while (!stopped && running >= width) await new Promise<void>((resolve) => waiters.push(resolve));
      running++;
    },
    release() {
      running--;
      wakeAll();
    },
    width: () => width,
    summary: () => ({ narrowest, slowIntervals, intervals, pacing: last !== undefined }),
    stop() {
      stopped = true;
      clearTimeout(timer);
      wakeAll();
    },
  };
}
