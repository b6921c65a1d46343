import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runDashboardQueries } from '../fleet/dashboards.ts';
import { startRecommendedInflux } from '../fleet/influxd.ts';
import { findSnapshot, makeDailyRollups, restoreSnapshot, writeRawDays } from '../fleet/month-snapshot.ts';
import { reportMonth } from '../fleet/reports.ts';
import { DASHBOARD_SCHOOL, DATABASE } from '../fleet/run.ts';
import { school } from '../fleet/schools.ts';
import { saveResult } from '../report.ts';
import { describeMachine } from '../support/machine.ts';

const RESULTS_DIR = fileURLToPath(new URL('../results/fleet/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `npm run bench -- fleet-dashboards --month-snapshot DIR [--schools 1000] [--reference REV]`: phase 5 of the
 * fleet soak alone, on a quiet machine, for the dashboards as committed and (with --reference) as they were
 * at git revision REV, against the same influxd in the same run. influxd starts from the month snapshot
 * (`npm run bench -- fleet-month`); the raw router pings and the dashboards' school are written on from
 * where the snapshot stopped to now (so "last hour" and "24 hours" read what a running fleet would have),
 * and the daily rollups (`ping_site_1d`, `ping_internet_1d`) are made from the snapshot's 5-minute rollups,
 * a UTC day per statement, as the collector's hourly rounds would have. No agent polls meanwhile: the fleet
 * run's phase 5 measures the same queries beside the live load.
 */
export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { 'month-snapshot': { type: 'string' }, schools: { type: 'string' }, reference: { type: 'string' }, 'no-save': { type: 'boolean' } } });
  const fail = (line: string) => {
    process.stderr.write(`bench fleet-dashboards: ${line}\n`);
    process.exit(2);
  };
  if (values['month-snapshot'] === undefined) fail('--month-snapshot DIR is required (npm run bench -- fleet-month builds one)');
  const schools = Number(values.schools ?? 1_000);
  if (!Number.isInteger(schools) || schools <= 0) fail(`--schools: expected a positive whole number, got "${values.schools}"`);
  const found = findSnapshot(values['month-snapshot']!, reportMonth(Date.now()), schools, DATABASE);
  if ('reason' in found) return fail(`--month-snapshot: ${found.reason}`);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const startedAt = new Date();
  const machine = describeMachine();
  // The reference dashboards, as committed at REV, in a folder of their own.
  let referenceDir: URL | undefined;
  if (values.reference !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'hm-dashboards-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    for (const name of ['hm-overview.json', 'hm-school.json']) {
      writeFileSync(join(dir, name), execFileSync('git', ['show', `${values.reference}:dashboards/json/${name}`], { cwd: REPO, encoding: 'utf8' }));
    }
    referenceDir = pathToFileURL(`${dir}/`);
  }
  const t0 = performance.now();
  const influx = await startRecommendedInflux((dir) => restoreSnapshot(found.dir, dir));
  try {
    say(`influxd started from ${found.dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const { snapshot } = found;
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const topUp = await writeRawDays(influx.url, DATABASE, Array.from({ length: schools }, (_, i) => i), snapshot.rawUntil, now, snapshot.pollSeconds, DASHBOARD_SCHOOL);
    say(`raw pings written on from the snapshot to now: ${JSON.stringify(topUp)}`);
    say(`daily rollups made in ${await makeDailyRollups(influx.url, DATABASE, snapshot.month, now)} s`);
    const site = school(DASHBOARD_SCHOOL % schools).site;
    const result: Record<string, unknown> = { schools, snapshot: { month: snapshot.month, builtAt: snapshot.builtAt, rawUntil: new Date(snapshot.rawUntil).toISOString() }, topUp };
    // Each set twice, alternating, the second of each kept: the first run of a set also warms influxd's caches.
    for (const pass of [1, 2]) {
      if (referenceDir !== undefined) result[`reference ${values.reference}`] = await runDashboardQueries(influx.url, DATABASE, site, referenceDir);
      result.committed = await runDashboardQueries(influx.url, DATABASE, site);
      say(`pass ${pass}: ${JSON.stringify(result)}`);
    }
    if (values['no-save'] !== true) say(`result written to ${saveResult(RESULTS_DIR, startedAt, machine, { 'fleet-dashboards': result })}`);
  } finally {
    await influx.stop();
  }
}
