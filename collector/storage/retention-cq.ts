/**
 * What the 5-minute rollups hold and the InfluxQL that makes them. Pure: statements only, no I/O.
 *
 * Each rollup field is `<aggregate>_<field>` (InfluxDB's own naming for `mean(*)`), plus `samples`, the
 * number of samples in the window. A monthly or yearly availability is then the mean of `mean_up` over the
 * windows (each 5 minutes weighs the same), or Σ(mean_up × samples) / Σ samples when weighting by samples.
 */

/** Raw samples: the database's default policy, so writes without `rp` land here. */
export const RAW_POLICY = 'raw';
export const ROLLUP_POLICY = 'rollup_5m';
export const ROLLUP_INTERVAL = '5m';
/** Prefix of every CQ earlier versions made (dropped on upgrade); other CQs on the database are left alone. */
export const CQ_PREFIX = 'rollup_5m_';

type Aggregate = 'mean' | 'max' | 'min' | 'count';

export interface MeasurementRollup {
  measurement: string;
  /** Counted for `samples`: a field every sample of the measurement carries. */
  countField: string;
  /** field → aggregates; each becomes `<aggregate>_<field>`. */
  fields: Readonly<Record<string, readonly Aggregate[]>>;
}

/**
 * Chosen per measurement rather than `mean(*), max(*)` over everything: the interface measurement is
 * most of the series, and mean/max of its counters, status codes and bit counts would triple the rollups'
 * size for numbers nobody reads. A new measurement needs a line here to be rolled up.
 */
export const ROLLUPS: readonly MeasurementRollup[] = [
  {
    measurement: 'ping',
    countField: 'up',
    fields: {
      up: ['mean'],
      loss_pct: ['mean', 'max'],
      rtt_avg_ms: ['mean'],
      rtt_min_ms: ['min'],
      rtt_max_ms: ['max'],
      jitter_ms: ['mean', 'max'],
    },
  },
  {
    measurement: 'snmp',
    countField: 'up',
    // A small min uptime in a window shows the device restarted in it.
    fields: { up: ['mean'], response_ms: ['mean', 'max'], uptime_s: ['min'] },
  },
  {
    measurement: 'interface',
    countField: 'oper_status',
    fields: {
      in_bps: ['mean', 'max'],
      out_bps: ['mean', 'max'],
      utilisation_pct: ['mean', 'max'],
      in_errors_ps: ['mean'],
      out_errors_ps: ['mean'],
      in_discards_ps: ['mean'],
      out_discards_ps: ['mean'],
      // RFC 2863 ifOperStatus: 1 is up, every other value is some kind of not up; max > 1 = not up all window.
      oper_status: ['max'],
      speed_bps: ['max'],
    },
  },
  {
    measurement: 'agent_health',
    countField: 'uptime_s',
    fields: { connected: ['mean'], uptime_s: ['min'], samples_waiting: ['max'], batches_unacked: ['max'], devices: ['max'] },
  },
  {
    measurement: 'agent_status',
    countField: 'online',
    fields: { online: ['mean'], uptime_s: ['min'] },
  },
  {
    // Processors and memory of devices with HOST-RESOURCES-MIB; a printer or AP may give only one of them.
    measurement: 'host',
    countField: 'memory_used_pct',
    fields: { cpu_load_pct: ['mean', 'max'], memory_used_pct: ['mean', 'max'] },
  },
  {
    // Disks filling up is a months-long trend: the highest use % and size per window.
    measurement: 'host_storage',
    countField: 'used_pct',
    fields: { used_pct: ['max'], size_bytes: ['max'] },
  },
  {
    // on_battery max = any time on battery in the window; battery % and runtime at their lowest.
    measurement: 'ups',
    countField: 'on_battery',
    fields: { on_battery: ['max'], battery_pct: ['min', 'mean'], runtime_min: ['min'], load_pct: ['mean', 'max'] },
  },
  {
    measurement: 'wireless',
    countField: 'clients',
    fields: { clients: ['mean', 'max'] },
  },
  {
    measurement: 'agent_host',
    countField: 'uptime_s',
    fields: { cpu_pct: ['mean', 'max'], mem_used_pct: ['mean', 'max'], temperature_c: ['max'] },
  },
  {
    measurement: 'agent_host_disk',
    countField: 'used_pct',
    fields: { used_pct: ['max'] },
  },
];

/** InfluxQL identifier, always quoted (database names may hold "-"). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A tag value as an InfluxQL string literal (single quotes; backslash and quote escaped). */
export function quoteTagValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The SELECT … INTO of one measurement's rollup; with `where`, limited to a time range and school. */
export function rollupSelect(database: string, rollup: MeasurementRollup, where?: string): string {
  const db = quoteIdent(database);
  const columns = Object.entries(rollup.fields).flatMap(([field, aggregates]) =>
    aggregates.map((agg) => `${agg}(${quoteIdent(field)}) AS ${quoteIdent(`${agg}_${field}`)}`),
  );
  columns.push(`count(${quoteIdent(rollup.countField)}) AS "samples"`);
  const m = quoteIdent(rollup.measurement);
  return (
    `SELECT ${columns.join(', ')} INTO ${db}.${quoteIdent(ROLLUP_POLICY)}.${m} FROM ${db}.${quoteIdent(RAW_POLICY)}.${m}` +
    `${where === undefined ? '' : ` WHERE ${where}`} GROUP BY time(${ROLLUP_INTERVAL}), *`
  );
}

/**
 * Each school's ping windows per UTC day, summed from the 5-minute rollup: what the overview's 7-day,
 * 30-day and 12-month availability columns read. At 1,000 schools a month of 5-minute ping windows is
 * 216 M rows (25,500 series), and one availability column over it took influxd 26–32 s (docs/sizing.md,
 * run 12); per device and day it still took 5 s (series, not rows, cost there); per school and day it is
 * 1,000 series and 0.3 s. The sum of the windows' `mean_up` and their count, not a mean of daily means,
 * so Σ sum_mean_up / Σ windows over any set of days is exactly the mean of the school's 5-minute windows
 * (every device's window weighing the same, as in the 5-minute rollup).
 */
export const DAILY_PING_MEASUREMENT = 'ping_site_1d';

/** The SELECT … INTO of the daily ping rollup per school (from the 5-minute one); with `where`, limited to a time range. */
export function dailyPingSelect(database: string, where?: string): string {
  const db = quoteIdent(database);
  const rp = quoteIdent(ROLLUP_POLICY);
  return (
    `SELECT sum("mean_up") AS "sum_mean_up", count("mean_up") AS "windows", sum("samples") AS "samples" ` +
    `INTO ${db}.${rp}.${quoteIdent(DAILY_PING_MEASUREMENT)} FROM ${db}.${rp}."ping"${where === undefined ? '' : ` WHERE ${where}`} GROUP BY time(1d), "site"`
  );
}

/**
 * Each internet link's day (the devices with role "internet", per school and UTC day), summed from the
 * 5-minute ping rollup: what the overview's "worst internet links" and its 90-day loss read. Over 30 days of
 * 5-minute windows at 1,000 schools those panels scanned 8.6 M rows per field (raw: 43 M, 37 s in run 16,
 * docs/sizing.md); a day per link is 30,000. Means as a sum and a count of the windows' means, so over any
 * days Σ sum / Σ windows is exactly the mean of the 5-minute windows (as `ping_site_1d`); counted per field,
 * since round-trip times are absent from windows where the link did not answer. Maxima as the day's maximum.
 */
export const DAILY_INTERNET_MEASUREMENT = 'ping_internet_1d';

/** The 5-minute ping rollup's means the daily internet rollup keeps as `sum_mean_<field>` and `windows_<field>`. */
export const DAILY_INTERNET_MEANS = ['loss_pct', 'rtt_avg_ms', 'jitter_ms'] as const;
/** The 5-minute ping rollup's maxima it keeps as `max_<field>`. */
export const DAILY_INTERNET_MAXIMA = ['loss_pct', 'rtt_max_ms'] as const;

/** The SELECT … INTO of the daily internet rollup (from the 5-minute one); with `where`, limited to a time range. */
export function dailyInternetSelect(database: string, where?: string): string {
  const db = quoteIdent(database);
  const rp = quoteIdent(ROLLUP_POLICY);
  const columns = [
    ...DAILY_INTERNET_MEANS.flatMap((f) => [`sum(${quoteIdent(`mean_${f}`)}) AS ${quoteIdent(`sum_mean_${f}`)}`, `count(${quoteIdent(`mean_${f}`)}) AS ${quoteIdent(`windows_${f}`)}`]),
    ...DAILY_INTERNET_MAXIMA.map((f) => `max(${quoteIdent(`max_${f}`)}) AS ${quoteIdent(`max_${f}`)}`),
  ];
  const filter = [`"role" = 'internet'`, ...(where === undefined ? [] : [where])].join(' AND ');
  return `SELECT ${columns.join(', ')} INTO ${db}.${rp}.${quoteIdent(DAILY_INTERNET_MEASUREMENT)} FROM ${db}.${rp}."ping" WHERE ${filter} GROUP BY time(1d), "site", "device"`;
}
