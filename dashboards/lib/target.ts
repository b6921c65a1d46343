import type { DataQuery, DataSourceRef } from '@grafana/schema';
import { RAW, render, type Query, type Storage } from './influxql.ts';
import { DAILY, ROLLUP } from './rollup.ts';

/** The InfluxDB (InfluxQL) data source every panel and variable uses; provisioned with this uid. */
export const DATASOURCE: DataSourceRef = { type: 'influxdb', uid: 'hallmonitor-influxdb' };

/** A raw InfluxQL query as Grafana's InfluxDB data source stores it in a panel. */
export interface InfluxQLTarget extends DataQuery {
  datasource: DataSourceRef;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
  /** Series name pattern: `$tag_<key>`, `$col`, `$measurement`. */
  alias?: string;
}

export interface TargetOptions {
  /** `table` for tables and per-row tiles; time series otherwise. */
  format?: InfluxQLTarget['resultFormat'];
  alias?: string;
  storage?: Storage;
}

/** A target without its refId; the panel builder names them A, B, ... in order. */
export type Target = Omit<InfluxQLTarget, 'refId'>;

export function influx(q: Query, o: TargetOptions = {}): Target {
  return {
    datasource: DATASOURCE,
    query: render(q, o.storage ?? RAW),
    rawQuery: true,
    resultFormat: o.format ?? 'time_series',
    ...(o.alias === undefined ? {} : { alias: o.alias }),
  };
}

/**
 * Long time ranges read the rollups through panels of their own rather than by switching every panel's
 * retention policy with a variable chosen by the time range:
 * - whether Grafana fills `$__range_s` in an InfluxDB variable query depends on its version (its docs
 *   long listed `$__range` for Prometheus and Loki only; grafana/grafana#18756 asked for InfluxDB), and no
 *   Grafana runs in our tests to prove it; a policy variable left unresolved fails every panel at once.
 *   A range chosen by its length also misses a short range older than the raw data (a day 3 months ago);
 * - the name of a rollup column depends on the aggregate that reads it (`max_rtt_max_ms` beside
 *   `mean_rtt_avg_ms`), which a single prefix variable cannot say, so a switched query would read columns
 *   that do not exist;
 * - the collector rolls up each hour after it closes, so the rollups trail by up to ~2 hours: switched "now" panels (last
 *   state, the device table) would show an hour-old state without saying so.
 * A long-range panel instead has a fixed window ending now (`timeFrom`, shown in its header), reads only
 * the rollups, and its query is static text that the tests run against real rollups. The raw panels beside
 * it follow the time picker over the 45 days raw data is kept.
 */
export const LONG_RANGE = '90d';

/** Panel options of a long-range panel: a fixed window ending now, never grouped finer than a rollup window. */
export const longRange = (window: string = LONG_RANGE) => ({ timeFrom: window, minInterval: '5m' });

/** A target that reads the 5-minute rollups (see `ROLLUP`). */
export const rollupInflux = (q: Query, o: Omit<TargetOptions, 'storage'> = {}): Target => influx(q, { ...o, storage: ROLLUP });

/** A target that reads the daily ping rollup (see `DAILY`). */
export const dailyInflux = (q: Query, o: Omit<TargetOptions, 'storage'> = {}): Target => influx(q, { ...o, storage: DAILY });
