import type { AnnotationQuery } from '@grafana/schema';
import { quoteIdent, tagIs } from './influxql.ts';
import { DATASOURCE } from './target.ts';

/**
 * An annotation read from InfluxDB with InfluxQL. @grafana/schema types `target` for Grafana's own
 * annotation store only; the InfluxDB data source reads `query` and the column options beside it.
 */
export type InfluxAnnotation = Omit<AnnotationQuery, 'target'> & {
  query: string;
  textColumn: string;
  tagsColumn: string;
};

/**
 * Alerts as marks on every time series: when each started firing (red) and when it resolved (green), from
 * the collector's `alert_event` points; `where` narrows to the dashboard's site (and device).
 */
export function alertAnnotations(where: readonly string[]): InfluxAnnotation[] {
  const mark = (name: string, event: 'firing' | 'resolved', colour: string): InfluxAnnotation => ({
    name,
    datasource: DATASOURCE,
    enable: true,
    hide: false,
    iconColor: colour,
    query: `SELECT ${quoteIdent('title')}, ${quoteIdent('rule')}, ${quoteIdent('severity')}, ${quoteIdent('device')} FROM ${quoteIdent('alert_event')} WHERE ${[...where, tagIs('event', event)].join(' AND ')} AND $timeFilter`,
    textColumn: 'title',
    tagsColumn: 'rule,severity,device',
  });
  return [mark('Alerts firing', 'firing', 'red'), mark('Alerts resolved', 'resolved', 'green')];
}
