/**
 * InfluxQL for the dashboards, built from parts: what a panel asks for (measurement, columns, filters,
 * grouping) is kept apart from where it is read (`Storage`): the raw samples (`RAW`, the default policy) or
 * the 5-minute rollups (`ROLLUP` in rollup.ts), where `mean("rtt_avg_ms")` reads `"mean_rtt_avg_ms"`.
 */

/** The measurements the collector writes (docs/operations.md, "InfluxDB schema"). */
export type Measurement =
  | 'ping'
  /** The daily ping rollup (collector/storage/retention-cq.ts `dailyPingSelect`), read through `DAILY`. */
  | 'ping_site_1d'
  /** The daily internet-link rollup (`dailyInternetSelect`), read through `DAILY`. */
  | 'ping_internet_1d'
  | 'snmp'
  | 'interface'
  | 'device_info'
  | 'host'
  | 'host_cpu'
  | 'host_storage'
  | 'printer'
  | 'printer_supply'
  | 'ups'
  | 'wireless'
  | 'snmp_trap'
  | 'neighbour'
  | 'agent_health'
  | 'alerts_open'
  | 'school_state'
  | 'agent_status'
  | 'agent_host'
  | 'agent_host_disk'
  | 'agent_host_interface'
  | 'collector_ingest'
  | 'collector_broker';

/** Where fields are read: a retention policy (the default when absent) and the stored name of each field. */
export interface Storage {
  readonly retentionPolicy?: string;
  /**
   * The stored name of `field` of `measurement` as read by the InfluxQL function `aggregate` (absent for
   * a bare field); throws when this storage does not hold it.
   */
  readonly fieldName: (measurement: Measurement, field: string, aggregate?: string) => string;
}

export const RAW: Storage = { fieldName: (_measurement, field) => field };

/** Renders a field reference, read by `aggregate` (the function around it), for the storage the query reads. */
export type FieldRef = (field: string, aggregate?: string) => string;

/** One output column: an expression over field references, always named. */
export interface Column {
  readonly as: string;
  readonly expr: (f: FieldRef) => string;
}

/** `$timeFilter` (the dashboard's range), or a fixed window back from now, e.g. `5m`, `30d`. */
export type TimeRange = 'dashboard' | `${number}${'s' | 'm' | 'h' | 'd' | 'w'}`;

export interface Query {
  readonly select: readonly Column[];
  /** Measurements, or a subquery whose column names the outer columns refer to. */
  readonly from: readonly Measurement[] | Query;
  /** Tag conditions, already rendered (see `tagIs`, `tagMatches`, `tagIn`); joined with AND. */
  readonly where?: readonly string[];
  /** Absent: all time (for "last known" state such as agent status, which only changes on events). */
  readonly time?: TimeRange;
  /** GROUP BY time($__interval), for time series. */
  readonly byInterval?: boolean;
  readonly groupBy?: readonly string[];
  readonly fill?: 'null' | 'none' | 'previous' | number;
}

export const quoteIdent = (name: string): string => `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const quoteString = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** `"key" = 'value'` */
export const tagIs = (key: string, value: string): string => `${quoteIdent(key)} = ${quoteString(value)}`;

/** `("key" = 'a' OR "key" = 'b')` */
export const tagIn = (key: string, values: readonly string[]): string =>
  values.length === 1 ? tagIs(key, values[0] ?? '') : `(${values.map((v) => tagIs(key, v)).join(' OR ')})`;

/**
 * `"key" =~ /^$variable$/`: the form in which Grafana regex-escapes the variable's value and turns a
 * multi-value or "All" selection into `(a|b)`.
 */
export const tagMatches = (key: string, variable: string = key): string => `${quoteIdent(key)} =~ /^$${variable}$/`;

/** A column computed by `expr`, e.g. `col('state', (f) => \`1 - max(${f('up', 'max')})\`)`. */
export const col = (as: string, expr: (f: FieldRef) => string): Column => ({ as, expr });

const fn = (name: string) => (field: string, as: string = field): Column => col(as, (f) => `${name}(${f(field, name)})`);
export const mean = fn('mean');
export const max = fn('max');
export const min = fn('min');
export const last = fn('last');
export const sum = fn('sum');
export const count = fn('count');

/** A raw field (beside a selector such as top()), named as itself. */
export const field = (name: string, as: string = name): Column => col(as, (f) => f(name));

const timeCondition = (range: TimeRange): string => (range === 'dashboard' ? '$timeFilter' : `time > now() - ${range}`);

function fromClause(from: Query['from'], storage: Storage): string {
  if (!Array.isArray(from)) return `(${render(from as Query, storage)})`;
  const policy = storage.retentionPolicy === undefined ? '' : `${quoteIdent(storage.retentionPolicy)}.`;
  return (from as readonly Measurement[]).map((m) => `${policy}${quoteIdent(m)}`).join(', ');
}

/** The one stored name of `field` in every measurement a query reads. */
function storedName(from: readonly Measurement[], storage: Storage, field: string, aggregate?: string): string {
  const names = new Set(from.map((m) => storage.fieldName(m, field, aggregate)));
  if (names.size !== 1) throw new Error(`field ${field} is stored as ${[...names].join(' and ')} in ${from.join(', ')}: read them in separate queries`);
  return [...names][0]!;
}

/** The InfluxQL text of a query, reading from `storage`. */
export function render(q: Query, storage: Storage = RAW): string {
  const fromSubquery = !Array.isArray(q.from);
  // A subquery's columns already carry their final names; only measurements have stored field names.
  const f: FieldRef = fromSubquery ? (name) => quoteIdent(name) : (name, aggregate) => quoteIdent(storedName(q.from as readonly Measurement[], storage, name, aggregate));
  const columns = q.select.map((c) => `${c.expr(f)} AS ${quoteIdent(c.as)}`).join(', ');
  const conditions = [...(q.where ?? []), ...(q.time === undefined ? [] : [timeCondition(q.time)])];
  const groups = [...(q.byInterval ? ['time($__interval)'] : []), ...(q.groupBy ?? []).map(quoteIdent)];
  return [
    `SELECT ${columns}`,
    `FROM ${fromClause(q.from, storage)}`,
    ...(conditions.length > 0 ? [`WHERE ${conditions.join(' AND ')}`] : []),
    ...(groups.length > 0 ? [`GROUP BY ${groups.join(', ')}`] : []),
    ...(q.fill === undefined ? [] : [`fill(${q.fill})`]),
  ].join(' ');
}

/** `SHOW TAG VALUES [FROM m] WITH KEY = "key" [WHERE ...]`, for template variables. */
export function showTagValues(key: string, o: { from?: Measurement; where?: readonly string[] } = {}): string {
  return [
    'SHOW TAG VALUES',
    ...(o.from === undefined ? [] : [`FROM ${quoteIdent(o.from)}`]),
    `WITH KEY = ${quoteIdent(key)}`,
    ...(o.where !== undefined && o.where.length > 0 ? [`WHERE ${o.where.join(' AND ')}`] : []),
  ].join(' ');
}
