import { round3 } from '../support/proc-stats.ts';
import { lateRerollsOf, type LateRerolls } from './collector-log.ts';

/** How long after its replay's last batch a school's late span is re-rolled, plus the check's period (late-backlog.ts defaults). */
const REROLL_QUIET_MS = 2 * 60_000 + 30_000;
const HOUR_MS = 3_600_000;
const ROLLUP_SETTLE_MS = 5 * 60_000;

/**
 * Waits until the late backlog's re-rolls after a drain are over: at least their quiet time after the drain,
 * then until no re-roll was logged for 30 s (none at all: the hours the region missed were not rolled up
 * yet). An outage inside hours whose rounds had not begun has nothing to re-roll, so then nothing is waited
 * for. At most 20 minutes. Returns what the log says of them, and how long the bench waited.
 */
export async function lateRerollsSettle(logPath: string, outageFrom: number, back: number, drainedAt: number): Promise<LateRerolls & { waitedSeconds: number; settled: boolean }> {
  const t0 = Date.now();
  let seen = lateRerollsOf(logPath, back);
  // The newest hour whose round could have begun before the region came back (it begins the collector's
  // settle time, 5 minutes by default, after the hour): if that hour ended before the outage began, the
  // region's replay holds no sample of a rolled-up hour.
  const lastRolledHourEnd = Math.floor((back - ROLLUP_SETTLE_MS) / HOUR_MS) * HOUR_MS;
  if (lastRolledHourEnd <= outageFrom) return { ...seen, waitedSeconds: 0, settled: true };
  for (;;) {
    seen = lateRerollsOf(logPath, back);
    const quietSince = Math.max(seen.lastAt ?? 0, drainedAt + REROLL_QUIET_MS - 30_000);
    const settled = Date.now() - quietSince >= 30_000;
    if (settled || Date.now() - t0 > 20 * 60_000) return { ...seen, waitedSeconds: round3((Date.now() - t0) / 1000), settled };
    await new Promise((r) => setTimeout(r, 2_000));
  }
}
