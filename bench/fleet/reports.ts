import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { parse, stringify } from 'yaml';
import { RAW_POLICY, ROLLUP_POLICY } from '../../collector/storage/retention-cq.ts';
import { ROLLUP_WINDOW_MS } from '../../collector/reports/availability/observed.ts';
import { postBodies } from '../support/raw-writer.ts';
import { round3 } from '../support/proc-stats.ts';
import { school, type School } from './schools.ts';

const COLLECTOR_BIN = fileURLToPath(new URL('../../bin/hallmonitor-collector.js', import.meta.url));
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Points per /write body: large, since these points are small and sorted by series. */
const BODY_POINTS = 20_000;
let reportRuns = 0;

/**
 * The month a report phase writes and reports: the last whole month in UTC (the fleet's site files give no
 * time zone, so the default applies; a day of look-back either side covers it).
 */
export function reportMonth(now: number): string {
  return DateTime.fromMillis(now, { zone: 'utc' }).minus({ months: 1 }).toFormat('yyyy-MM');
}

/**
 * One school's month as the report reads it from rollups (collector/reports/data/influx-source.ts): per
 * device a `ping` rollup row every 5 minutes (`mean_up`, `samples`, and the internet router's round-trip
 * and loss means), from the day before the month to its end, with deterministic outages (the router of
 * every school down 30–120 min on one day; an access point of every other school down for an hour); plus
 * its agent's status at the start, and a daily reading of each printer supply and UPS in the raw policy.
 * SYNTHETIC: written straight to InfluxDB, not measured by agents; the shape, tags and density are the
 * real ones for a device polled every `pollSeconds`.
 */
export function* monthLines(s: School, month: string, pollSeconds: number): Generator<{ rp: string; line: string }> {
  const start = DateTime.fromISO(`${month}-01T00:00:00`, { zone: 'utc' });
  const from = start.toMillis() - DAY;
  const to = start.plus({ months: 1 }).toMillis();
  const samples = Math.max(1, Math.floor(ROLLUP_WINDOW_MS / (pollSeconds * 1000)));
  const outageDay = from + DAY * (1 + (s.index % 28)) + 10 * HOUR;
  const routerDown = { start: outageDay, end: outageDay + (1 + (s.index % 4)) * 30 * 60_000 };
  const ap = s.devices.find((d) => d.role === 'access-point');
  const apDown = s.index % 2 === 1 ? { start: from + 15 * DAY + 13 * HOUR, end: from + 15 * DAY + 14 * HOUR } : undefined;
  const esc = (v: string) => v.replace(/[ ,=]/g, (c) => `\\${c}`);
  for (const d of s.devices) {
    const tags = `device=${esc(d.name)},role=${d.role},site=${s.site}`;
    const down = d.role === 'internet' ? routerDown : d === ap ? apDown : undefined;
    for (let t = from; t < to; t += ROLLUP_WINDOW_MS) {
      const up = down !== undefined && t >= down.start && t < down.end ? 0 : 1;
      const link = d.role === 'internet' ? `,mean_rtt_avg_ms=${(8 + ((t / ROLLUP_WINDOW_MS) % 7)).toFixed(1)},mean_loss_pct=${up === 1 ? 0 : 100}` : '';
      yield { rp: ROLLUP_POLICY, line: `ping,${tags} mean_up=${up},samples=${samples}i${link} ${t}` };
    }
    for (let t = start.toMillis() + 9 * HOUR; t < to; t += DAY) {
      if (d.role === 'printer') {
        for (const [supply, k] of [['black-toner', 0], ['drum', 1]] as const) {
          yield { rp: RAW_POLICY, line: `printer_supply,${tags},supply=${supply} level_pct=${Math.max(2, 95 - Math.floor((t - from) / DAY) * (2 + k + (s.index % 3)))} ${t}` };
        }
      }
      // Numbers as floats, as the collector writes every number (collector/storage/line.ts): an integer here
      // would be a field type conflict with the live samples and raw days in the same shard.
      if (d.role === 'ups') yield { rp: RAW_POLICY, line: `ups,${tags} on_battery=0,battery_status="normal",battery_replace=0 ${t}` };
    }
  }
  yield { rp: ROLLUP_POLICY, line: `agent_status,agent=${s.agent},site=${s.site} mean_online=1,samples=1i ${from}` };
}

/** Writes the month for the given schools, policy by policy, in large bodies by 2 writers; points and time. */
export async function writeMonth(url: string, db: string, indices: readonly number[], month: string, pollSeconds: number): Promise<{ points: number; seconds: number; pointsPerSecond: number }> {
  const t0 = performance.now();
  let points = 0;
  const pending: Record<string, string[]> = { [ROLLUP_POLICY]: [], [RAW_POLICY]: [] };
  const flush = async (rp: string, all = false) => {
    const lines = pending[rp]!;
    while (lines.length >= BODY_POINTS * 8 || (all && lines.length > 0)) {
      const take = lines.splice(0, BODY_POINTS * 8);
      const bodies: string[] = [];
      for (let i = 0; i < take.length; i += BODY_POINTS) bodies.push(take.slice(i, i + BODY_POINTS).join('\n'));
      await postBodies(url, db, bodies, 2, rp);
    }
  };
  for (const i of indices) {
    for (const { rp, line } of monthLines(school(i), month, pollSeconds)) {
      pending[rp]!.push(line);
      points++;
    }
    for (const rp of Object.keys(pending)) await flush(rp);
  }
  for (const rp of Object.keys(pending)) await flush(rp, true);
  const seconds = (performance.now() - t0) / 1000;
  return { points, seconds: round3(seconds), pointsPerSecond: Math.round(points / seconds) };
}

/**
 * The provider's command for the month's reports of every school — `hallmonitor-collector report --all
 * --source rollup` — run as its own process on the collector's config (its sites folder narrowed to the
 * schools that have the month), timed, its peak memory (VmHWM) read from /proc while it runs; `concurrency`
 * schools at once (the command's default, 4; 1 is the sequential reference).
 */
export async function runReports(dir: string, collectorYaml: string, indices: readonly number[], month: string, concurrency = 4): Promise<{ concurrency: number; reports: number; files: number; seconds: number; perReportMs: number; peakRssMiB: number; cpuSeconds: number; cpuPercentOfOneCore: number; pacing: PacingSeen; exitCode: number | null; stderr: string }> {
  // A folder per call: a later call over fewer schools must not find the earlier call's site files.
  const base = join(dir, `reports-${++reportRuns}`);
  const sites = join(base, 'sites');
  const out = join(base, 'out');
  mkdirSync(sites, { recursive: true });
  mkdirSync(out, { recursive: true });
  const from = parse(readFileSync(collectorYaml, 'utf8')) as Record<string, unknown>;
  for (const i of indices) {
    const s = school(i);
    writeFileSync(join(sites, `${s.site}.yaml`), readFileSync(join(dir, 'sites', `${s.site}.yaml`)));
  }
  const config = join(base, 'collector.yaml');
  writeFileSync(config, stringify({ ...from, sitesDir: sites, agentsFile: join(dir, 'agents.yaml'), dataDir: join(dir, 'data') }));
  const t0 = performance.now();
  const child = spawn(process.execPath, [COLLECTOR_BIN, 'report', '--all', '--month', month, '--source', 'rollup', '--concurrency', String(concurrency), '--out', out, '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const pacing = pacingSeen(t0);
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-2_000);
    pacing.read(c.toString());
  });
  let peak = 0;
  // The command's own CPU (user + system, /proc/<pid>/stat in clock ticks of 1/100 s): whether it, rather
  // than InfluxDB, is what limits the reports. The last reading before it exits stands.
  let cpuTicks = 0;
  const sample = () => {
    try {
      const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (kb !== undefined) peak = Math.max(peak, Math.round(Number(kb) / 1024));
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuTicks = Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone: the last reading stands.
    }
  };
  const timer = setInterval(sample, 200);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  clearInterval(timer);
  const seconds = (performance.now() - t0) / 1000;
  const files = readdirSync(out).length;
  const reports = readdirSync(out).filter((f) => f.endsWith('.pdf')).length;
  const cpuSeconds = cpuTicks / 100;
  return { concurrency, reports, files, seconds: round3(seconds), perReportMs: Math.round((seconds * 1000) / Math.max(1, reports)), peakRssMiB: peak, cpuSeconds, cpuPercentOfOneCore: Math.round((cpuSeconds / Math.max(0.001, seconds)) * 1000) / 10, pacing: pacing.seen, exitCode, stderr: exitCode === 0 ? '' : stderr };
}

/** What the command said of its pacing (collector/reports/pace/): each change of width, and its summary. */
export interface PacingSeen {
  changes: { atS: number; width: number; meanWriteMs?: number }[];
  summary?: { narrowest: number; slowIntervals: number; intervals: number };
}

function pacingSeen(t0: number): { seen: PacingSeen; read(text: string): void } {
  const seen: PacingSeen = { changes: [] };
  let partial = '';
  return {
    seen,
    read(text) {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        let entry: { msg?: string; width?: number; meanWriteMs?: number; narrowest?: number; slowIntervals?: number; intervals?: number };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          continue;
        }
        if (typeof entry.width === 'number') seen.changes.push({ atS: Math.round(performance.now() - t0) / 1000, width: entry.width, ...(entry.meanWriteMs === undefined ? {} : { meanWriteMs: entry.meanWriteMs }) });
        if (entry.msg?.startsWith('reports: paced') === true) seen.summary = { narrowest: entry.narrowest ?? 0, slowIntervals: entry.slowIntervals ?? 0, intervals: entry.intervals ?? 0 };
      }
    },
  };
}
