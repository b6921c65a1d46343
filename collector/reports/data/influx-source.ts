import type { InfluxDB } from 'influx';
import type { Interval } from '../../calendar/index.ts';
import { RAW_POLICY, ROLLUP_POLICY, quoteIdent } from '../../storage/retention-cq.ts';
import { ROLLUP_WINDOW_MS, timelineFromRollups, type CheckResult } from '../availability/observed.ts';
import type { Timeline } from '../availability/timeline.ts';
import { loadRollupWindows, samplesPerWindow } from './rollup-summary.ts';

/** Where a month's figures come from: raw samples, or the 5-minute rollups once raw data has aged out. */
export type DataSource = 'raw' | 'rollup';

/**
 * Raw while the whole range is inside raw retention (with a day's margin, since InfluxDB drops whole
 * shards), rollups after.
 */
export function chooseSource(range: Interval, now: number, rawDays: number): DataSource {
  return range.start >= now - (rawDays - 1) * 86_400_000 ? 'raw' : 'rollup';
}

interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
}

/** Rows of each series of one SELECT, keyed by column, with the series' tags. */
async function select(client: InfluxDB, database: string, q: string): Promise<{ tags: Record<string, string>; rows: Record<string, unknown>[] }[]> {
  const body = (await client.queryRaw(q, { database, precision: 'ms' })) as { results?: { series?: Series[]; error?: string }[]; error?: string };
  const error = body.error ?? body.results?.[0]?.error;
  if (error !== undefined) throw new Error(`InfluxDB refused ${JSON.stringify(q)}: ${error}`);
  // A plain loop: a month of 5-minute rows is ~9,000 per device and month, and Object.fromEntries over
  // mapped pairs made a throwaway array per row and per column.
  return (body.results?.[0]?.series ?? []).map((s) => ({
    tags: s.tags ?? {},
    rows: (s.values ?? []).map((v) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < s.columns.length; i++) row[s.columns[i]!] = v[i];
      return row;
    }),
  }));
}

const literal = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function from(database: string, source: DataSource, measurement: string): string {
  return `${quoteIdent(database)}.${quoteIdent(source === 'raw' ? RAW_POLICY : ROLLUP_POLICY)}.${quoteIdent(measurement)}`;
}

function where(site: string, range: Interval): string {
  return `WHERE "site" = ${literal(site)} AND time >= ${range.start}ms AND time < ${range.end}ms`;
}

/** A latency and loss reading: per check result (raw) or per 5-minute mean (rollups). */
export interface LinkReading {
  time: number;
  rttMs: number | undefined;
  lossPct: number | undefined;
  /** How many results it stands for (1 for raw). */
  weight: number;
}

export interface DeviceData {
  results: CheckResult[];
  /** From rollups: the results as a timeline over the range, made as they are rebuilt (`results` is then empty). */
  observed?: Timeline;
  readings: LinkReading[];
}

/**
 * One device's check results for `measurement` (ping, or snmp for devices without ping) in the range and,
 * for the internet link, its latency and loss readings. From rollups, results are rebuilt (observed.ts)
 * with the device's interval. One query per device keeps each answer small: a month of 30-second checks
 * is ~90,000 rows.
 */
export async function loadDeviceData(
  client: InfluxDB,
  database: string,
  o: { site: string; device: string; range: Interval; source: DataSource; measurement: 'ping' | 'snmp'; intervalMs: number; readings: boolean },
): Promise<DeviceData> {
  const raw = o.source === 'raw';
  const link = o.readings && o.measurement === 'ping';
  const fields = raw ? ['up', ...(link ? ['rtt_avg_ms', 'loss_pct'] : [])] : ['mean_up', 'samples', ...(link ? ['mean_rtt_avg_ms', 'mean_loss_pct'] : [])];
  const q = `SELECT ${fields.map(quoteIdent).join(', ')} FROM ${from(database, o.source, o.measurement)} ${where(o.site, o.range)} AND "device" = ${literal(o.device)}`;
  return deviceData((await selectSeries(client, database, q))[0], o.range, raw, link, o.intervalMs);
}

/** One device to read with {@link loadSiteDevices}: its check's measurement and interval, and whether it is an internet link. */
export interface DeviceToRead {
  name: string;
  measurement: 'ping' | 'snmp';
  intervalMs: number;
  readings: boolean;
}

/**
 * Rows per query in {@link loadSiteDevices}, at most (a device's whole range is one query even when longer):
 * devices are read together only while their answer stays this small. Measured on a month of 5-minute
 * rollups (~9,000 rows per device, so a device per query), in one run of 6 schools: batches of 8 devices (~70,000 rows, a few MB of
 * JSON held and parsed at once) took 1.4x the report process's peak memory and 2.5x its garbage-collection
 * time, and no less InfluxDB CPU, than a device per query. Shorter ranges (a month to date) are batched.
 */
export const ROWS_PER_QUERY = 10_000;

/**
 * Every listed device's data as {@link loadSiteDevicesAsRows} reads it (so as {@link loadDeviceData} does),
 * with much less asked of InfluxDB for a month of rollups: devices whose latency and loss are not needed are
 * read as per-day counts of perfect windows first, rows only where a count cannot stand for them
 * (rollup-summary.ts). The timelines come out the same, window for window.
 */
export async function loadSiteDevices(
  client: InfluxDB,
  database: string,
  o: { site: string; range: Interval; source: DataSource; devices: readonly DeviceToRead[] },
): Promise<Map<string, DeviceData>> {
  if (o.source === 'raw') return loadSiteDevicesAsRows(client, database, o);
  // The internet links' latency and loss are per window, and a check whose interval does not divide the
  // window has no perfect windows: those are read as rows.
  const summarised = o.devices.filter((d) => !(d.readings && d.measurement === 'ping') && samplesPerWindow(d.intervalMs) !== undefined);
  const rest = await loadSiteDevicesAsRows(client, database, { ...o, devices: o.devices.filter((d) => !summarised.includes(d)) });
  const found = new Map<string, DeviceData>();
  for (const measurement of ['ping', 'snmp'] as const) {
    const group = summarised.filter((d) => d.measurement === measurement);
    // A batch's windows are held until its timelines are made: about ROWS_PER_QUERY * 8 (a few MB), as before.
    const perBatch = Math.max(1, Math.floor((ROWS_PER_QUERY * 8) / Math.max(1, (o.range.end - o.range.start) / ROLLUP_WINDOW_MS)));
    for (let i = 0; i < group.length; i += perBatch) {
      const batch = group.slice(i, i + perBatch);
      const windows = await loadRollupWindows(client, database, { site: o.site, range: o.range, measurement, devices: batch.map((d) => ({ name: d.name, samples: samplesPerWindow(d.intervalMs)! })) });
      for (const d of batch) found.set(d.name, { results: [], observed: timelineFromRollups(windows.get(d.name) ?? [], d.intervalMs, o.range.start, o.range.end), readings: [] });
    }
  }
  // In the order asked, as the rows' reader gives them.
  return new Map(o.devices.map((d) => [d.name, (found.get(d.name) ?? rest.get(d.name))!]));
}

/**
 * Every listed device's data as {@link loadDeviceData} reads it, in fewer queries: devices with the same
 * measurement and fields are read together (`"device" = … OR …`, GROUP BY "device") while the answer stays
 * under {@link ROWS_PER_QUERY}, a batch at a time, each made into timelines before the next is read.
 * The rows per device are the same as its own query's (InfluxDB's series per device, in time order); a
 * device without rows gets what its own empty answer gives.
 */
export async function loadSiteDevicesAsRows(
  client: InfluxDB,
  database: string,
  o: { site: string; range: Interval; source: DataSource; devices: readonly DeviceToRead[] },
): Promise<Map<string, DeviceData>> {
  const raw = o.source === 'raw';
  const groups = new Map<string, { measurement: 'ping' | 'snmp'; link: boolean; devices: DeviceToRead[] }>();
  for (const d of o.devices) {
    const link = d.readings && d.measurement === 'ping';
    const key = `${d.measurement}/${link}`;
    const g = groups.get(key) ?? { measurement: d.measurement, link, devices: [] };
    g.devices.push(d);
    groups.set(key, g);
  }
  const out = new Map<string, DeviceData>();
  for (const g of groups.values()) {
    const fields = raw ? ['up', ...(g.link ? ['rtt_avg_ms', 'loss_pct'] : [])] : ['mean_up', 'samples', ...(g.link ? ['mean_rtt_avg_ms', 'mean_loss_pct'] : [])];
    const rowsPerDevice = (o.range.end - o.range.start) / (raw ? Math.min(...g.devices.map((d) => d.intervalMs)) : ROLLUP_WINDOW_MS);
    const perQuery = Math.max(1, Math.floor(ROWS_PER_QUERY / Math.max(1, rowsPerDevice)));
    for (let i = 0; i < g.devices.length; i += perQuery) {
      const batch = g.devices.slice(i, i + perQuery);
      const names = [...new Set(batch.map((d) => d.name))];
      const q = `SELECT ${fields.map(quoteIdent).join(', ')} FROM ${from(database, o.source, g.measurement)} ${where(o.site, o.range)} AND (${names.map((n) => `"device" = ${literal(n)}`).join(' OR ')}) GROUP BY "device"`;
      const series = new Map((await selectSeries(client, database, q)).map((s) => [s.tags.device, s]));
      for (const d of batch) out.set(d.name, deviceData(series.get(d.name), o.range, raw, g.link, d.intervalMs));
    }
  }
  return out;
}

/** One series' answer as it came: column names and rows of values. */
interface Columns {
  tags: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

async function selectSeries(client: InfluxDB, database: string, q: string): Promise<Columns[]> {
  const body = (await client.queryRaw(q, { database, precision: 'ms' })) as { results?: { series?: Series[]; error?: string }[]; error?: string };
  const error = body.error ?? body.results?.[0]?.error;
  if (error !== undefined) throw new Error(`InfluxDB refused ${JSON.stringify(q)}: ${error}`);
  return (body.results?.[0]?.series ?? []).map((s) => ({ tags: s.tags ?? {}, columns: s.columns, values: s.values ?? [] }));
}

/**
 * One device's rows (its query's answer, all inside `range`), read from the answer's columns in place: a month of 5-minute rollups
 * is ~9,000 rows per device, and an object per row (and per column) was most of the report's own CPU.
 */
function deviceData(s: Columns | undefined, range: Interval, raw: boolean, link: boolean, intervalMs: number): DeviceData {
  const col = (name: string) => s?.columns.indexOf(name) ?? -1;
  const rows = s?.values ?? [];
  const [up, rtt, loss] = raw ? [col('up'), col('rtt_avg_ms'), col('loss_pct')] : [col('mean_up'), col('mean_rtt_avg_ms'), col('mean_loss_pct')];
  const at = (v: unknown[], i: number) => (i < 0 ? undefined : num(v[i]));
  if (raw) {
    const results: CheckResult[] = [];
    for (const v of rows) if (at(v, up) !== undefined) results.push({ time: v[0] as number, up: (v[up] as number) >= 0.5 });
    return { results, readings: link ? rows.map((v) => ({ time: v[0] as number, rttMs: at(v, rtt), lossPct: at(v, loss), weight: 1 })) : [] };
  }
  const samples = col('samples');
  const windows: { time: number; meanUp: number; samples: number }[] = [];
  for (const v of rows) if (at(v, up) !== undefined && at(v, samples) !== undefined) windows.push({ time: v[0] as number, meanUp: v[up] as number, samples: v[samples] as number });
  return {
    results: [],
    observed: timelineFromRollups(windows, intervalMs, range.start, range.end),
    readings: link ? rows.map((v) => ({ time: v[0] as number, rttMs: at(v, rtt), lossPct: at(v, loss), weight: at(v, samples) ?? 1 })) : [],
  };
}

/**
 * When the school's agent said it was offline: from an `online = 0` status until the next `online = 1`
 * (collector/status/agent-status.ts writes one at each change). Looks back a day before the range for the
 * state it started in. From rollups, a window that was mostly offline counts as a change to offline.
 */
export async function loadAgentOffline(client: InfluxDB, database: string, o: { site: string; range: Interval; source: DataSource }): Promise<Interval[]> {
  const field = o.source === 'raw' ? '"online"' : '"mean_online"';
  const look = { start: o.range.start - 86_400_000, end: o.range.end };
  const series = await select(client, database, `SELECT ${field} FROM ${from(database, o.source, 'agent_status')} ${where(o.site, look)}`);
  const changes = (series[0]?.rows ?? [])
    .map((r) => ({ time: r.time as number, online: (num(r.online ?? r.mean_online) ?? 1) >= 0.5 }))
    .sort((a, b) => a.time - b.time);
  const out: Interval[] = [];
  let since: number | undefined;
  for (const c of changes) {
    if (!c.online && since === undefined) since = c.time;
    else if (c.online && since !== undefined) {
      out.push({ start: since, end: c.time });
      since = undefined;
    }
  }
  if (since !== undefined) out.push({ start: since, end: o.range.end });
  return out;
}

/** A printer supply's last level in the month (agent-depth work: measurement `printer_supply`, RFC 3805). */
export interface SupplyLevel {
  device: string;
  supply: string;
  levelPct: number;
  time: number;
}

/** The last level of every supply in the range; none when the measurement does not exist yet. */
export async function loadSupplyLevels(client: InfluxDB, database: string, o: { site: string; range: Interval }): Promise<SupplyLevel[]> {
  const series = await select(client, database, `SELECT last("level_pct") AS "level_pct" FROM ${from(database, 'raw', 'printer_supply')} ${where(o.site, o.range)} GROUP BY "device", "supply"`);
  return series.flatMap((s) => {
    const row = s.rows[0];
    const level = num(row?.level_pct);
    return level === undefined || s.tags.device === undefined ? [] : [{ device: s.tags.device, supply: s.tags.supply ?? 'supply', levelPct: level, time: row!.time as number }];
  });
}

/** A UPS's readings (agent-depth work: measurement `ups`, RFC 1628 / PowerNet): on battery, and flags. */
export interface UpsReading {
  time: number;
  onBattery: boolean | undefined;
  batteryStatus: string | undefined;
  replaceBattery: boolean;
}

export async function loadUpsReadings(client: InfluxDB, database: string, o: { site: string; range: Interval }): Promise<Map<string, UpsReading[]>> {
  const series = await select(client, database, `SELECT "on_battery", "battery_status", "battery_replace" FROM ${from(database, 'raw', 'ups')} ${where(o.site, o.range)} GROUP BY "device"`);
  return new Map(
    series.flatMap((s) =>
      s.tags.device === undefined
        ? []
        : [
            [
              s.tags.device,
              s.rows.map((r) => ({
                time: r.time as number,
                onBattery: num(r.on_battery) === undefined ? undefined : (r.on_battery as number) >= 0.5,
                batteryStatus: typeof r.battery_status === 'string' ? r.battery_status : undefined,
                replaceBattery: num(r.battery_replace) === 1,
              })),
            ] as const,
          ],
    ),
  );
}

/**
 * Each device's first check result ever (ping or SNMP, raw or rollups), before `before`: when its monitoring
 * began, read from the data rather than the config, so a school added on the 20th is "not monitored" before.
 * A device with no result at all is missing from the map.
 */
export async function loadFirstSeen(client: InfluxDB, database: string, o: { site: string; before: number }): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  // The four asked at once: each is small (a row per device), and one after another they were four waits.
  const answers = await Promise.all(
    (
      [
        ['raw', 'up', 'ping'],
        ['raw', 'up', 'snmp'],
        ['rollup', 'mean_up', 'ping'],
        ['rollup', 'mean_up', 'snmp'],
      ] as const
    ).map(([source, field, measurement]) => {
      const q = `SELECT first(${quoteIdent(field)}) FROM ${from(database, source, measurement)} WHERE "site" = ${literal(o.site)} AND time < ${o.before}ms GROUP BY "device"`;
      // A database without rollups yet (no retention policy made) has nothing older to tell.
      return select(client, database, q).catch((err: unknown) => (source === 'rollup' ? [] : Promise.reject(err)));
    }),
  );
  for (const series of answers) {
    for (const s of series) {
      const time = num(s.rows[0]?.time);
      const device = s.tags.device;
      if (device === undefined || time === undefined) continue;
      out.set(device, Math.min(time, out.get(device) ?? Number.POSITIVE_INFINITY));
    }
  }
  return out;
}

/**
 * {@link loadFirstSeen}'s answer for an earlier `before`, from a later one's: a device's first result
 * before `before` is its first result at all when that is earlier, else it has none.
 */
export function firstSeenBefore(seen: ReadonlyMap<string, number>, before: number): Map<string, number> {
  return new Map([...seen].filter(([, time]) => time < before));
}
