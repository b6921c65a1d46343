import type { DataQuery, DataSourceRef } from '@grafana/schema';
import { RAW, render, type Query, type Storage } from './influxql.ts';

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
