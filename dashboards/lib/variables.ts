import { VariableHide, VariableRefresh, VariableSort, defaultVariableModel, type VariableModel } from '@grafana/schema';
import { showTagValues, tagMatches } from './influxql.ts';
import { DATASOURCE } from './target.ts';

/** A template variable filled from an InfluxQL `SHOW TAG VALUES` query. */
export function queryVariable(o: {
  name: string;
  label: string;
  query: string;
  multi?: boolean;
  /** "All" is sent as `(a|b|...)` of every value, regex-escaped, like any multi-value selection. */
  includeAll?: boolean;
}): VariableModel {
  return {
    ...defaultVariableModel,
    type: 'query',
    name: o.name,
    label: o.label,
    datasource: DATASOURCE,
    query: o.query,
    multi: o.multi ?? false,
    includeAll: o.includeAll ?? false,
    allowCustomValue: false,
    refresh: VariableRefresh.onDashboardLoad,
    sort: VariableSort.naturalAsc,
    hide: VariableHide.dontHide,
    ...(o.includeAll ? { current: { selected: true, text: ['All'], value: ['$__all'] } } : {}),
  };
}

/** `$site`: every site any measurement has seen. */
export const siteVariable = (o: { multi?: boolean } = {}): VariableModel =>
  queryVariable({ name: 'site', label: 'School', query: showTagValues('site'), multi: o.multi ?? false, includeAll: o.multi ?? false });

/** `$device`: the devices of the selected site. */
export const deviceVariable = (): VariableModel =>
  queryVariable({ name: 'device', label: 'Device', query: showTagValues('device', { where: [tagMatches('site')] }) });

/** `$interface`: the selected device's interfaces, several at once or all. */
export const interfaceVariable = (): VariableModel =>
  queryVariable({
    name: 'interface',
    label: 'Interface',
    query: showTagValues('interface', { from: 'interface', where: [tagMatches('site'), tagMatches('device')] }),
    multi: true,
    includeAll: true,
  });
