import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { InfluxDB } from 'influx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthInterval } from '../../calendar/index.ts';
import { createInfluxClient } from '../../storage/influx-client.ts';
import { ROLLUP_WINDOW_MS, type RollupWindow } from '../availability/observed.ts';
import { startInflux, type InfluxServer } from '../../../test/harness/index.ts';
import { influxdConfig } from '../../../test/harness/influxd.ts';
import { monthLines } from '../../../bench/fleet/reports.ts';
import { school } from '../../../bench/fleet/schools.ts';
import { loadSiteDevices, loadSiteDevicesAsRows, type DeviceToRead } from './influx-source.ts';
import { judgeBucket, loadRollupWindows, partsOf, samplesPerWindow, windowTimes } from './rollup-summary.ts';

const W = ROLLUP_WINDOW_MS;
const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('the windows a summary stands for (pure)', () => {
  it('counts the 5-minute grid times inside a bucket clipped at any offset', () => {
    const midnight = Date.parse('2026-10-01T00:00:00Z');
    expect(windowTimes(midnight, midnight + DAY)).toEqual({ first: midnight, count: 288 });
    // A London month starts at 23:00 UTC in summer: its first UTC day holds one hour.
    expect(windowTimes(midnight - HOUR, midnight)).toEqual({ first: midnight - HOUR, count: 12 });
    // Kathmandu (+5:45) and a month to date ending at an odd millisecond.
    expect(windowTimes(midnight + 18 * HOUR + 15 * 60_000, midnight + DAY)).toEqual({ first: midnight + 18 * HOUR + 15 * 60_000, count: 69 });
    expect(windowTimes(midnight + 1, midnight + W + 1)).toEqual({ first: midnight + W, count: 1 });
    expect(windowTimes(midnight + 1, midnight + W)).toEqual({ first: midnight + W, count: 0 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: 0, max: 3 * DAY }), (start, length) => {
        const { first, count } = windowTimes(start, start + length);
        let n = 0;
        for (let t = Math.ceil(start / W) * W; t < start + length; t += W) n++;
        expect(count).toBe(n);
        expect(first % W).toBe(0);
      }),
    );
  });

  const hour = { start: Date.parse('2026-10-01T10:00:00Z'), end: Date.parse('2026-10-01T11:00:00Z') };

  it('stands for a bucket whose every window is perfect', () => {
    const windows = judgeBucket(12, hour, 5) as RollupWindow[];
    expect(windows).toHaveLength(12);
    expect(windows[0]).toEqual({ time: hour.start, meanUp: 1, samples: 5 });
    expect(windows[11]).toEqual({ time: hour.end - W, meanUp: 1, samples: 5 });
    // Clipped: the London month's first hour of the UTC day, and a month to date ending 1 ms after a window began.
    expect(judgeBucket(1, { start: hour.start + 11 * W, end: hour.end }, 10)).toEqual([{ time: hour.start + 11 * W, meanUp: 1, samples: 10 }]);
    expect(judgeBucket(1, { start: hour.start, end: hour.start + 1 }, 5)).toEqual([{ time: hour.start, meanUp: 1, samples: 5 }]);
  });

  it('counts again in smaller buckets when only some are, reads rows when none or too many are', () => {
    expect(judgeBucket(11, hour, 5)).toBe('finer');
    expect(judgeBucket(1, hour, 5)).toBe('finer');
    expect(judgeBucket(0, hour, 5)).toBe('rows');
    // More perfect rows than windows: rows off the grid (never the collector's).
    expect(judgeBucket(13, hour, 5)).toBe('rows');
    expect(judgeBucket(0, { start: hour.start + 1, end: hour.start + W }, 5)).toEqual([]);
  });

  it('guesses the perfect window\'s samples from the check interval', () => {
    expect([10_000, 30_000, 60_000, 100_000, 150_000, 300_000].map(samplesPerWindow)).toEqual([30, 10, 5, 3, 2, 1]);
    // Intervals that do not divide the window: no window count can be every window.
    expect([45_000, 90_000, 120_000, 600_000, 0, 1.5].map(samplesPerWindow)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('joins a device\'s adjacent ranges, and asks no range twice', () => {
    const h = (k: number) => ({ start: hour.start + k * HOUR, end: hour.start + (k + 1) * HOUR });
    const parts = partsOf([
      { device: 'b', range: h(0) },
      { device: 'a', range: h(0) },
      { device: 'a', range: h(1) },
      { device: 'a', range: h(2) },
      { device: 'a', range: h(4) },
      { device: 'a', range: h(4) },
    ]);
    expect(parts).toEqual([
      { range: h(0), devices: ['b'] },
      { range: { start: h(0).start, end: h(2).end }, devices: ['a'] },
      { range: h(4), devices: ['a'] },
    ]);
  });

  it('joins each device\'s adjacent ranges first, then asks devices with the same range together', () => {
    const h = (k: number) => ({ start: hour.start + k * HOUR, end: hour.start + (k + 1) * HOUR });
    const parts = partsOf([...[0, 1, 2].map((k) => ({ device: 'a', range: h(k) })), { device: 'b', range: { start: h(0).start, end: h(2).end } }, { device: 'c', range: h(1) }]);
    expect(parts).toEqual([
      { range: { start: h(0).start, end: h(2).end }, devices: ['a', 'b'] },
      { range: h(1), devices: ['c'] },
    ]);
  });
});

/** The client, counting what InfluxDB was asked and answered: requests, statements, rows, JSON characters. */
function counting(client: InfluxDB) {
  const log: { q: string; statements: number; rows: number; chars: number }[] = [];
  const proxy = new Proxy(client, {
    get(target, prop) {
      if (prop === 'queryRaw') {
        return async (q: string, options: unknown) => {
          const body = (await target.queryRaw(q, options as never)) as { results?: { series?: { values?: unknown[][] }[] }[] };
          const rows = (body.results ?? []).reduce((n, r) => n + (r.series ?? []).reduce((m, s) => m + (s.values?.length ?? 0), 0), 0);
          log.push({ q, statements: q.split(';').length, rows, chars: JSON.stringify(body).length });
          return body;
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { client: proxy, log, reset: () => log.splice(0) };
}

const DB = 'summary';
let influx: InfluxServer;
let client: InfluxDB;

beforeAll(async () => {
  influx = await startInflux();
  for (const q of [`CREATE DATABASE "${DB}"`, `CREATE RETENTION POLICY "raw" ON "${DB}" DURATION INF REPLICATION 1 DEFAULT`, `CREATE RETENTION POLICY "rollup_5m" ON "${DB}" DURATION INF REPLICATION 1`]) await influx.query(q);
  client = createInfluxClient({ url: influx.url, database: DB });
}, 60_000);
afterAll(async () => {
  await influx?.stop();
});

async function write(lines: readonly string[], rp = 'rollup_5m'): Promise<void> {
  for (let i = 0; i < lines.length; i += 20_000) {
    const r = await fetch(`${influx.url}/write?${new URLSearchParams({ db: DB, rp, precision: 'ms' })}`, { method: 'POST', body: lines.slice(i, i + 20_000).join('\n') });
    expect(r.status, await r.text()).toBe(204);
  }
}

/** The windows of a plain read of every row (rows with both fields, oldest first), per device. */
async function plainWindows(site: string, range: { start: number; end: number }, measurement: string): Promise<Map<string, RollupWindow[]>> {
  const body = (await client.queryRaw(`SELECT "mean_up", "samples" FROM "${DB}"."rollup_5m"."${measurement}" WHERE "site" = '${site}' AND time >= ${range.start}ms AND time < ${range.end}ms GROUP BY "device"`, {
    database: DB,
    precision: 'ms',
  })) as { results: { series?: { tags: { device: string }; values: [number, unknown, unknown][] }[] }[] };
  return new Map(
    (body.results[0]!.series ?? []).map((s) => [
      s.tags.device,
      s.values.filter(([, u, n]) => typeof u === 'number' && typeof n === 'number').map(([time, u, n]) => ({ time, meanUp: u as number, samples: n as number })),
    ]),
  );
}

// Local midnights that start a month: London in BST (23:00 UTC), Kolkata (18:30), Kathmandu (18:15),
// Adelaide (13:30 in October, ACDT), Chatham (10:15), and a UTC one.
const ANCHORS = ['Europe/London', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Adelaide', 'Pacific/Chatham', 'UTC'].flatMap((zone) => [
  monthInterval('2026-10', zone).start,
  // Days before the clocks go back in London (25 Oct) and forward (29 Mar): ranges that hold the change.
  monthInterval('2026-10', zone).start + 23 * DAY,
  monthInterval('2026-03', zone).start + 27 * DAY,
]);

/** A device's checks: its measurement, interval, and the `samples` of its perfect windows. */
const DEVICES = [
  { name: 'd0', measurement: 'ping', intervalMs: 60_000 },
  // Names that need quoting in InfluxQL and escaping in line protocol.
  { name: "hall ap, o'neil=2", measurement: 'ping', intervalMs: 30_000 },
  { name: 'core "sw"\\1', measurement: 'snmp', intervalMs: 300_000 },
] as const;
const tag = (v: string) => v.replace(/[ ,=]/g, (c) => `\\${c}`);

/** One device's rows: a run of one value (mostly perfect) over most of the range, with edits (gaps, other values, a field missing, a second series). */
const deviceRows = fc.record({
  // Mostly as the collector writes them: filled, up, the interval's samples.
  filled: fc.constantFrom(true, true, true, false),
  meanUp: fc.oneof({ arbitrary: fc.constant(1), weight: 6 }, { arbitrary: fc.constantFrom(0, 0.5, 1 / 3, 0.9166666666666666), weight: 2 }),
  samples: fc.oneof({ arbitrary: fc.constant<'usual'>('usual'), weight: 6 }, { arbitrary: fc.constantFrom(4, 0, undefined), weight: 2 }),
  edits: fc.array(
    fc.record({
      slot: fc.integer({ min: -300, max: 1_000 }),
      length: fc.integer({ min: 1, max: 40 }),
      kind: fc.constantFrom('gap', 'gap', 'value', 'value', 'noSamples', 'noUp', 'otherSeries'),
      meanUp: fc.constantFrom(0, 0.25, 1, 0.5),
      samples: fc.constantFrom<'usual' | number>('usual', 4, 0, 11),
    }),
    { maxLength: 6 },
  ),
  // Written afterwards over rows already there: InfluxDB keeps the last value of each field.
  overwrites: fc.array(fc.record({ slot: fc.integer({ min: -10, max: 900 }), meanUp: fc.constantFrom(0, 0.5, 1) }), { maxLength: 4 }),
});

describe('a month read as counts of perfect windows, judged by a plain read of its rows in a real InfluxDB', () => {
  it('gives every device the windows, timeline and readings of the plain read: gaps, fields missing, mixed values, overwrites, two series, odd offsets, DST', async () => {
    let run = 0;
    const paths = { perfectDays: 0, hours: 0, rows: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ANCHORS),
        fc.integer({ min: -2 * HOUR, max: 2 * HOUR }).map((n) => (n % 7 === 0 ? n : Math.round(n / W) * W)),
        fc.integer({ min: 1, max: 3 * DAY }),
        fc.array(deviceRows, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (anchor, shift, length, devices, link) => {
          const site = `p${run++}`;
          const range = { start: anchor + shift, end: anchor + shift + length };
          const base = Math.floor(range.start / W) - 20;
          const last = Math.ceil(range.end / W) + 20;
          const lines: string[] = [];
          const later: string[] = [];
          devices.forEach((d, k) => {
            const device = DEVICES[k]!;
            const usual = samplesPerWindow(device.intervalMs)!;
            const key = `${device.measurement},device=${tag(device.name)}`;
            const samplesOf = (v: 'usual' | number | undefined) => (v === 'usual' ? usual : v);
            const rows = new Map<number, { up?: number; samples?: number }>();
            const plain = () => ({ up: d.meanUp, ...(samplesOf(d.samples) === undefined ? {} : { samples: samplesOf(d.samples)! }) });
            if (d.filled) for (let s = base; s < last; s++) rows.set(s, plain());
            for (const e of d.edits) {
              for (let s = base + e.slot; s < base + e.slot + e.length; s++) {
                const was = rows.get(s) ?? plain();
                if (e.kind === 'gap') rows.delete(s);
                else if (e.kind === 'value') rows.set(s, { up: e.meanUp, samples: samplesOf(e.samples)! });
                else if (e.kind === 'noSamples') rows.set(s, { ...(was.up === undefined ? {} : { up: was.up }) });
                else if (e.kind === 'noUp') rows.set(s, { samples: was.samples ?? usual });
                // The same times in a second series of the device (its role changed).
                else lines.push(`${key},role=other,site=${site} mean_up=${e.meanUp},samples=${samplesOf(e.samples)}i ${s * W}`);
              }
            }
            for (const [s, r] of rows) {
              const fields = [...(r.up === undefined ? [] : [`mean_up=${r.up}`]), ...(r.samples === undefined ? [] : [`samples=${r.samples}i`]), ...(k === 0 ? [`mean_rtt_avg_ms=${(s % 9) + 1}`] : [])];
              if (fields.length > 0) lines.push(`${key},role=r,site=${site} ${fields.join(',')} ${s * W}`);
            }
            for (const o of d.overwrites) later.push(`${key},role=r,site=${site} mean_up=${o.meanUp} ${(base + o.slot) * W}`);
          });
          if (lines.length > 0) await write(lines);
          if (later.length > 0) await write(later);
          const asked: DeviceToRead[] = devices.map((_, k) => ({ ...DEVICES[k]!, readings: k === 0 && link }));
          // A device nobody wrote; and the same names are at every other school of the run, whose rows must not come in.
          asked.push({ name: 'never', measurement: 'ping', intervalMs: 60_000, readings: false });
          const want = await loadSiteDevicesAsRows(client, DB, { site, range, source: 'rollup', devices: asked });
          const c = counting(client);
          const got = await loadSiteDevices(c.client, DB, { site, range, source: 'rollup', devices: asked });
          expect(got).toEqual(want);
          const days = c.log.find((l) => l.q.includes('GROUP BY time(86400000ms)'));
          if (days !== undefined && days.rows > devices.length) paths.perfectDays++;
          if (c.log.some((l) => l.q.includes('GROUP BY time(3600000ms)'))) paths.hours++;
          if (c.log.some((l) => l.q.startsWith('SELECT "mean_up", "samples"'))) paths.rows++;
          for (const measurement of ['ping', 'snmp']) {
            const names = asked.filter((d) => d.measurement === measurement);
            const windows = await loadRollupWindows(client, DB, { site, range, measurement, devices: names.map((d) => ({ name: d.name, samples: samplesPerWindow(d.intervalMs) ?? 1 })) });
            const plain = await plainWindows(site, range, measurement);
            for (const { name } of names) expect(windows.get(name), `${site} ${name}`).toEqual(plain.get(name) ?? []);
          }
        },
      ),
      { numRuns: 40 },
    );
    // Every path was taken: days counted perfect, days counted again per hour, rows read.
    expect(paths.perfectDays).toBeGreaterThan(5);
    expect(paths.hours).toBeGreaterThan(5);
    expect(paths.rows).toBeGreaterThan(5);
  }, 300_000);
});

describe('what InfluxDB is asked', () => {
  // October in London: from the day before (the report's look-back), 23:00 UTC, over the end of BST.
  const month = monthInterval('2026-10', 'Europe/London');
  const range = { start: month.start - DAY, end: month.end };
  const ap = (name: string): DeviceToRead => ({ name, measurement: 'ping', intervalMs: 60_000, readings: false });
  const perfect = (site: string, device: string, edit?: (t: number) => string | undefined) => {
    const lines: string[] = [];
    for (let t = range.start - DAY; t < range.end + DAY; t += W) {
      const fields = edit?.(t) ?? 'mean_up=1,samples=5i';
      if (fields !== '') lines.push(`ping,device=${device},role=access-point,site=${site} ${fields} ${t}`);
    }
    return lines;
  };
  const broken = Date.parse('2026-10-14T10:00:00Z');

  beforeAll(async () => {
    await write([
      ...perfect('asked', 'perfect'),
      // One window down in an hour of the 14th, and the same hour of another device: read together.
      ...perfect('asked', 'one-hour', (t) => (t === broken + 2 * W ? 'mean_up=0.4,samples=5i' : undefined)),
      ...perfect('asked', 'same-hour', (t) => (t === broken + 7 * W ? '' : undefined)),
      // Only a row the day after the month.
      `ping,device=outside,role=access-point,site=asked mean_up=1,samples=5i ${range.end + HOUR}`,
      // Down all of the 20th.
      ...perfect('asked', 'day-down', (t) => (t >= Date.parse('2026-10-20T00:00:00Z') && t < Date.parse('2026-10-21T00:00:00Z') ? 'mean_up=0,samples=5i' : undefined)),
      // Its role changed: one row in a second series.
      ...perfect('asked', 'two-series'),
      `ping,device=two-series,role=switch,site=asked mean_up=1,samples=5i ${broken}`,
      // Checked every minute, read as if every 30 s (its site file changed since).
      ...perfect('asked', 'slower'),
    ]);
  }, 60_000);

  it('a perfect month: its series and one count in one request, no rows, and the same timeline', async () => {
    const c = counting(client);
    const got = await loadSiteDevices(c.client, DB, { site: 'asked', range, source: 'rollup', devices: [ap('perfect')] });
    expect(c.log.map((l) => l.statements)).toEqual([2]);
    expect(c.log[0]!.q).toMatch(/^SHOW SERIES .*; *SELECT count\("mean_up"\) .* AND "mean_up" = 1 AND "samples" = 5 GROUP BY time\(86400000ms\)/);
    // Its one series, and the 33 UTC days that hold the range (its first from 23:00).
    expect(c.log[0]!.rows).toBe(1 + 33);
    expect(got).toEqual(await loadSiteDevicesAsRows(client, DB, { site: 'asked', range, source: 'rollup', devices: [ap('perfect')] }));
    expect(got.get('perfect')!.observed).toEqual([{ start: range.start, end: range.end, state: 'up' }]);
  });

  it('an imperfect hour: its day counted per hour, and the rows of that hour alone, of both devices at once', async () => {
    const c = counting(client);
    const devices = [ap('perfect'), ap('one-hour'), ap('same-hour')];
    const got = await loadSiteDevices(c.client, DB, { site: 'asked', range, source: 'rollup', devices });
    expect(got).toEqual(await loadSiteDevicesAsRows(client, DB, { site: 'asked', range, source: 'rollup', devices }));
    expect(c.log).toHaveLength(3);
    const [days, hours, rows] = c.log;
    expect(days!.q).toMatch(/GROUP BY time\(86400000ms\)/);
    expect(days!.rows).toBe(3 + 3 * 33);
    expect(hours!.statements).toBe(1);
    expect(hours!.q).toMatch(/GROUP BY time\(3600000ms\)/);
    expect(hours!.q).toContain(`time >= ${Date.parse('2026-10-14T00:00:00Z')}ms AND time < ${Date.parse('2026-10-15T00:00:00Z')}ms AND ("device" = 'one-hour' OR "device" = 'same-hour')`);
    expect(hours!.rows).toBe(2 * 24);
    expect(rows!.statements).toBe(1);
    expect(rows!.q).toMatch(/^SELECT "mean_up", "samples" /);
    expect(rows!.q).toContain(`time >= ${broken}ms AND time < ${broken + HOUR}ms AND ("device" = 'one-hour' OR "device" = 'same-hour')`);
    expect(rows!.rows).toBe(12 + 11);
    expect(got.get('one-hour')!.observed!.some((s) => s.state === 'down')).toBe(true);
  });

  it('a day down, a second series, windows of other samples: read as rows, the same as the plain read', async () => {
    const c = counting(client);
    const devices = [ap('day-down'), ap('two-series'), { ...ap('slower'), intervalMs: 30_000 }];
    const got = await loadSiteDevices(c.client, DB, { site: 'asked', range, source: 'rollup', devices });
    expect(got).toEqual(await loadSiteDevicesAsRows(client, DB, { site: 'asked', range, source: 'rollup', devices }));
    // Their rows in two requests (each answer under 10,000 rows): the day down, then the other two all month.
    expect(c.log.map((l) => l.statements)).toEqual([5, 1, 1]);
    const rows = { q: c.log[1]!.q + c.log[2]!.q, rows: c.log[1]!.rows + c.log[2]!.rows };
    // The day down alone (no hour of it counted again), two-series and slower (5 samples, not 10) all month.
    expect(rows.q).toContain(`time >= ${Date.parse('2026-10-20T00:00:00Z')}ms AND time < ${Date.parse('2026-10-21T00:00:00Z')}ms AND ("device" = 'day-down')`);
    expect(rows.q).toContain(`time >= ${range.start}ms AND time < ${range.end}ms AND ("device" = 'slower' OR "device" = 'two-series')`);
    expect(rows.rows).toBe(288 + 2 * windowTimes(range.start, range.end).count + 1);
  });

  it('a check every 45 s or 10 min (no window count can be every window): rows at once, no count asked', async () => {
    const c = counting(client);
    const devices = [{ ...ap('perfect'), intervalMs: 45_000 }, { ...ap('one-hour'), intervalMs: 600_000 }];
    const got = await loadSiteDevices(c.client, DB, { site: 'asked', range, source: 'rollup', devices });
    expect(got).toEqual(await loadSiteDevicesAsRows(client, DB, { site: 'asked', range, source: 'rollup', devices }));
    expect(c.log.some((l) => /SHOW SERIES|count\(/.test(l.q))).toBe(false);
  });

  it('a device with no rows, and one whose only row is outside the range: nothing perfect, no rows in range, unknown all month', async () => {
    const c = counting(client);
    const devices = [ap('nothing'), ap('outside')];
    const got = await loadSiteDevices(c.client, DB, { site: 'asked', range, source: 'rollup', devices });
    // No series for "nothing": its rows are never asked for; "outside" is, and none come.
    expect(c.log.map((l) => [l.statements, l.rows])).toEqual([
      [3, 1],
      [1, 0],
    ]);
    expect(c.log[1]!.q).not.toContain("'nothing'");
    for (const d of devices) expect(got.get(d.name)).toEqual({ results: [], readings: [], observed: [{ start: range.start, end: range.end, state: 'unknown' }] });
    expect(got).toEqual(await loadSiteDevicesAsRows(client, DB, { site: 'asked', range, source: 'rollup', devices }));
  });
});

/** influxd's CPU time so far (user + system), in ms, from /proc (clock ticks of 10 ms). */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

describe("one fleet school's month (bench/fleet/reports.ts monthLines), read both ways from compacted data", () => {
  let compacted: InfluxServer;
  let cc: InfluxDB;
  beforeAll(async () => {
    // Snapshot and compact as soon as writes stop, as a month-old shard is by the time its report is made.
    compacted = await startInflux({
      renderConfig: (dir, rpc, http) => influxdConfig(dir, rpc, http, false).replace('[data]\n', '[data]\n  cache-snapshot-write-cold-duration = "1s"\n  compact-full-write-cold-duration = "2s"\n'),
    });
    for (const q of [`CREATE DATABASE "${DB}"`, `CREATE RETENTION POLICY "rollup_5m" ON "${DB}" DURATION INF REPLICATION 1`]) await compacted.query(q);
    cc = createInfluxClient({ url: compacted.url, database: DB });
  }, 60_000);
  afterAll(async () => {
    await compacted?.stop();
  });

  it('the same devices, from a fraction of the rows, JSON and influxd CPU', async () => {
    const s = school(1);
    const month = '2026-10';
    const lines = [...monthLines(s, month, 60)].filter((l) => l.rp === 'rollup_5m').map((l) => l.line);
    for (let i = 0; i < lines.length; i += 20_000) {
      const r = await fetch(`${compacted.url}/write?${new URLSearchParams({ db: DB, rp: 'rollup_5m', precision: 'ms' })}`, { method: 'POST', body: lines.slice(i, i + 20_000).join('\n') });
      expect(r.status).toBe(204);
    }
    // Until influxd has been quiet for 4 s (its snapshot and compaction done), at most 60 s.
    for (let quiet = 0, k = 0, was = cpuMs(compacted.pid); quiet < 4 && k < 60; k++) {
      await new Promise((r) => setTimeout(r, 1_000));
      const now = cpuMs(compacted.pid);
      quiet = now - was <= 10 ? quiet + 1 : 0;
      was = now;
    }
    const m = monthInterval(month, 'UTC');
    const range = { start: m.start - DAY, end: m.end };
    const devices: DeviceToRead[] = s.devices.map((d) => ({ name: d.name, measurement: 'ping', intervalMs: 60_000, readings: d.role === 'internet' }));
    const link = devices.filter((d) => d.readings);
    const reads = { before: loadSiteDevicesAsRows, after: loadSiteDevices, linkOnly: (cl: InfluxDB, db: string, o: Parameters<typeof loadSiteDevices>[2]) => loadSiteDevicesAsRows(cl, db, { ...o, devices: link }) };
    const totals = Object.fromEntries(Object.keys(reads).map((k) => [k, { requests: 0, statements: 0, rows: 0, chars: 0, influxCpuMs: 0 }]));
    const data: Record<string, unknown> = {};
    const REPEATS = 6;
    // Taken in turn, so that anything else on the machine weighs on each alike.
    for (let k = 0; k < REPEATS; k++) {
      for (const [name, read] of Object.entries(reads)) {
        const c = counting(cc);
        const cpu = cpuMs(compacted.pid);
        data[name] = await read(c.client, DB, { site: s.site, range, source: 'rollup', devices });
        const t = totals[name]!;
        t.influxCpuMs += cpuMs(compacted.pid) - cpu;
        for (const l of c.log) {
          t.requests += 1;
          t.statements += l.statements;
          t.rows += l.rows;
          t.chars += l.chars;
        }
      }
    }
    // Per read.
    for (const t of Object.values(totals)) for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] = Math.round((t[k] / REPEATS) * 10) / 10;
    expect(data.after).toEqual(data.before);
    const { before, after, linkOnly } = totals as Record<'before' | 'after' | 'linkOnly', (typeof totals)[string]>;
    const without = (t: typeof before) => ({ rows: t.rows - linkOnly.rows, chars: t.chars - linkOnly.chars, influxCpuMs: t.influxCpuMs - linkOnly.influxCpuMs });
    const ratio = (a: { rows: number; chars: number; influxCpuMs: number }, b: typeof a) => ({ rows: a.rows / b.rows, chars: a.chars / b.chars, influxCpu: a.influxCpuMs / Math.max(10, b.influxCpuMs) });
    console.log(JSON.stringify({ school: s.site, devices: s.devices.length, before, after, linkOnly, ratio: ratio(before, after), withoutLink: { before: without(before), after: without(after), ratio: ratio(without(before), without(after)) } }));
    expect(before.rows / after.rows).toBeGreaterThan(5);
    expect(without(before).chars / without(after).chars).toBeGreaterThan(50);
  }, 180_000);
});
