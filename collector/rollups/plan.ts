/**
 * Which schools' hours are due for their rollups, and when each is started in a round. Pure: no clock, no I/O
 * (collector/rollups/scheduler.ts runs it).
 *
 * Each school has a watermark: every hour before it is rolled up. An hour [H, H+1h) is due once H+1h plus
 * the settle delay has passed (polls measured at the end of the hour may still be on their way). A school
 * with no watermark starts at the last closed hour; one far behind (the collector was down) starts no
 * earlier than the raw retention allows, since older raw data is gone.
 */

export const HOUR_MS = 3_600_000;

/** One school's rollup work: the hours [from, to), whole hours. */
export interface RollupTask {
  site: string;
  from: number;
  to: number;
}

export interface PlanInput {
  /** Every known school, offline ones too (their agent_status and ping rows still need rolling up). */
  sites: readonly string[];
  /** Per school, every hour before this (ms) is rolled up. */
  rolledUntil: ReadonlyMap<string, number>;
  /** Per school, not tried again before this (a failed school's backoff). */
  retryAt?: ReadonlyMap<string, number>;
  now: number;
  settleMs: number;
  /** How far back raw data is kept: hours older than this cannot be rolled up any more. */
  rawMs: number;
  /** Only tests shorten it. */
  hourMs?: number;
}

/** The end of the last hour that is closed and settled at `now`: hours before it may be rolled up. */
export function closedUntil(now: number, settleMs: number, hourMs = HOUR_MS): number {
  return Math.floor((now - settleMs) / hourMs) * hourMs;
}

/** The schools with hours due, in site order (stable across rounds), each with its span. */
export function dueTasks(p: PlanInput): RollupTask[] {
  const hour = p.hourMs ?? HOUR_MS;
  const to = closedUntil(p.now, p.settleMs, hour);
  const oldest = Math.ceil((p.now - p.rawMs) / hour) * hour;
  const tasks: RollupTask[] = [];
  for (const site of [...new Set(p.sites)].sort()) {
    if ((p.retryAt?.get(site) ?? Number.NEGATIVE_INFINITY) > p.now) continue;
    const from = Math.max(p.rolledUntil.get(site) ?? to - hour, oldest);
    if (from < to) tasks.push({ site, from, to });
  }
  return tasks;
}

/**
 * When each of a round's tasks may start: evenly over the spread, so the fleet's rollups cost influxd a
 * steady trickle instead of one burst (docs/sizing.md, "Rollups"). The first starts at once.
 */
export function roundStarts(count: number, roundStart: number, spreadMs: number): number[] {
  const interval = count > 0 ? spreadMs / count : 0;
  return Array.from({ length: count }, (_, i) => Math.round(roundStart + i * interval));
}

/** A failed school's next try: doubling from `baseMs`, at most `maxMs`. */
export function retryDelay(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(30, failures - 1)));
}
