import type { InfluxDB } from 'influx';
import type { Interval } from '../../calendar/index.ts';
import { ROLLUP_POLICY, quoteIdent, quoteTagValue } from '../../storage/retention-cq.ts';
import { ROLLUP_WINDOW_MS, type RollupWindow } from '../availability/observed.ts';

/**
 * A month of 5-minute ping rollups read as a summary first, rows only where the summary cannot stand for them.
 *
 * Almost every day of almost every device is "perfect": every 5-minute window there, each with the same
 * `mean_up` and `samples`. Sending those rows (~9,000 per device and month) as JSON was most of InfluxDB's
 * work for a report (at 1,000 schools, 130–147 % CPU of 2 cores for 16.7 min). So InfluxDB is asked per
 * device and day for count, min and max of both fields; a day whose counts are its number of windows and
 * whose min equals its max is rebuilt here, window by window, exactly as its rows. A day that is not is
 * asked again per hour, and only the hours that are still not perfect are read as rows.
 *
 * Rests on two facts of the rollup policy: its rows are on the 5-minute grid (the collector writes them with
 * GROUP BY time(5m), retention-cq.ts), and one series holds one row per time. A bucket with rows of more than
 * one series of the device (a tag such as its role changed) is read as rows, since two rows at one time
 * could hide a missing window.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The summary's bucket sizes, coarsest first; imperfect buckets of the last are read as rows. */
export const SUMMARY_LEVELS: readonly number[] = [DAY, HOUR];
/** Rows (summary or detail) one request may bring back, at most (as influx-source.ts's ROWS_PER_QUERY). */
const ROWS_PER_REQUEST = 10_000;
/** Statements per request, at most: they travel in the URL (GET), which InfluxDB's HTTP server limits. */
const QUERY_CHARS = 16_000;

/** The 5-minute window times in [start, end): the grid is epoch-aligned, as InfluxDB's GROUP BY time(5m). */
export function windowTimes(start: number, end: number): { first: number; count: number } {
  const first = Math.ceil(start / ROLLUP_WINDOW_MS) * ROLLUP_WINDOW_MS;
  return { first, count: Math.max(0, Math.ceil(end / ROLLUP_WINDOW_MS) - first / ROLLUP_WINDOW_MS) };
}

/** One series' aggregates over one bucket, as InfluxDB answered them (null: no value of that field). */
export interface BucketSummary {
  nUp: number;
  nSamples: number;
  minUp: number | null;
  maxUp: number | null;
  minSamples: number | null;
  maxSamples: number | null;
}

/**
 * What a bucket's summary says of its windows (`range` is the bucket clipped to the range read, as InfluxDB
 * clips its first and last bucket to the WHERE range): `none` when no row has both fields (a window needs
 * both), the windows themselves when every one is there with one value of each, else `rows` (read them).
 * `series` is how many series of the device had rows in the bucket.
 */
export function judgeBucket(s: BucketSummary, series: number, range: Interval): 'none' | 'rows' | RollupWindow[] {
  if (s.nUp === 0 || s.nSamples === 0) return 'none';
  const { first, count } = windowTimes(range.start, range.end);
  const same = s.minUp !== null && s.minUp === s.maxUp && s.minSamples !== null && s.minSamples === s.maxSamples;
  if (series !== 1 || !same || s.nUp !== count || s.nSamples !== count) return 'rows';
  const out: RollupWindow[] = new Array(count);
  for (let k = 0; k < count; k++) out[k] = { time: first + k * ROLLUP_WINDOW_MS, meanUp: s.minUp!, samples: s.minSamples! };
  return out;
}

/**
 * {@link judgeBucket} for every series of the device with rows in the bucket: with more than one, the
 * rows are read unless no series has a row with both fields.
 */
function judgeSeries(summaries: readonly BucketSummary[], range: Interval): 'none' | 'rows' | RollupWindow[] {
  if (summaries.length === 1) return judgeBucket(summaries[0]!, 1, range);
  return summaries.every((s) => judgeBucket(s, summaries.length, range) === 'none') ? 'none' : 'rows';
}

/** A part of the range still to settle for some devices. */
interface Part {
  range: Interval;
  devices: string[];
}

/**
 * Parts for devices, one per distinct range, adjacent ranges with the same devices joined: an outage
 * over three hours of two devices is one statement, not six.
 */
export function partsOf(needs: readonly { device: string; range: Interval }[]): Part[] {
  const byRange = new Map<string, Part>();
  for (const n of needs) {
    const key = `${n.range.start}/${n.range.end}`;
    const p = byRange.get(key) ?? { range: n.range, devices: [] };
    if (!p.devices.includes(n.device)) p.devices.push(n.device);
    byRange.set(key, p);
  }
  const sorted = [...byRange.values()].sort((a, b) => a.range.start - b.range.start);
  const out: Part[] = [];
  for (const p of sorted) {
    p.devices.sort();
    const last = out[out.length - 1];
    if (last !== undefined && last.range.end === p.range.start && last.devices.join('\n') === p.devices.join('\n')) last.range = { start: last.range.start, end: p.range.end };
    else out.push(p);
  }
  return out;
}

interface Series {
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
}

/** Runs statements in as few requests as their answers' size and the URL allow; each statement's series. */
async function run(client: InfluxDB, database: string, statements: readonly { q: string; rows: number }[]): Promise<Series[][]> {
  const out: Series[][] = [];
  for (let i = 0; i < statements.length; ) {
    let rows = 0;
    let chars = 0;
    let j = i;
    while (j < statements.length && (j === i || (rows + statements[j]!.rows <= ROWS_PER_REQUEST && chars + statements[j]!.q.length < QUERY_CHARS))) {
      rows += statements[j]!.rows;
      chars += statements[j]!.q.length + 1;
      j++;
    }
    const q = statements.slice(i, j).map((s) => s.q).join(';');
    const body = (await client.queryRaw(q, { database, precision: 'ms' })) as { results?: { statement_id?: number; series?: Series[]; error?: string }[]; error?: string };
    if (body.error !== undefined) throw new Error(`InfluxDB refused ${JSON.stringify(q)}: ${body.error}`);
    for (let k = 0; k < j - i; k++) {
      const result = body.results?.find((r) => (r.statement_id ?? 0) === k);
      if (result?.error !== undefined) throw new Error(`InfluxDB refused ${JSON.stringify(statements[i + k]!.q)}: ${result.error}`);
      out.push(result?.series ?? []);
    }
    i = j;
  }
  return out;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Every listed device's rollup windows of `measurement` in `range` (rows with both `mean_up` and `samples`,
 * oldest first): exactly the windows a plain read of its rows gives, read as summaries where they can be.
 */
export async function loadRollupWindows(
  client: InfluxDB,
  database: string,
  o: { site: string; range: Interval; measurement: string; devices: readonly string[] },
): Promise<Map<string, RollupWindow[]>> {
  const from = `${quoteIdent(database)}.${quoteIdent(ROLLUP_POLICY)}.${quoteIdent(o.measurement)}`;
  const where = (p: Part) =>
    `WHERE "site" = ${quoteTagValue(o.site)} AND time >= ${p.range.start}ms AND time < ${p.range.end}ms AND (${p.devices.map((d) => `"device" = ${quoteTagValue(d)}`).join(' OR ')})`;
  const pieces = new Map<string, { start: number; windows: RollupWindow[] }[]>(o.devices.map((d) => [d, []]));
  const rows: { device: string; range: Interval }[] = [];
  let todo: { device: string; range: Interval }[] = o.range.end > o.range.start ? [...new Set(o.devices)].map((device) => ({ device, range: o.range })) : [];
  for (let level = 0; level < SUMMARY_LEVELS.length && todo.length > 0; level++) {
    const size = SUMMARY_LEVELS[level]!;
    const next = SUMMARY_LEVELS[level + 1];
    // A summary statement per part (per device batch, so an answer stays small); GROUP BY * keeps series apart.
    const parts = partsOf(todo).flatMap((p) => {
      const buckets = Math.ceil((p.range.end - p.range.start) / size) + 1;
      const per = Math.max(1, Math.floor(ROWS_PER_REQUEST / buckets));
      const out: { part: Part; rows: number }[] = [];
      for (let i = 0; i < p.devices.length; i += per) out.push({ part: { range: p.range, devices: p.devices.slice(i, i + per) }, rows: buckets * Math.min(per, p.devices.length - i) });
      return out;
    });
    const statements = parts.map(({ part, rows: r }) => ({
      q:
        `SELECT count("mean_up"), count("samples"), min("mean_up"), max("mean_up"), min("samples"), max("samples") FROM ${from} ${where(part)}` +
        ` GROUP BY time(${size}ms), * fill(none)`,
      rows: r,
    }));
    const answers = await run(client, database, statements);
    todo = [];
    answers.forEach((series, i) => {
      const part = parts[i]!.part;
      // device → bucket start → each series' summary there.
      const buckets = new Map<string, Map<number, BucketSummary[]>>();
      for (const s of series) {
        const device = s.tags?.device;
        if (device === undefined) continue;
        const byTime = buckets.get(device) ?? new Map<number, BucketSummary[]>();
        buckets.set(device, byTime);
        for (const v of s.values ?? []) {
          const t = v[0] as number;
          const summary = { nUp: num(v[1]) ?? 0, nSamples: num(v[2]) ?? 0, minUp: num(v[3]), maxUp: num(v[4]), minSamples: num(v[5]), maxSamples: num(v[6]) };
          byTime.set(t, [...(byTime.get(t) ?? []), summary]);
        }
      }
      for (const [device, byTime] of buckets) {
        for (const [t, summaries] of byTime) {
          const range = { start: Math.max(t, part.range.start), end: Math.min(t + size, part.range.end) };
          const judged = judgeSeries(summaries, range);
          if (judged === 'none') continue;
          if (judged !== 'rows') pieces.get(device)?.push({ start: range.start, windows: judged });
          // Finer buckets only where there is more than one of them.
          else if (next !== undefined && range.end - range.start > next) todo.push({ device, range });
          else rows.push({ device, range });
        }
      }
    });
  }
  if (rows.length > 0) {
    const parts = partsOf(rows);
    const statements = parts.map((p) => ({
      q: `SELECT "mean_up", "samples" FROM ${from} ${where(p)} GROUP BY "device"`,
      rows: windowTimes(p.range.start, p.range.end).count * p.devices.length,
    }));
    const answers = await run(client, database, statements);
    answers.forEach((series, i) => {
      for (const s of series) {
        const device = s.tags?.device;
        if (device === undefined) continue;
        const up = s.columns.indexOf('mean_up');
        const samples = s.columns.indexOf('samples');
        const windows: RollupWindow[] = [];
        for (const v of s.values ?? []) {
          const meanUp = up < 0 ? null : num(v[up]);
          const n = samples < 0 ? null : num(v[samples]);
          if (meanUp !== null && n !== null) windows.push({ time: v[0] as number, meanUp, samples: n });
        }
        pieces.get(device)?.push({ start: parts[i]!.range.start, windows });
      }
    });
  }
  return new Map(
    [...pieces].map(([device, ps]) => {
      ps.sort((a, b) => a.start - b.start);
      return [device, ps.length === 1 ? ps[0]!.windows : ps.flatMap((p) => p.windows)];
    }),
  );
}
