import { parseArgs } from 'node:util';
import { startRecommendedInflux } from '../fleet/influxd.ts';
import { buildSnapshot } from '../fleet/month-snapshot.ts';
import { reportMonth } from '../fleet/reports.ts';
import { DASHBOARD_SCHOOL, DATABASE } from '../fleet/run.ts';

/**
 * `npm run bench -- fleet-month --out DIR [--schools 1000] [--raw-days 30] [--poll-seconds 60]`: writes last
 * month (and the last raw days) for the fleet into an influxd with deploy/influxdb's settings, once, and keeps
 * its state in DIR. `npm run bench -- fleet --month-snapshot DIR` then starts each run's influxd from a copy:
 * phase 6's month is written beforehand (about an hour at 1,000 schools) and the dashboards' 30-day queries
 * read 30 days. The data is synthetic (bench/fleet/month-snapshot.ts says what it holds).
 */
export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, schools: { type: 'string' }, 'raw-days': { type: 'string' }, 'poll-seconds': { type: 'string' } } });
  const num = (key: 'schools' | 'raw-days' | 'poll-seconds', fallback: number) => {
    const raw = values[key];
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(n) || n <= 0) {
      process.stderr.write(`bench fleet-month: --${key}: expected a positive whole number, got "${String(raw)}"\n`);
      process.exit(2);
    }
    return n;
  };
  if (values.out === undefined) {
    process.stderr.write('bench fleet-month: --out DIR is required (where the snapshot is kept)\n');
    process.exit(2);
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const influx = await startRecommendedInflux();
  try {
    const snapshot = await buildSnapshot({ influx, root: values.out, month: reportMonth(Date.now()), schools: num('schools', 1_000), pollSeconds: num('poll-seconds', 60), database: DATABASE, rawDays: num('raw-days', 30), dashboardSchool: DASHBOARD_SCHOOL, log: say });
    say(`fleet-month: ${JSON.stringify(snapshot)}`);
  } finally {
    await influx.stop();
  }
}
