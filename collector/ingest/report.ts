import type { Logger } from '../../contract/index.ts';
import type { ResolvedCollectorConfig } from '../config/load.ts';
import type { SiteFile } from '../config/schema.ts';
import { linesToChunk, toLine } from '../storage/line.ts';
import { siteSeriesBudget } from './config.ts';
import type { CounterRow } from './counters.ts';
import type { Ingest, IngestOptions, LineSink } from './ingest.ts';

/** The site tag of what is not one school's: points InfluxDB refused, whoever sent them. */
export const COLLECTOR_SITE = '_collector';

/** The ingest's limits from collector.yaml and the sites' device lists. */
export function ingestLimits(config: Pick<ResolvedCollectorConfig, 'ingest' | 'retention'>, sites: readonly SiteFile[]): Pick<IngestOptions, 'window' | 'seriesBudget' | 'backlogAgeMs'> {
  const budgets = new Map(sites.map((s) => [s.id, siteSeriesBudget(config.ingest.seriesBudget, s)]));
  const unknownSite = siteSeriesBudget(config.ingest.seriesBudget, { id: '', devices: [] });
  const maxAgeHours = config.ingest.maxSampleAgeHours ?? config.retention.rawDays * 24;
  return {
    window: { maxSkewMs: config.ingest.maxClockSkewSeconds * 1_000, maxAgeMs: maxAgeHours * 3_600_000 },
    seriesBudget: (site) => budgets.get(site) ?? unknownSite,
    backlogAgeMs: config.ingest.backlogAgeSeconds * 1_000,
  };
}

export interface IngestReportOptions {
  ingest: Pick<Ingest, 'counters'>;
  /** Where the `collector_ingest` points go (the InfluxDB writer); its refused points are counted as dropped. */
  writer: LineSink & { stats?(): { pointsRejected: number } };
  log: Logger;
  now: () => number;
  intervalMs: number;
}

/**
 * A tag value InfluxDB can carry unchanged. Identities come from the broker (external mode reads them from
 * topics, where an agent or site can be empty or hold characters line protocol cannot carry), and one such
 * row must not cost the interval's other rows, so it is shown in a plain form rather than refused.
 */
function carriable(value: string): string {
  if (value === '') return '(none)';
  return /^[\p{L}\p{N}_.:@-]+$/u.test(value) ? value : value.replace(/[^\p{L}\p{N}_.:@-]/gu, '_');
}

/** `collector_ingest` points for one interval's rows: tags agent, outcome, reason (and site); fields batches, samples. */
export function counterLines(rows: readonly CounterRow[], time: number): string[] {
  return rows.map((row) =>
    toLine(
      {
        measurement: 'collector_ingest',
        tags: { agent: carriable(row.agent), outcome: row.outcome, reason: row.reason === '' ? 'none' : carriable(row.reason) },
        fields: { batches: row.batches, samples: row.samples },
        time,
      },
      carriable(row.site),
    ),
  );
}

/**
 * Every interval: what the ingest accepted and rejected per agent and reason, and what InfluxDB refused, as
 * `collector_ingest` points (the agents dashboard shows them) and one log line per agent and reason that
 * rejected anything. stop() reports the last interval.
 */
export function startIngestReport({ ingest, writer, log, now, intervalMs }: IngestReportOptions): { report(): CounterRow[]; stop(): void } {
  let refusedBefore = writer.stats?.().pointsRejected ?? 0;
  function report(): CounterRow[] {
    const rows = ingest.counters.drain();
    const refused = writer.stats?.().pointsRejected ?? 0;
    if (refused > refusedBefore) rows.push({ agent: 'collector', site: COLLECTOR_SITE, outcome: 'dropped', reason: 'influx-refused', batches: 0, samples: refused - refusedBefore });
    refusedBefore = refused;
    if (rows.length === 0) return rows;
    for (const row of rows) {
      if (row.outcome === 'accepted') continue;
      const { agent, site, outcome, reason, batches, samples, example } = row;
      log.warn({ agent, site, outcome, reason, batches, samples, example, intervalS: intervalMs / 1_000 }, `ingest ${outcome} in the last interval`);
    }
    try {
      writer.write(linesToChunk(counterLines(rows, now())));
    } catch (err) {
      log.error({ err: (err as Error).message }, 'collector_ingest counts not written');
    }
    return rows;
  }
  const timer = setInterval(report, intervalMs);
  timer.unref();
  return {
    report,
    stop() {
      clearInterval(timer);
      report();
    },
  };
}
