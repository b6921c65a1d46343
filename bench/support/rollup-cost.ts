/**
 * What one computation of the rollups costs InfluxDB per raw point, at the fleet's shape: N fleet schools
 * (bench/fleet/schools.ts) × P one-minute polls written raw to the recommended influxd
 * (deploy/influxdb/influxdb.conf) with the collector's retention policies and continuous queries, then every
 * rollup SELECT … INTO of that hour run once over it (backfillRollups, the CQs' own statements) while
 * influxd's CPU time is read from /proc. The hourly CQ run recomputes FOR/EVERY hours of raw data, so its
 * cost per hour is this × points per hour × FOR/EVERY. With `per-school`, the same hour is then rolled up
 * again the way the collector does now (collector/rollups/scheduler.ts): each school by itself, one after
 * another, with each school's wall time. `node --import tsx bench/support/rollup-cost.ts [schools] [polls]
 * [per-school]`; prints one JSON line.
 */
import { createLogger } from '../../contract/index.ts';
import { createInfluxClient } from '../../collector/storage/influx-client.ts';
import { backfillRollups, ensureRetention } from '../../collector/storage/retention.ts';
import { RAW_POLICY } from '../../collector/storage/retention-cq.ts';
import { startRecommendedInflux } from '../fleet/influxd.ts';
import { pollSamples, school } from '../fleet/schools.ts';
import { lineBodies, sampleLine } from './line-protocol.ts';
import { cpuSeconds } from './proc-stats.ts';
import { postBodies } from './raw-writer.ts';

const schools = Number(process.argv[2] ?? 100);
const polls = Number(process.argv[3] ?? 60);
const perSchool = process.argv[4] === 'per-school';
const database = 'hallmonitor';
const influx = await startRecommendedInflux();
try {
  const client = createInfluxClient({ url: influx.url, database });
  await client.createDatabase(database);
  await ensureRetention(client, database, { rawDays: 45, rollupDays: 400 }, createLogger('rollup-cost', 'silent'));
  // A whole hour, ending two hours ago: the CQs' own hourly runs (which reach back 6 hours) do not start
  // on their own within the run, unless it crosses the hour; the bench says if it did.
  const hour = 3_600_000;
  const from = Math.floor(Date.now() / hour) * hour - 3 * hour;
  // Poll by poll, so memory holds one poll's lines at a time.
  let rawPoints = 0;
  let writeSeconds = 0;
  const w0 = cpuSeconds(influx.pid);
  for (let p = 0; p < polls; p++) {
    const lines: string[] = [];
    for (let i = 0; i < schools; i++) {
      const s = school(i);
      for (const sample of pollSamples(s, p, from + p * 60_000 + i)) lines.push(sampleLine(s.site, sample));
    }
    rawPoints += lines.length;
    const t0 = performance.now();
    await postBodies(influx.url, database, lineBodies(lines, 5_000), 2, RAW_POLICY);
    writeSeconds += (performance.now() - t0) / 1000;
  }
  const writeCpu = cpuSeconds(influx.pid) - w0;
  const hourAtStart = Math.floor(Date.now() / hour);
  const c0 = cpuSeconds(influx.pid);
  const t1 = performance.now();
  // A fleet-wide statement killed by the query-timeout is a finding, not the end of the run.
  const fleetError = await backfillRollups(client, database, { from, to: from + polls * 60_000 }).then(
    () => undefined,
    (err: Error) => err.message.replace(/^.*": /, ''),
  );
  const rollupSeconds = (performance.now() - t1) / 1000;
  const rollupCpu = cpuSeconds(influx.pid) - c0;
  const us = (cpu: number) => Math.round((cpu / rawPoints) * 1e7) / 10;
  let bySchool: Record<string, number> | undefined;
  if (perSchool) {
    const p0 = cpuSeconds(influx.pid);
    const t2 = performance.now();
    const ms: number[] = [];
    for (let i = 0; i < schools; i++) {
      const t = performance.now();
      await backfillRollups(client, database, { from, to: from + polls * 60_000, site: school(i).site });
      ms.push(performance.now() - t);
    }
    const cpu = cpuSeconds(influx.pid) - p0;
    ms.sort((a, b) => a - b);
    bySchool = {
      seconds: Math.round((performance.now() - t2) / 100) / 10,
      influxdCpuSeconds: Math.round(cpu * 10) / 10,
      influxdUsPerRawPoint: us(cpu),
      medianSchoolMs: Math.round(ms[Math.floor(ms.length / 2)]!),
      slowestSchoolMs: Math.round(ms[ms.length - 1]!),
    };
  }
  process.stdout.write(
    `${JSON.stringify({
      schools,
      polls,
      rawPoints,
      write: { seconds: Math.round(writeSeconds * 10) / 10, influxdCpuSeconds: Math.round(writeCpu * 10) / 10, influxdUsPerPoint: us(writeCpu) },
      rollupOnce: { ...(fleetError ? { error: fleetError } : {}), seconds: Math.round(rollupSeconds * 10) / 10, influxdCpuSeconds: Math.round(rollupCpu * 10) / 10, influxdUsPerRawPoint: us(rollupCpu) },
      ...(bySchool ? { perSchool: bySchool } : {}),
      crossedTheHour: Math.floor(Date.now() / hour) !== hourAtStart,
    })}\n`,
  );
} finally {
  await influx.stop();
}
