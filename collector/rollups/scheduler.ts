import type { Logger } from '../../contract/index.ts';
import { HOUR_MS, dueTasks, retryDelay, roundStarts, type RollupTask } from './plan.ts';
import type { Watermarks } from './watermarks.ts';

export interface RollupSchedulerOptions {
  /** Every known school (the sites registry), offline ones too. */
  sites(): readonly string[];
  /** Rolls up one school's span (backfillRollups with its site): its 5-minute rollups and daily ping. */
  roll(task: RollupTask): Promise<void>;
  /** Resolves once every point accepted so far is in InfluxDB (the writer's flush). */
  written(): Promise<void>;
  watermarks: Watermarks;
  log: Logger;
  now: () => number;
  /** After an hour closes, wait this long for polls still in flight. */
  settleMs: number;
  /** A round's schools are started evenly over this (well inside the hour). */
  spreadMs: number;
  /** Raw retention: older hours cannot be rolled up any more. */
  rawMs: number;
  /** Only tests shorten these. */
  hourMs?: number;
  checkEveryMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface RollupScheduler {
  /** Per school, every hour before this is rolled up or being rolled up now (the late backlog's rule). */
  rolledUntil(site: string): number | undefined;
  /** Resolves when the round running now (if any) is over. */
  idle(): Promise<void>;
  stop(): void;
}

/**
 * The collector's hourly rollups (replacing influxd's fleet-wide continuous queries, which passed the
 * query-timeout from a few hundred schools: docs/sizing.md, "Rollups"). After each hour closes and settles,
 * every school's hour is rolled up by itself, one school at a time, the schools spread evenly over
 * `spreadMs`; a failed school stays due and is retried with backoff while the others go on. One info line
 * per round (`rollups: hour rolled up`).
 */
export function startRollupScheduler(o: RollupSchedulerOptions): RollupScheduler {
  const hourMs = o.hourMs ?? HOUR_MS;
  const retryAt = new Map<string, number>();
  const failures = new Map<string, number>();
  // Hours handed to a running round count as rolled for the late backlog: a sample for them accepted from
  // then on may miss the school's statements, so it is re-rolled for that school (late-backlog.ts).
  const inRound = new Map<string, number>();
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const sleepUntil = (at: number) =>
    new Promise<void>((resolve) => {
      const ms = at - o.now();
      if (ms <= 0 || stopped) return resolve();
      wake = resolve;
      timer = setTimeout(resolve, ms);
    }).finally(() => {
      clearTimeout(timer);
      wake = undefined;
    });

  async function round(tasks: RollupTask[]): Promise<void> {
    const started = o.now();
    const hour = Math.max(...tasks.map((t) => t.to)) - hourMs;
    // A school seen for the first time starts here: if its first try fails, it is still due from here.
    o.watermarks.setMany(tasks.filter((t) => !o.watermarks.get().has(t.site)).map((t) => [t.site, t.from] as const));
    for (const t of tasks) inRound.set(t.site, t.to);
    let failed = 0;
    let slowest = 0;
    let behind = false;
    let firstError: string | undefined;
    try {
      await o.written();
      const starts = roundStarts(tasks.length, started, o.spreadMs);
      for (const [i, task] of tasks.entries()) {
        if (stopped) return;
        if (!behind && o.now() > started + o.spreadMs) {
          behind = true;
          o.log.warn({ hour: new Date(hour).toISOString(), schools: tasks.length, done: i }, 'rollups: round behind its spread; the rest without pacing');
        }
        await sleepUntil(starts[i]!);
        if (stopped) return;
        const t0 = o.now();
        try {
          await o.roll(task);
          o.watermarks.set(task.site, task.to);
          failures.delete(task.site);
          retryAt.delete(task.site);
        } catch (err) {
          failed++;
          firstError ??= (err as Error).message;
          const n = (failures.get(task.site) ?? 0) + 1;
          failures.set(task.site, n);
          retryAt.set(task.site, o.now() + retryDelay(n, o.retryBaseMs ?? 30_000, o.retryMaxMs ?? 15 * 60_000));
          o.log.debug({ site: task.site, err: (err as Error).message, failures: n }, 'rollups: school not rolled up; tried again later');
        } finally {
          inRound.delete(task.site);
        }
        slowest = Math.max(slowest, o.now() - t0);
      }
    } finally {
      inRound.clear();
    }
    const line = { hour: new Date(hour).toISOString(), schools: tasks.length, failed, seconds: Math.round((o.now() - started) / 100) / 10, slowestSchoolMs: slowest, behind };
    if (failed > 0) o.log.warn({ ...line, err: firstError }, 'rollups: hour rolled up; some schools failed and stay due');
    else o.log.info(line, 'rollups: hour rolled up');
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      const tasks = dueTasks({ sites: o.sites(), rolledUntil: o.watermarks.get(), retryAt, now: o.now(), settleMs: o.settleMs, rawMs: o.rawMs, hourMs });
      if (tasks.length > 0) {
        running = round(tasks).catch((err: Error) => o.log.warn({ err: err.message }, 'rollups: round stopped; its schools stay due'));
        await running;
        running = undefined;
        continue;
      }
      // Until the next hour settles, or a failed school's retry, or the check interval, whichever is first.
      const nextHour = (Math.floor((o.now() - o.settleMs) / hourMs) + 1) * hourMs + o.settleMs;
      const nextRetry = Math.min(...[...retryAt.values()].filter((at) => at > o.now()));
      await sleepUntil(Math.min(nextHour, nextRetry, o.now() + (o.checkEveryMs ?? 60_000)));
    }
  }
  let running: Promise<void> | undefined;
  const looping = loop().catch((err: Error) => o.log.error({ err: err.message }, 'rollups: scheduler stopped'));
  void looping;

  return {
    rolledUntil(site) {
      const done = o.watermarks.get().get(site);
      const now = inRound.get(site);
      if (done === undefined) return now;
      return now === undefined ? done : Math.max(done, now);
    },
    idle: async () => {
      await running;
    },
    stop() {
      stopped = true;
      wake?.();
    },
  };
}
