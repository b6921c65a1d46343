import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineChunk } from '../../collector/storage/line.ts';
import { createInfluxClient } from '../../collector/storage/influx-client.ts';
import { backfillRollups } from '../../collector/storage/retention.ts';
import { startSchoolState } from '../../collector/school-state/start.ts';
import { startInflux, type InfluxServer } from '../harness/index.ts';
import { interpolate, timeFilterFrom } from './grafana-macros.ts';

/**
 * The overview's panels that read the collector's per-school summary (`school_state`) and the 5-minute
 * rollups, judged by a real influxd against the raw queries they replace (as committed before: the text
 * below). Both are run on the same data in the same influxd; the tile state, the failing counts and the
 * availability must come out the same. test/dashboards/queries.test.ts runs the same panels on what a real
 * agent and collector wrote (a degraded school).
 */

const RAW_DEVICE_STATE =
  'SELECT 1 - mean("up") AS "state" FROM (SELECT distinct("up") AS "up" FROM (SELECT last("up") AS "up" FROM "ping", "snmp" WHERE time > now() - 5m GROUP BY "site", "device") GROUP BY "site") GROUP BY "site"';
const RAW_CHECKS_FAILING = 'SELECT sum("down") AS "down" FROM (SELECT 1 - last("up") AS "down" FROM "ping", "snmp" WHERE time > now() - 5m GROUP BY "site", "device")';
const RAW_AVAILABILITY = (days: number) => `SELECT mean("up") * 100 AS "${days} days" FROM "ping" WHERE time > now() - ${days}d GROUP BY "site"`;

interface Panel { title?: string; targets?: { refId: string; query: string }[] }
const overview = JSON.parse(readFileSync(new URL('../../dashboards/json/hm-overview.json', import.meta.url), 'utf8')) as { panels: Panel[] };
const panelQueries = (title: string): string[] => {
  const p = overview.panels.find((x) => x.title === title);
  if (!p) throw new Error(`hm-overview has no panel "${title}"`);
  return (p.targets ?? []).map((t) => t.query);
};

let influx: InfluxServer;
let dbCount = 0;

beforeAll(async () => {
  influx = await startInflux();
}, 60_000);

afterAll(async () => {
  await influx?.stop();
});

/** A fresh database with the collector's two policies (raw is the default, as ensureRetention makes it). */
async function freshDb(): Promise<string> {
  const db = `overview_${process.pid}_${++dbCount}`;
  await influx.query(`CREATE DATABASE "${db}"`);
  await influx.query(`CREATE RETENTION POLICY "raw" ON "${db}" DURATION 45d REPLICATION 1 DEFAULT`);
  await influx.query(`CREATE RETENTION POLICY "rollup_5m" ON "${db}" DURATION 800d REPLICATION 1`);
  return db;
}

/** Rows of a query as (site, column) → value; several queries of one panel merged, the highest value per site kept. */
async function worstBySite(db: string, queries: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const q of queries) {
    const [result] = await influx.query(q, db);
    for (const s of result?.series ?? []) {
      const site = s.tags?.['site'] ?? '';
      for (const row of s.values) out.set(site, Math.max(out.get(site) ?? -Infinity, Number(row[1])));
    }
  }
  return out;
}

interface School {
  site: string;
  /** Configured (the collector knows it from sites/). */
  configured: boolean;
  /** Agent status lines: online 1/0; none when never heard from. */
  agent?: 0 | 1;
  /** Results: kind, device, up, age in ms before now. */
  results: { kind: 'ping' | 'snmp'; device: string; up: 0 | 1; ageMs: number }[];
}

/**
 * Writes the raw samples and agent statuses of `schools`, feeds the same samples through the collector's
 * school-state writer, writes its points, and returns the database.
 */
async function writeSchools(schools: readonly School[], now: number): Promise<string> {
  const db = await freshDb();
  const chunks: LineChunk[] = [];
  const state = startSchoolState({ sites: () => schools.filter((s) => s.configured).map((s) => s.site), writer: { write: (c: LineChunk) => chunks.push(c) } as never, now: () => now, intervalMs: 3_600_000 });
  const lines: string[] = [];
  for (const s of schools) {
    if (s.agent !== undefined) lines.push(`agent_status,site=${s.site},agent=${s.site}-agent online=${s.agent} ${now - 120_000}`);
    const samples = s.results.map((r) => ({ measurement: r.kind, tags: { device: r.device }, fields: { up: r.up }, time: now - r.ageMs }));
    for (const x of samples) lines.push(`${x.measurement},site=${s.site},device=${x.tags.device} up=${x.fields.up} ${x.time}`);
    if (samples.length > 0) state.observe(s.site, samples);
  }
  state.write();
  state.stop();
  if (lines.length > 0) await influx.write(db, lines, 'ms');
  for (const c of chunks) await influx.write(db, c.text.split('\n'), 'ms');
  return db;
}

const RAW_SCHOOLS = () => [RAW_DEVICE_STATE, panelQueries('Schools')[1]!];

describe('"Schools" from school_state says what the raw query said', () => {
  const schools: School[] = [
    { site: 'up', configured: true, agent: 1, results: [{ kind: 'ping', device: 'a', up: 1, ageMs: 30_000 }, { kind: 'ping', device: 'b', up: 1, ageMs: 40_000 }, { kind: 'snmp', device: 'a', up: 1, ageMs: 30_000 }] },
    { site: 'degraded', configured: true, agent: 1, results: [{ kind: 'ping', device: 'a', up: 1, ageMs: 30_000 }, { kind: 'ping', device: 'b', up: 0, ageMs: 30_000 }, { kind: 'snmp', device: 'a', up: 1, ageMs: 30_000 }] },
    { site: 'down', configured: true, agent: 1, results: [{ kind: 'ping', device: 'a', up: 0, ageMs: 30_000 }, { kind: 'ping', device: 'b', up: 0, ageMs: 30_000 }] },
    { site: 'snmp-down', configured: true, agent: 1, results: [{ kind: 'ping', device: 'a', up: 1, ageMs: 30_000 }, { kind: 'snmp', device: 'a', up: 0, ageMs: 30_000 }] },
    // Up a minute ago, down now: the last result counts, not the first.
    { site: 'went-down', configured: true, agent: 1, results: [{ kind: 'ping', device: 'a', up: 1, ageMs: 90_000 }, { kind: 'ping', device: 'a', up: 0, ageMs: 30_000 }] },
    { site: 'agent-offline', configured: true, agent: 0, results: [{ kind: 'ping', device: 'a', up: 1, ageMs: 200_000 }] },
    { site: 'no-recent-data', configured: true, agent: 1, results: [{ kind: 'ping', device: 'a', up: 0, ageMs: 10 * 60_000 }] },
    // Just under 5 minutes still counts.
    { site: 'just-recent', configured: true, agent: 1, results: [{ kind: 'ping', device: 'a', up: 0, ageMs: 5 * 60_000 - 5_000 }] },
    { site: 'no-devices', configured: true, agent: 1, results: [] },
    // A device no site file names (an agent's own, or one removed since): counted by both, as before.
    { site: 'unknown-device', configured: true, agent: 1, results: [{ kind: 'ping', device: 'a', up: 1, ageMs: 30_000 }, { kind: 'ping', device: 'not-in-config', up: 0, ageMs: 30_000 }] },
    // A site the collector has no file for, heard from all the same.
    { site: 'unknown-site', configured: false, agent: 1, results: [{ kind: 'snmp', device: 'a', up: 1, ageMs: 30_000 }] },
    { site: 'never-heard', configured: true, results: [] },
  ];
  const expected: Record<string, number | undefined> = {
    up: 0,
    degraded: 0.5,
    down: 1,
    'snmp-down': 1,
    'went-down': 1,
    'agent-offline': 2,
    'no-recent-data': -1,
    'just-recent': 1,
    'no-devices': -1,
    'unknown-device': 0.5,
    'unknown-site': 0,
    'never-heard': undefined,
  };
  let db: string;
  beforeAll(async () => {
    db = await writeSchools(schools, Date.now());
  });

  it('every tile state as in docs/dashboards.md; the raw query agrees on each', async () => {
    const now = await worstBySite(db, panelQueries('Schools'));
    const raw = await worstBySite(db, RAW_SCHOOLS());
    expect(Object.fromEntries(now)).toEqual(Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== undefined)));
    expect(now).toEqual(raw);
    // Each tile's device part is one series per school.
    const [deviceResult] = await influx.query(panelQueries('Schools')[0]!, db);
    expect(deviceResult?.series?.every((s) => s.values.length === 1)).toBe(true);
  });

  it('"Checks failing now" counts the same devices, by kind', async () => {
    const [now] = await influx.query(panelQueries('Checks failing now')[0]!, db);
    const [raw] = await influx.query(RAW_CHECKS_FAILING, db);
    const byKind = Object.fromEntries((raw?.series ?? []).map((s) => [s.name, s.values[0]?.[1]]));
    const row = now?.series?.[0];
    expect(Object.fromEntries(['ping', 'snmp'].map((k) => [k, row?.values[0]?.[row.columns.indexOf(k)]]))).toEqual(byKind);
    // down 2, went-down 1, degraded 1, unknown-device 1, just-recent 1; snmp-down 1.
    expect(byKind).toEqual({ ping: 6, snmp: 1 });
  });
});

describe('property: any mix of schools, devices, results and agents gives the raw query\'s tiles', () => {
  const result = fc.record({
    kind: fc.constantFrom('ping' as const, 'snmp' as const),
    device: fc.constantFrom('a', 'b', 'c', 'd'),
    up: fc.constantFrom(0 as const, 1 as const),
    // Minutes old, on both sides of the 5-minute edge (never exactly on it: the two clocks differ by ms).
    ageMs: fc.integer({ min: 1, max: 9 }).map((m) => m * 60_000 - 20_000),
  });
  const school = fc.record({
    configured: fc.boolean(),
    agent: fc.option(fc.constantFrom(0 as const, 1 as const), { nil: undefined }),
    results: fc.array(result, { maxLength: 8 }),
  });
  it('tiles and failing counts equal, 12 fleets of up to 6 schools', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(school, { minLength: 1, maxLength: 6 }), async (fleet) => {
        const schools = fleet.map((s, i) => ({ ...s, site: `s${i}` }));
        const db = await writeSchools(schools, Date.now());
        expect(await worstBySite(db, panelQueries('Schools'))).toEqual(await worstBySite(db, RAW_SCHOOLS()));
        const [now] = await influx.query(panelQueries('Checks failing now')[0]!, db);
        const [raw] = await influx.query(RAW_CHECKS_FAILING, db);
        const row = now?.series?.[0];
        for (const s of raw?.series ?? []) expect(row?.values[0]?.[row.columns.indexOf(s.name)]).toBe(s.values[0]?.[1]);
        await influx.query(`DROP DATABASE "${db}"`);
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});

describe('"Availability" 7 and 30 days from the rollups', () => {
  const WINDOW = 300_000;
  /** Writes `line(site, device, t)` for each check time, rolls the span up as the collector does; returns the database. */
  async function month(
    sites: readonly string[],
    every: (site: string, device: string) => number,
    keep: (site: string, device: string, t: number) => 0 | 1 | undefined,
    written: { device: string; t: number; up: number }[] = [],
  ): Promise<string> {
    const db = await freshDb();
    const now = Date.now();
    // Whole windows from 3 days ago to 2 hours ago: the range's edge and the hours the collector has not rolled
    // up yet are what the rollups leave out (docs/dashboards.md).
    const from = Math.ceil((now - 3 * 86_400_000) / WINDOW) * WINDOW;
    const to = Math.floor((now - 2 * 3_600_000) / WINDOW) * WINDOW;
    const lines: string[] = [];
    for (const site of sites) {
      for (const device of ['router', 'switch', 'printer']) {
        for (let t = from; t < to; t += every(site, device)) {
          const up = keep(site, device, t);
          if (up === undefined) continue;
          lines.push(`ping,site=${site},device=${device} up=${up} ${t}`);
          written.push({ device, t, up });
        }
      }
    }
    for (let i = 0; i < lines.length; i += 5_000) await influx.write(db, lines.slice(i, i + 5_000), 'ms');
    await backfillRollups(createInfluxClient({ url: influx.url, database: db }), db, { from, to });
    return db;
  }
  const both = async (db: string) => {
    const [today, seven, thirty] = panelQueries('Availability');
    // Today: the current UTC day's windows, against the raw samples since its midnight.
    const midnight = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const rawToday = `SELECT mean("up") * 100 AS "today" FROM "ping" WHERE time >= ${midnight}ms GROUP BY "site"`;
    return Promise.all(
      ([[rawToday, today], [RAW_AVAILABILITY(7), seven], [RAW_AVAILABILITY(30), thirty]] as const).map(async ([raw, query]) => {
        expect(query).toContain('"rollup_5m"."ping_site_1d"');
        return { rolled: await worstBySite(db, [query!]), raw: await worstBySite(db, [raw]) };
      }),
    );
  };
  let seed = 7;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

  it('a steady poll: equal to the raw samples\' mean per school, to 1e-9 %, with outages and whole hours missing', async () => {
    const pUp: Record<string, number> = { steady: 0.999, flaky: 0.8, gappy: 0.95 };
    // 30 s and 60 s polls; gappy: the agent was off for hours at a time.
    const db = await month(Object.keys(pUp), (site) => (site === 'flaky' ? 30_000 : 60_000), (site, _d, t) =>
      site === 'gappy' && Math.floor(t / 14_400_000) % 3 === 0 ? undefined : rand() < pUp[site]! ? 1 : 0,
    );
    for (const [i, { rolled, raw }] of (await both(db)).entries()) {
      // Today has no windows yet in the first two hours of a UTC day (the data here ends 2 hours ago).
      if (i === 0 && raw.size === 0) continue;
      expect([...rolled.keys()].sort()).toEqual([...raw.keys()].sort());
      if (i > 0) expect([...rolled.keys()].sort()).toEqual(['flaky', 'gappy', 'steady']);
      for (const [site, value] of raw) expect(rolled.get(site)).toBeCloseTo(value, 9);
      // Not a trivial 100 %: the numbers differ per school.
      if (i > 0) expect(new Set([...raw.values()].map((v) => v.toFixed(3))).size).toBe(3);
    }
  }, 120_000);

  it('checks missing inside windows: each device\'s 5 minutes weigh the same, not each check (the numbers say by how much)', async () => {
    // A printer that misses a third of its polls and is down every other hour: in the raw mean its fewer
    // checks weigh less than the always-up router's and switch's; in the rollups each window weighs the same.
    const written: { device: string; t: number; up: number }[] = [];
    const db = await month(['school'], () => 60_000, (_s, device, t) => (device !== 'printer' ? 1 : rand() < 0.33 ? undefined : Math.floor(t / 3_600_000) % 2 === 0 ? 0 : 1), written);
    const windows = new Map<string, number[]>();
    for (const w of written) {
      const key = `${w.device} ${Math.floor(w.t / WINDOW)}`;
      windows.set(key, [...(windows.get(key) ?? []), w.up]);
    }
    const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const rawMean = meanOf(written.map((w) => w.up)) * 100;
    const windowMean = meanOf([...windows.values()].map(meanOf)) * 100;
    for (const { rolled, raw } of (await both(db)).slice(1)) {
      expect(raw.get('school')).toBeCloseTo(rawMean, 9);
      expect(rolled.get('school')).toBeCloseTo(windowMean, 9);
      // ~4 percentage points here: the price of the rollups' mean without a sum of `up` (docs/dashboards.md).
      expect(Math.abs(windowMean - rawMean)).toBeGreaterThan(1);
    }
  }, 120_000);
});

describe('the internet panels over 30 and 90 days from the daily internet rollup', () => {
  const WINDOW = 300_000;
  interface Ping { site: string; device: string; role?: string; t: number; up: 0 | 1; loss: number; rtt?: number; jitter?: number; rttMax?: number }

  /**
   * A minute's ping of each link from 3 days ago to 2 hours ago, rolled up as the collector does: `link`
   * says what each site's router measured at t (loss 100 and no round trip when it did not answer).
   */
  async function links(pings: (t: number) => Ping[]): Promise<{ db: string; written: Ping[] }> {
    const db = await freshDb();
    const now = Date.now();
    const from = Math.ceil((now - 3 * 86_400_000) / WINDOW) * WINDOW;
    const to = Math.floor((now - 2 * 3_600_000) / WINDOW) * WINDOW;
    const written: Ping[] = [];
    const lines: string[] = [];
    for (let t = from; t < to; t += 60_000) {
      for (const p of pings(t)) {
        written.push(p);
        const fields = [`up=${p.up}`, `loss_pct=${p.loss}`, ...(p.rtt === undefined ? [] : [`rtt_avg_ms=${p.rtt}`, `jitter_ms=${p.jitter}`, `rtt_max_ms=${p.rttMax}`])];
        lines.push(`ping,site=${p.site},device=${p.device}${p.role === undefined ? '' : `,role=${p.role}`} ${fields.join(',')} ${p.t}`);
      }
    }
    for (let i = 0; i < lines.length; i += 5_000) await influx.write(db, lines.slice(i, i + 5_000), 'ms');
    await backfillRollups(createInfluxClient({ url: influx.url, database: db }), db, { from, to });
    return { db, written };
  }

  /** Per link, each field's mean over its 5-minute windows' means (windows without the field left out) and the maximum. */
  function expected(written: readonly Ping[]): Map<string, Record<string, number | null>> {
    const byLink = new Map<string, Map<number, Ping[]>>();
    for (const p of written.filter((x) => x.role === 'internet')) {
      const key = `${p.site}/${p.device}`;
      const windows = byLink.get(key) ?? new Map<number, Ping[]>();
      const w = Math.floor(p.t / WINDOW);
      windows.set(w, [...(windows.get(w) ?? []), p]);
      byLink.set(key, windows);
    }
    const meanOf = (xs: readonly number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
    const out = new Map<string, Record<string, number | null>>();
    for (const [key, windows] of byLink) {
      const means = (pick: (p: Ping) => number | undefined) =>
        meanOf([...windows.values()].map((ps) => meanOf(ps.flatMap((p) => (pick(p) === undefined ? [] : [pick(p)!])))).filter((m): m is number => m !== null));
      const all = [...windows.values()].flat();
      const maxima = all.flatMap((p) => (p.rttMax === undefined ? [] : [p.rttMax]));
      out.set(key, { loss_pct: means((p) => p.loss), latency_ms: means((p) => p.rtt), jitter_ms: means((p) => p.jitter), worst_rtt_ms: maxima.length === 0 ? null : Math.max(...maxima) });
    }
    return out;
  }

  const run = async (db: string, title: string, fromMs: number, interval = '1d') => {
    const [text] = panelQueries(title);
    const [result] = await influx.query(interpolate(text!, { timeFilter: timeFilterFrom(fromMs), interval, variables: {} }), db);
    return result?.series ?? [];
  };

  let seed = 11;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

  it('"Worst internet links, 30 days": each link\'s mean loss, latency and jitter over its windows and its worst round trip; other devices and schools without a link left out', async () => {
    const { db, written } = await links((t) => {
      const out: Ping[] = [];
      for (const [site, pDown] of [['good', 0.001], ['lossy', 0.05], ['flaky', 0.3]] as const) {
        const up = rand() < pDown ? 0 : 1;
        const rtt = 8 + rand() * 30;
        out.push({ site, device: 'router', role: 'internet', t, up, loss: up === 1 ? Math.round(rand() * 3) * 10 : 100, ...(up === 1 ? { rtt, jitter: rand() * 5, rttMax: rtt + rand() * 40 } : {}) });
        // A switch at the same school that loses everything: not an internet link, so not in the panel.
        out.push({ site, device: 'switch', t, up: 0, loss: 100 });
      }
      // A school with no device of role "internet".
      out.push({ site: 'no-link', device: 'switch', t, up: 1, loss: 0, rtt: 1, jitter: 0, rttMax: 2 });
      return out;
    });
    const series = await run(db, 'Worst internet links, 30 days', Date.now() - 30 * 86_400_000);
    const want = expected(written);
    expect(series.map((s) => `${s.tags?.['site']}/${s.tags?.['device']}`).sort()).toEqual([...want.keys()].sort());
    for (const s of series) {
      const row = Object.fromEntries(s.columns.map((c, i) => [c, s.values[0]?.[i]]));
      const w = want.get(`${s.tags?.['site']}/${s.tags?.['device']}`)!;
      for (const column of ['loss_pct', 'latency_ms', 'jitter_ms', 'worst_rtt_ms']) expect(row[column], `${s.tags?.['site']} ${column}`).toBeCloseTo(w[column]!, 9);
    }
    // The loss, always measured, is also the raw mean (every window holds 5 pings); not the same for each school.
    const [raw] = await influx.query(`SELECT mean("loss_pct") FROM "ping" WHERE "role" = 'internet' GROUP BY "site"`, db);
    for (const r of raw?.series ?? []) {
      const daily = series.find((s) => s.tags?.['site'] === r.tags?.['site'])!;
      expect(daily.values[0]?.[daily.columns.indexOf('loss_pct')]).toBeCloseTo(Number(r.values[0]?.[1]), 9);
    }
    expect(new Set(series.map((s) => Number(s.values[0]?.[s.columns.indexOf('loss_pct')]).toFixed(2))).size).toBe(3);
  }, 120_000);

  it('a link that never answered: loss 100 %, and no latency rather than a made-up 0', async () => {
    const { db } = await links((t) => [{ site: 'cut', device: 'router', role: 'internet', t, up: 0, loss: 100 }]);
    const [s] = await run(db, 'Worst internet links, 30 days', Date.now() - 30 * 86_400_000);
    const row = Object.fromEntries(s!.columns.map((c, i) => [c, s!.values[0]?.[i]]));
    expect(row['loss_pct']).toBe(100);
    expect(row['latency_ms'] ?? null).toBeNull();
    expect(row['worst_rtt_ms'] ?? null).toBeNull();
  }, 60_000);

  it('"Internet packet loss by school, 90 days": a point per school and UTC day, the mean of that day\'s windows', async () => {
    const { db, written } = await links((t) => {
      // Down 10:00–11:00 UTC every day at "flaky"; never at "good".
      const hour = new Date(t).getUTCHours();
      return [
        { site: 'good', device: 'router', role: 'internet', t, up: 1, loss: 0, rtt: 10, jitter: 1, rttMax: 12 },
        { site: 'flaky', device: 'router', role: 'internet', t, up: hour === 10 ? 0 : 1, loss: hour === 10 ? 100 : 0, ...(hour === 10 ? {} : { rtt: 10, jitter: 1, rttMax: 12 }) },
      ];
    });
    const series = await run(db, 'Internet packet loss by school, 90 days', Date.now() - 90 * 86_400_000);
    expect(series.map((s) => s.tags?.['site']).sort()).toEqual(['flaky', 'good']);
    for (const s of series) {
      const points = s.values.filter((v) => v[1] !== null);
      for (const [time, loss] of points) {
        // The day's bucket starts at its UTC midnight (InfluxDB aligns GROUP BY time to the epoch).
        const start = Date.parse(String(time));
        expect(start % 86_400_000).toBe(0);
        const day = written.filter((p) => p.site === s.tags?.['site'] && p.t >= start && p.t < start + 86_400_000);
        const want = expected(day).get(`${s.tags?.['site']}/router`)!.loss_pct!;
        expect(loss).toBeCloseTo(want, 9);
      }
      // The three days the data touches (four when it crosses a midnight more).
      expect(points.length).toBeGreaterThanOrEqual(3);
      if (s.tags?.['site'] === 'good') expect(points.every((v) => v[1] === 0)).toBe(true);
      else expect(points.some((v) => Number(v[1]) > 0)).toBe(true);
    }
  }, 120_000);
});
