import type { InfluxDB } from 'influx';
import type { Interval } from '../../calendar/index.ts';
import { ROLLUP_POLICY, quoteIdent, quoteTagValue } from '../../storage/retention-cq.ts';
import { ROLLUP_WINDOW_MS, type RollupWindow } from '../availability/observed.ts';

/**
 * A month of 5-minute rollups read as counts of perfect windows first, rows only where a count cannot stand for them.
 *
 * Almost every day of almost every device is "perfect": every 5-minute window there with `mean_up` = 1 and
 * the `samples` its check interval gives. Sending those rows (~9,000 per device and month) as JSON was much of
 * InfluxDB's work for a report (at 1,000 schools, 130–147 % of its 2 cores for 16.7 min). So InfluxDB is
 * asked, per device and UTC day, how many windows are exactly that (`count("mean_up") … WHERE "mean_up" = 1
 * AND "samples" = n`): a day where that is its number of windows is rebuilt here, window by window, exactly
 * as its rows. A day with some is asked again per hour; the rest is read as rows.
 *
 * Why a condition and not count, min and max of each field: InfluxDB 1.6 reads a field once per aggregate,
 * and those six aggregates cost it nearly what the rows did (measured on compacted data: 640 against
 * 850–940 ms of influxd CPU for 42 device-months); one count under a condition on both fields, 210 ms.
 *
 * Rests on two facts of the rollup policy: its rows are on the 5-minute grid (the collector writes them with
 * GROUP BY time(5m), retention-cq.ts), and one series holds one row per time. A device with more than one
 * series (a tag such as its role changed) is read as rows, since another series' row at a counted time would
 * be a second window there; SHOW SERIES tells, from the index, without reading points.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The counts' bucket sizes, coarsest first; what the last cannot stand for is read as rows. */
export const SUMMARY_LEVELS: readonly number[] = [DAY, HOUR];
/** Rows (counts or detail) one request may bring back, at most (as influx-source.ts's ROWS_PER_QUERY). */
const ROWS_PER_REQUEST = 10_000;
/** Characters of statements per request, at most: they travel in the URL (GET), which InfluxDB's HTTP server limits. */
const QUERY_CHARS = 16_000;

/** The 5-minute window times in [start, end): the grid is epoch-aligned, as InfluxDB's GROUP BY time(5m). */
export function windowTimes(start: number, end: number): { first: number; count: number } {
  const first = Math.ceil(start / ROLLUP_WINDOW_MS) * ROLLUP_WINDOW_MS;
  return { first, count: Math.max(0, Math.ceil(end / ROLLUP_WINDOW_MS) - first / ROLLUP_WINDOW_MS) };
}

/**
 * The results a check every `intervalMs` puts in each 5-minute window: the `samples` of its perfect windows.
 * None when the interval does not divide the window (every 45 s: 6 or 7; every 10 min: every other window
 * empty), so that no window count can be its every window: such a device is read as rows.
 */
export function samplesPerWindow(intervalMs: number): number | undefined {
  return intervalMs > 0 && Number.isInteger(intervalMs) && ROLLUP_WINDOW_MS % intervalMs === 0 ? ROLLUP_WINDOW_MS / intervalMs : undefined;
}

/**
 * What a bucket's count of perfect windows (`mean_up` = 1, `samples` = `samples`) says of its windows;
 * `range` is the bucket clipped to the range read, as InfluxDB clips its first and last bucket to the WHERE
 * range. All of its windows perfect: those windows. Some: `finer` (count again in smaller buckets). None, or
 * more than there are windows (rows off the grid, never the collector's): `rows` (read them).
 */
export function judgeBucket(perfect: number, range: Interval, samples: number): 'rows' | 'finer' | RollupWindow[] {
  const { first, count } = windowTimes(range.start, range.end);
  if (perfect !== count) return perfect === 0 || perfect > count ? 'rows' : 'finer';
  const out: RollupWindow[] = new Array(count);
  for (let k = 0; k < count; k++) out[k] = { time: first + k * ROLLUP_WINDOW_MS, meanUp: 1, samples };
  return out;
}

/** A part of the range still to settle for some devices. */
interface Part {
  range: Interval;
  devices: string[];
}

/**
 * Parts for devices: each device's adjacent ranges joined (an outage over three hours is one range, a
 * device with nothing perfect all month one range), then devices with the same range asked together.
 */
export function partsOf(needs: readonly { device: string; range: Interval }[]): Part[] {
  const byDevice = new Map<string, Interval[]>();
  for (const n of needs) byDevice.set(n.device, [...(byDevice.get(n.device) ?? []), n.range]);
  const byRange = new Map<string, Part>();
  for (const [device, ranges] of byDevice) {
    ranges.sort((a, b) => a.start - b.start);
    const joined: Interval[] = [];
    for (const r of ranges) {
      const last = joined[joined.length - 1];
      if (last !== undefined && r.start <= last.end) last.end = Math.max(last.end, r.end);
      else joined.push({ ...r });
    }
    for (const r of joined) {
      const key = `${r.start}/${r.end}`;
      const p = byRange.get(key) ?? { range: r, devices: [] };
      p.devices.push(device);
      byRange.set(key, p);
    }
  }
  return [...byRange.values()].sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end).map((p) => ({ range: p.range, devices: p.devices.sort() }));
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
 * oldest first): exactly the windows a plain read of its rows gives, read as counts where they can be.
 * `samples` is what the device's perfect windows hold ({@link samplesPerWindow}); a wrong guess costs rows, not exactness.
 */
export async function loadRollupWindows(
  client: InfluxDB,
  database: string,
  o: { site: string; range: Interval; measurement: string; devices: readonly { name: string; samples: number }[] },
): Promise<Map<string, RollupWindow[]>> {
  const from = `${quoteIdent(database)}.${quoteIdent(ROLLUP_POLICY)}.${quoteIdent(o.measurement)}`;
  const site = `"site" = ${quoteTagValue(o.site)}`;
  const where = (p: Part) => `WHERE ${site} AND time >= ${p.range.start}ms AND time < ${p.range.end}ms AND (${p.devices.map((d) => `"device" = ${quoteTagValue(d)}`).join(' OR ')})`;
  const samplesOf = new Map<string, number>();
  for (const d of o.devices) if (!samplesOf.has(d.name)) samplesOf.set(d.name, d.samples);
  const names = [...samplesOf.keys()];
  if (o.range.end <= o.range.start) return new Map(names.map((d) => [d, []]));
  const pieces = new Map<string, { start: number; windows: RollupWindow[] }[]>(names.map((d) => [d, []]));
  const rows: { device: string; range: Interval }[] = [];

  // Each device's series (from the index), asked with the first counts.
  const shows = names.map((d) => ({ q: `SHOW SERIES FROM ${from} WHERE ${site} AND "device" = ${quoteTagValue(d)}`, rows: 2 }));
  let series: Map<string, number> | undefined;
  let todo: { device: string; range: Interval }[] = names.map((device) => ({ device, range: o.range }));
  for (let level = 0; level < SUMMARY_LEVELS.length && todo.length > 0; level++) {
    const size = SUMMARY_LEVELS[level]!;
    const next = SUMMARY_LEVELS[level + 1];
    // A count per part and samples; devices split so that an answer stays small.
    const parts = [...new Set(todo.map((t) => samplesOf.get(t.device)!))].flatMap((n) =>
      partsOf(todo.filter((t) => samplesOf.get(t.device) === n)).flatMap((p) => {
        const buckets = Math.ceil((p.range.end - p.range.start) / size) + 1;
        const per = Math.max(1, Math.floor(ROWS_PER_REQUEST / buckets));
        const out: { part: Part; samples: number; rows: number }[] = [];
        for (let i = 0; i < p.devices.length; i += per) out.push({ part: { range: p.range, devices: p.devices.slice(i, i + per) }, samples: n, rows: buckets * Math.min(per, p.devices.length - i) });
        return out;
      }),
    );
    const counts = parts.map(({ part, samples, rows: r }) => ({
      q: `SELECT count("mean_up") FROM ${from} ${where(part)} AND "mean_up" = 1 AND "samples" = ${samples} GROUP BY time(${size}ms), "device" fill(none)`,
      rows: r,
    }));
    const answers = await run(client, database, series === undefined ? [...shows, ...counts] : counts);
    if (series === undefined) series = new Map(names.map((d, i) => [d, answers[i]!.reduce((n, s) => n + (s.values?.length ?? 0), 0)]));
    const answered = answers.slice(answers.length - counts.length);
    todo = [];
    answered.forEach((answer, i) => {
      const { part, samples } = parts[i]!;
      const perfect = new Map(answer.map((s) => [s.tags?.device, new Map((s.values ?? []).map((v) => [v[0] as number, num(v[1]) ?? 0]))]));
      for (const device of part.devices) {
        // No series: no rows to read. More than one: rows, whatever the counts say.
        const n = series!.get(device) ?? 0;
        if (n === 0) continue;
        if (n > 1) {
          rows.push({ device, range: part.range });
          continue;
        }
        for (let t = Math.floor(part.range.start / size) * size; t < part.range.end; t += size) {
          const range = { start: Math.max(t, part.range.start), end: Math.min(t + size, part.range.end) };
          const judged = judgeBucket(perfect.get(device)?.get(t) ?? 0, range, samples);
          if (Array.isArray(judged)) pieces.get(device)!.push({ start: range.start, windows: judged });
          // Finer buckets only where there is more than one of them.
          else if (judged === 'finer' && next !== undefined && range.end - range.start > next) todo.push({ device, range });
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
    answers.forEach((answer, i) => {
      for (const s of answer) {
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
