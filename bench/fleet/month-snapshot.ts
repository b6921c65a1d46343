import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfluxDB } from 'influx';
import { createLogger, type Sample } from '../../contract/index.ts';
import { retentionSchema } from '../../collector/config/schema.ts';
import { ensureRetention } from '../../collector/storage/retention.ts';
import { RAW_POLICY, dailyInternetSelect, dailyPingSelect } from '../../collector/storage/retention-cq.ts';
import type { InfluxServer } from '../../test/harness/index.ts';
import { lineBodies, sampleLine } from '../support/line-protocol.ts';
import { postBodies } from '../support/raw-writer.ts';
import { round3 } from '../support/proc-stats.ts';
import { pollSamples, school } from './schools.ts';
import { writeMonth } from './reports.ts';

const DAY = 86_400_000;
/** The influxd folders a snapshot holds: its whole state. */
const PARTS = ['meta', 'data', 'wal'] as const;

/**
 * What a snapshot holds, in its `snapshot.json`. SYNTHETIC data, written by the bench, not measured:
 * - last month's rollups and daily readings for every school, as the reports phase writes them (reports.ts);
 * - the last `rawDays` days of raw one-minute pings of every school's internet router (what the overview's
 *   30-day raw panels read), and every raw sample of the dashboards' school (`dashboardSchool`).
 */
export interface MonthSnapshot {
  v: 1;
  month: string;
  schools: number;
  pollSeconds: number;
  database: string;
  rawDays: number;
  rawUntil: number;
  dashboardSchool: number;
  builtAt: string;
  monthData: { points: number; seconds: number; pointsPerSecond: number };
  rawData: { points: number; seconds: number; pointsPerSecond: number };
}

/** Where the snapshot of `month` for `schools` schools lives under `root`. */
export const snapshotDir = (root: string, month: string, schools: number) => join(root, `month-${month}-${schools}-schools`);

/** The snapshot for this month and fleet, if one was built; a one-line reason otherwise. */
export function findSnapshot(root: string, month: string, schools: number, database: string): { dir: string; snapshot: MonthSnapshot } | { reason: string } {
  const dir = snapshotDir(root, month, schools);
  const file = join(dir, 'snapshot.json');
  if (!existsSync(file)) return { reason: `no snapshot of ${month} for ${schools} schools in ${root} (build one: npm run bench -- fleet-month --schools ${schools} --out ${root})` };
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as MonthSnapshot;
  if (snapshot.v !== 1 || snapshot.month !== month || snapshot.schools !== schools || snapshot.database !== database) return { reason: `${file} is for another month, fleet or database` };
  for (const part of PARTS) if (!existsSync(join(dir, part))) return { reason: `${join(dir, part)} is missing` };
  return { dir, snapshot };
}

/** Copies a snapshot's influxd state into a data folder influxd has not started on yet. */
export function restoreSnapshot(dir: string, influxDir: string): void {
  for (const part of PARTS) cpSync(join(dir, part), join(influxDir, part), { recursive: true });
}

/**
 * Builds the snapshot: the collector's database and retention policies (its own ensureRetention), the month
 * and the raw days written through /write, then influxd stopped (so its files are whole) and its folders
 * copied. Once built, a fleet run starts its influxd from a copy (`--month-snapshot`): the month was written
 * beforehand, as the phase 6 asks, without an hour of writing inside the run.
 */
export async function buildSnapshot(o: { influx: InfluxServer; root: string; month: string; schools: number; pollSeconds: number; database: string; rawDays: number; dashboardSchool: number; log: (line: string) => void }): Promise<MonthSnapshot> {
  const url = new URL(o.influx.url);
  const client = new InfluxDB({ host: url.hostname, port: Number(url.port), database: o.database });
  await o.influx.query(`CREATE DATABASE "${o.database}"`);
  await ensureRetention(client, o.database, retentionSchema.parse({}), createLogger('bench-month', 'silent'));
  const indices = Array.from({ length: o.schools }, (_, i) => i);
  o.log(`month-snapshot: writing ${o.month} for ${o.schools} schools…`);
  const monthData = await writeMonth(o.influx.url, o.database, indices, o.month, o.pollSeconds);
  o.log(`month-snapshot: month written: ${JSON.stringify(monthData)}`);
  const rawUntil = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
  const rawData = await writeRawDays(o.influx.url, o.database, indices, rawUntil - o.rawDays * DAY, rawUntil, o.pollSeconds, o.dashboardSchool);
  o.log(`month-snapshot: raw days written: ${JSON.stringify(rawData)}`);
  const snapshot: MonthSnapshot = { v: 1, month: o.month, schools: o.schools, pollSeconds: o.pollSeconds, database: o.database, rawDays: o.rawDays, rawUntil, dashboardSchool: o.dashboardSchool, builtAt: new Date().toISOString(), monthData, rawData };
  // SIGTERM: influxd closes its shards and WAL cleanly; the copy is then a consistent state.
  const pid = o.influx.pid;
  process.kill(pid, 'SIGTERM');
  while (existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(safeRead(`/proc/${pid}/status`))) await new Promise((r) => setTimeout(r, 200));
  const dir = snapshotDir(o.root, o.month, o.schools);
  const stage = `${dir}.new-${process.pid}`;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const part of PARTS) cpSync(join(o.influx.dir, part), join(stage, part), { recursive: true });
  writeFileSync(join(stage, 'snapshot.json'), `${JSON.stringify(snapshot, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(stage, dir);
  o.log(`month-snapshot: saved in ${dir}`);
  return snapshot;
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Raw one-minute polls over [from, to): the internet router's ping of every school, and the whole poll of
 * the dashboards' school. SYNTHETIC like the month; the samples are the fleet's own (schools.ts).
 */
export async function writeRawDays(url: string, db: string, indices: readonly number[], from: number, to: number, pollSeconds: number, dashboardSchool: number): Promise<{ points: number; seconds: number; pointsPerSecond: number }> {
  const t0 = performance.now();
  const step = pollSeconds * 1000;
  let points = 0;
  const send = async (lines: string[], mixed: boolean) => {
    points += lines.length;
    // A whole poll's lines grouped by series, each still in time order (a stable sort on the series key
    // alone): sorting whole lines would order a series' points by their field values, and a body of points
    // scattered over 30 one-day shards writes at a tenth of the speed (the first 1,000-school build).
    if (mixed) sortBySeries(lines);
    await postBodies(url, db, lineBodies(lines, 20_000), 2, RAW_POLICY);
  };
  for (const i of indices) {
    const s = school(i);
    const lines: string[] = [];
    if (i === dashboardSchool) {
      for (let t = from, p = 0; t < to; t += step, p++) {
        for (const sample of pollSamples(s, p, t)) lines.push(sampleLine(s.site, sample));
        // About a day's polls at a time: the whole 30 days of a school would be gigabytes of strings.
        if (lines.length >= 500_000) await send(lines.splice(0), true);
      }
    } else {
      // The router's ping alone: its tags and fields from the fleet's own poll, its round-trip varied by minute.
      const router = s.devices.find((d) => d.role === 'internet')!.name;
      const ping = pollSamples(s, 0, from).find((x: Sample) => x.measurement === 'ping' && x.tags['device'] === router)!;
      for (let t = from, p = 0; t < to; t += step, p++) {
        const rtt = Math.round((4 + ((p * 7 + i * 13) % 23) / 2) * 1000) / 1000;
        lines.push(sampleLine(s.site, { ...ping, fields: { ...ping.fields, rtt_min_ms: rtt * 0.8, rtt_avg_ms: rtt, rtt_max_ms: rtt * 1.3 }, time: t }));
      }
    }
    await send(lines, i === dashboardSchool);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { points, seconds: round3(seconds), pointsPerSecond: Math.round(points / seconds) };
}

/** The series key of a line: everything before its first space that is not escaped. */
function seriesKey(line: string): string {
  for (let i = line.indexOf(' '); i !== -1; i = line.indexOf(' ', i + 1)) if (line[i - 1] !== '\\') return line.slice(0, i);
  return line;
}

/** Groups lines by series in place, keeping each series' lines in their order (Array.prototype.sort is stable). */
function sortBySeries(lines: string[]): void {
  const keyed = lines.map((line) => [seriesKey(line), line] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  keyed.forEach(([, line], i) => (lines[i] = line));
}

/**
 * The daily ping and internet rollups (`ping_site_1d`, `ping_internet_1d`) of every day from the snapshot's
 * month to now, from its 5-minute rollups, a UTC day per statement, fleet-wide: what the collector's hourly
 * rounds would have kept, which a snapshot built by writing the 5-minute rows straight does not hold
 * (45 s at 1,000 schools). Returns the seconds taken.
 */
export async function makeDailyRollups(url: string, database: string, month: string, now: number): Promise<number> {
  const t0 = performance.now();
  for (let day = Date.parse(`${month}-01T00:00:00Z`) - DAY; day < now; day += DAY) {
    for (const q of [dailyPingSelect(database, `time >= ${day}ms AND time < ${day + DAY}ms`), dailyInternetSelect(database, `time >= ${day}ms AND time < ${day + DAY}ms`)]) {
      const r = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q, db: database }), signal: AbortSignal.timeout(600_000) });
      if (!r.ok) throw new Error(`daily rollup of ${new Date(day).toISOString().slice(0, 10)}: HTTP ${r.status} ${await r.text()}`);
    }
  }
  return round3((performance.now() - t0) / 1000);
}
