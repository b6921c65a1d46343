import type { Logger, Sample } from '../../contract/index.ts';

/** A span of sample times (ms), [from, to). */
export interface Span {
  from: number;
  to: number;
}

const ALL = '*';

/**
 * The span of these samples in hours already rolled up for their school (every hour before `rolledUntil`,
 * from the hourly scheduler), so rolled up again; undefined when none (pure). A sample in an hour not yet
 * rolled up needs nothing: the scheduler's round reads it.
 */
export function lateSpan(samples: readonly Pick<Sample, 'time'>[], rolledUntil: number | undefined): Span | undefined {
  if (rolledUntil === undefined) return undefined;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const { time } of samples) {
    if (time >= rolledUntil) continue;
    if (time < from) from = time;
    if (time + 1 > to) to = time + 1;
  }
  return from === Number.POSITIVE_INFINITY ? undefined : { from, to };
}

export interface LateBacklogOptions {
  /** Per school, every hour before this is rolled up (collector/rollups/scheduler.ts). */
  rolledUntil(site: string): number | undefined;
  /** Recomputes one school's rollups over a span (backfillRollups with its site); every school's without one. */
  backfill(site: string | undefined, span: Span): Promise<void>;
  /** Every known school: after an InfluxDB outage each is rolled up over it by itself (without: one fleet-wide run). */
  sites?: () => readonly string[];
  /** Since when InfluxDB writes have been failing, if they are (the writer's stats). */
  writerOutageSince?: () => number | undefined;
  /** Resolves once every point accepted so far is in InfluxDB (the writer's flush). */
  written(): Promise<void>;
  log: Logger;
  now: () => number;
  /**
   * A school's late span is rolled up once no late sample of any school came for this long (the region's
   * replay is over), or, while other schools still replay, once none of its own came for `maxWaitFactor`
   * times as long.
   */
  quietMs?: number;
  /** How many quiet spells a school that is done waits at most for the other schools' replays (default 5). */
  maxWaitFactor?: number;
  /** How often the waiting schools are looked at. */
  checkEveryMs?: number;
}

/**
 * Rolls up what a school's replayed spool brought in for hours the hourly scheduler has already rolled up
 * for it (an outage of the school's link longer than the settle delay): its late span is noted as batches are accepted, and once its replay has been
 * quiet a while and the writer has written everything, that school's rollups (5-minute and daily) are
 * recomputed over the span, one school at a time. Raw data and monthly reports never needed this; the
 * rollup-based views (30 days, 12 months) would otherwise show the outage's hours as missing. After InfluxDB
 * itself was unreachable, every school's rollups are recomputed over the outage the same way.
 */
export function startLateBacklog(o: LateBacklogOptions): { observe(site: string, samples: readonly Pick<Sample, 'time'>[]): void; pending(): ReadonlyMap<string, Span>; runDue(): Promise<void>; stop(): void } {
  const quietMs = o.quietMs ?? 2 * 60_000;
  const maxWaitMs = quietMs * (o.maxWaitFactor ?? 5);
  // When the last late sample of any school came. Re-rolls wait for the whole replay: when a region's
  // schools come back together, the first done began re-rolling while the others' replays still queued for
  // InfluxDB, and the drain of an hour-long 100-school outage ran at 0.75x the same points written alone
  // (run 17, docs/sizing.md). The cap keeps one school trickling late samples from holding every other back.
  let lastLateAt = Number.NEGATIVE_INFINITY;
  // Keyed by school; ALL is every school's span of an InfluxDB outage (its points were accepted in time and
  // written after the scheduler may have rolled their hours up). Site ids are slugs, so this key is no school's.
  const waiting = new Map<string, Span & { lastAt: number }>();
  let outageSince: number | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  function note(site: string, span: Span, at: number): void {
    const had = waiting.get(site);
    waiting.set(site, { from: Math.min(span.from, had?.from ?? span.from), to: Math.max(span.to, had?.to ?? span.to), lastAt: at });
  }

  async function runDue(): Promise<void> {
    const now = o.now();
    const since = o.writerOutageSince?.();
    if (since !== undefined) outageSince = Math.min(since, outageSince ?? since);
    else if (outageSince !== undefined) {
      // Writes recovered: what waited in the write-ahead log reached InfluxDB after its hours' rounds.
      // Each school by itself when the schools are known: never one fleet-wide statement over the outage.
      for (const site of o.sites?.() ?? [ALL]) note(site, { from: outageSince, to: now }, now);
      outageSince = undefined;
    }
    const allQuiet = now - lastLateAt >= quietMs;
    const due = [...waiting].filter(([, s]) => now - s.lastAt >= (allQuiet ? quietMs : maxWaitMs));
    if (due.length === 0) return;
    await o.written();
    for (const [site, span] of due) {
      if (stopped) return;
      // Taken off before the run: a late batch arriving meanwhile opens a new span for the next turn.
      if (waiting.get(site) === span) waiting.delete(site);
      const started = o.now();
      try {
        await o.backfill(site === ALL ? undefined : site, { from: span.from, to: span.to });
        o.log.info({ site: site === ALL ? 'all' : site, from: new Date(span.from).toISOString(), to: new Date(span.to).toISOString(), ms: o.now() - started }, 'late backlog rolled up');
      } catch (err) {
        // Kept, and tried again after another quiet spell (not every check): the raw data is stored either way.
        note(site, span, o.now());
        o.log.warn({ site, err: (err as Error).message }, 'late backlog not rolled up yet; trying again');
        return;
      }
    }
  }

  // One turn at a time: the timer's and a caller's share it.
  const turn = (): Promise<void> => (running ??= runDue().finally(() => (running = undefined)));
  // written() rejects once the writer is stopping; the turn is logged, not left unhandled.
  const timer = setInterval(() => turn().catch((err: Error) => o.log.warn({ err: err.message }, 'late backlog not rolled up yet')), o.checkEveryMs ?? 30_000);
  timer.unref();

  return {
    observe(site, samples) {
      const span = lateSpan(samples, o.rolledUntil(site));
      if (span === undefined) return;
      // A late sample, not a retry of a failed re-roll: only these hold the other schools back.
      lastLateAt = o.now();
      note(site, span, lastLateAt);
    },
    pending: () => waiting,
    runDue: turn,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
