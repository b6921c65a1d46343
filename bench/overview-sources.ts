/**
 * The overview's "Schools", "Checks failing now" and "Availability" queries before (raw) and after
 * (school_state, rollup_5m), on data written straight to a fresh influxd, each timed in the same run:
 * wall time and influxd CPU (utime + stime from /proc). Usage, niced:
 *   nice -n 19 ionice -c 3 npx tsx bench/overview-sources.ts [--schools 1000] [--availability-schools 30] [--days 2] [--month-only]
 * docs/dashboards.md records the figures.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createInfluxClient } from '../collector/storage/influx-client.ts';
import { backfillRollups } from '../collector/storage/retention.ts';
import { toLine } from '../collector/storage/line.ts';
import { SchoolResults, schoolStateFields } from '../collector/school-state/summary.ts';
import { startInflux, type InfluxServer } from '../test/harness/index.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SCHOOLS = arg('schools', 1000);
const AVAILABILITY_SCHOOLS = arg('availability-schools', 30);
const DAYS = arg('days', 2);
const PING_DEVICES = 26;
const SNMP_DEVICES = 25;

const overview = JSON.parse(readFileSync(new URL('../dashboards/json/hm-overview.json', import.meta.url), 'utf8')) as { panels: { title: string; targets: { query: string }[] }[] };
const panel = (title: string) => overview.panels.find((p) => p.title === title)!.targets.map((t) => t.query);

const RAW = {
  schools: 'SELECT 1 - mean("up") AS "state" FROM (SELECT distinct("up") AS "up" FROM (SELECT last("up") AS "up" FROM "ping", "snmp" WHERE time > now() - 5m GROUP BY "site", "device") GROUP BY "site") GROUP BY "site"',
  failing: 'SELECT sum("down") AS "down" FROM (SELECT 1 - last("up") AS "down" FROM "ping", "snmp" WHERE time > now() - 5m GROUP BY "site", "device")',
  availability: (days: number) => `SELECT mean("up") * 100 AS "${days} days" FROM "ping" WHERE time > now() - ${days}d GROUP BY "site"`,
};

const cpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};

async function time(influx: InfluxServer, db: string, q: string, runs = 3): Promise<{ wallMs: number; cpuMs: number; rows: number }> {
  const walls: number[] = [];
  const cpus: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    const c0 = cpuMs(influx.pid);
    const t0 = performance.now();
    const [r] = await influx.query(q, db, { timeoutMs: 600_000 });
    walls.push(performance.now() - t0);
    cpus.push(cpuMs(influx.pid) - c0);
    rows = (r?.series ?? []).reduce((a, s) => a + s.values.length, 0);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { wallMs: Math.round(median(walls)), cpuMs: Math.round(median(cpus)), rows };
}

async function writeAll(influx: InfluxServer, db: string, lines: string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += 20_000) await influx.write(db, lines.slice(i, i + 20_000), 'ms');
}

async function nowPhase(influx: InfluxServer, out: Record<string, unknown>, now: number): Promise<void> {
  // Last 15 minutes of every school's devices, one result a minute; ~4 % of devices down, a few schools all down.
  const db = 'overview_now';
  await influx.query(`CREATE DATABASE "${db}"`);
  const results = new SchoolResults();
  const lines: string[] = [];
  const stateLines: string[] = [];
  for (let minute = 14; minute >= 0; minute--) {
    const t = now - minute * 60_000 - 10_000;
    for (let s = 0; s < SCHOOLS; s++) {
      const site = `school-${String(s).padStart(4, '0')}`;
      const samples = [];
      for (let d = 0; d < PING_DEVICES + SNMP_DEVICES; d++) {
        const kind = d < PING_DEVICES ? 'ping' : 'snmp';
        const up = s % 97 === 0 ? 0 : (s * 31 + d * 7 + minute) % 25 === 0 ? 0 : 1;
        samples.push({ measurement: kind, tags: { device: `dev-${d}` }, fields: { up }, time: t });
        lines.push(`${kind},site=${site},device=dev-${d} up=${up} ${t}`);
      }
      results.observe(site, samples);
    }
    for (const summary of results.summarise(t + 5_000)) stateLines.push(toLine({ measurement: 'school_state', tags: {}, fields: schoolStateFields(summary), time: t + 5_000 }, summary.site));
  }
  let t0 = performance.now();
  await writeAll(influx, db, lines);
  await writeAll(influx, db, stateLines);
  out['now data'] = { schools: SCHOOLS, series: SCHOOLS * (PING_DEVICES + SNMP_DEVICES), points: lines.length, schoolStatePoints: stateLines.length, writeMs: Math.round(performance.now() - t0) };
  out['Schools (device part), before'] = await time(influx, db, RAW.schools);
  out['Schools (device part), after'] = await time(influx, db, panel('Schools')[0]!);
  out['Checks failing now, before'] = await time(influx, db, RAW.failing);
  out['Checks failing now, after'] = await time(influx, db, panel('Checks failing now')[0]!);

}

async function main() {
  const influx = await startInflux();
  const out: Record<string, unknown> = new Proxy({} as Record<string, unknown>, {
    // Each figure as soon as it is measured: a long phase on a loaded machine should not hide the ones before.
    set(target, key, value) {
      process.stderr.write(`${String(key)}: ${JSON.stringify(value)}\n`);
      target[key as string] = value;
      return true;
    },
  });
  Object.assign(out, { node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg: os.loadavg().map((x) => x.toFixed(1)) });
  try {
    const now = Date.now();
    if (!process.argv.includes('--month-only')) await nowPhase(influx, out, now);
    // Availability: DAYS days of ping, one result a minute per device, rolled up as the collector does.
    const adb = 'overview_month';
    await influx.query(`CREATE DATABASE "${adb}"`);
    await influx.query(`CREATE RETENTION POLICY "raw" ON "${adb}" DURATION 45d REPLICATION 1 DEFAULT`);
    await influx.query(`CREATE RETENTION POLICY "rollup_5m" ON "${adb}" DURATION 800d REPLICATION 1`);
    const from = Math.ceil((now - DAYS * 86_400_000) / 300_000) * 300_000;
    const to = Math.floor((now - 3_600_000) / 300_000) * 300_000;
    let t0 = performance.now();
    let points = 0;
    for (let s = 0; s < AVAILABILITY_SCHOOLS; s++) {
      const chunk: string[] = [];
      for (let d = 0; d < PING_DEVICES; d++) for (let t = from; t < to; t += 60_000) chunk.push(`ping,site=school-${s},device=dev-${d} up=${(t / 60_000 + d + s) % 53 === 0 ? 0 : 1} ${t}`);
      points += chunk.length;
      await writeAll(influx, adb, chunk);
    }
    const writeMs = Math.round(performance.now() - t0);
    t0 = performance.now();
    await backfillRollups(createInfluxClient({ url: influx.url, database: adb }), adb, { from, to });
    out['month data'] = { schools: AVAILABILITY_SCHOOLS, days: DAYS, points, writeMs, rollupMs: Math.round(performance.now() - t0) };
    const [, seven, thirty] = panel('Availability');
    out['Availability 30 days, before'] = await time(influx, adb, RAW.availability(30));
    out['Availability 30 days, after'] = await time(influx, adb, thirty!);
    out['Availability 7 days, before'] = await time(influx, adb, RAW.availability(7));
    out['Availability 7 days, after'] = await time(influx, adb, seven!);
    // For the record: the exact form, Σ(mean_up × samples) / Σ samples, needs a raw subquery.
    out['Availability 30 days, weighted by samples'] = await time(
      influx,
      adb,
      'SELECT sum("weighted") / sum("samples") * 100 AS "30 days" FROM (SELECT "mean_up" * "samples" AS "weighted", "samples" AS "samples" FROM "rollup_5m"."ping" WHERE time > now() - 30d GROUP BY "site") GROUP BY "site"',
    );
  } finally {
    await influx.stop();
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

await main();
