import { mkdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { makeTempDir, startInflux, waitFor, type InfluxServer } from '../../test/harness/index.ts';
import { connectSimFleet, type SimFleet } from '../connections/sim-agents.ts';
import { writeRegistry } from '../connections/registry.ts';
import { saveResult } from '../report.ts';
import { startCollectorProcess, type CollectorProcess } from '../support/collector-process.ts';
import { buildFleet, samplesPerPoll } from '../support/fleet.ts';
import { waitForAccepted } from '../support/influx-progress.ts';
import { describeMachine } from '../support/machine.ts';
import { cpuSeconds, peakRssMiB, round3 } from '../support/proc-stats.ts';

/**
 * `npm run bench collector-connections [-- --agents 1000 --minutes 4 --minute-ms 30000 --no-save]`: that many
 * agents, each with its own credentials, connect to the collector's embedded broker and publish one poll of
 * a small school (6 switches of 16 ports, 4 pinged devices: 106 samples) each "minute", spread over it. The
 * collector's resident memory (target ≤ 300 MB) and CPU are measured; every point is counted in InfluxDB.
 */
const RESULTS_DIR = fileURLToPath(new URL('../results/collector-connections/', import.meta.url));
const RSS_TARGET_MB = 300;
const SCHOOL = { sites: 1, snmpDevices: 6, interfacesPerDevice: 16, pingOnlyDevices: 4, pollIntervalMs: 60_000, polls: 1, start: 0 };

/**
 * What the collector has acknowledged and not yet written to InfluxDB (its write-ahead log): it holds the same
 * points in memory, in the writer's queue, up to influx.maxPendingPoints. A lagging influxd shows here.
 */
function backlogMB(walFile: string): number {
  const db = new Database(walFile, { readonly: true, fileMustExist: true });
  try {
    return Math.round(Number(db.prepare<[], { bytes: number | null }>('SELECT sum(bytes) AS bytes FROM entries').get()?.bytes ?? 0) / 1e5) / 10;
  } finally {
    db.close();
  }
}

/** Resident memory now, MiB; 0 once the process is gone (the run then fails on its own). */
function rssMiB(pid: number): number {
  try {
    return Math.round(Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { agents: { type: 'string' }, minutes: { type: 'string' }, 'minute-ms': { type: 'string' }, 'no-save': { type: 'boolean', default: false } },
  });
  const agentCount = Number(values.agents ?? 1_000);
  const minutes = Number(values.minutes ?? 4);
  const minuteMs = Number(values['minute-ms'] ?? 30_000);
  if (![agentCount, minutes, minuteMs].every((n) => Number.isInteger(n) && n >= 1)) throw new Error('--agents, --minutes, --minute-ms: positive integers expected');
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const startedAt = new Date();
  const machine = describeMachine();
  // Other work on the machine slows every process; it is recorded with the figures.
  const loadAtStart = loadavg()[0] ?? 0;
  say(`hallmonitor bench collector-connections ${startedAt.toISOString()}`);
  say(`Node ${machine.node}, ${machine.cpu} × ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, ${machine.influxd}; load average ${loadAtStart.toFixed(1)}`);

  const temp = makeTempDir('bench-connections');
  let influx: InfluxServer | undefined;
  let collector: CollectorProcess | undefined;
  let fleet: SimFleet | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    influx = await startInflux();
    mkdirSync(join(temp.path, 'sites'));
    const agents = await writeRegistry(temp.path, agentCount, startedAt);
    const database = 'connections';
    collector = await startCollectorProcess({ dir: temp.path, influxUrl: influx.url, database, batchSize: 5_000, flushIntervalMs: 1_000, maxWritesInFlight: 2 });
    const pid = collector.service.pid;
    const idleRss = rssMiB(pid);
    const rss: number[] = [];
    sampler = setInterval(() => rss.push(rssMiB(pid)), 1_000);

    const connectCpu = cpuSeconds(pid);
    const connectStart = performance.now();
    fleet = await connectSimFleet(collector.brokerUrl, agents);
    const connectSeconds = round3((performance.now() - connectStart) / 1000);
    const connect = { seconds: connectSeconds, collectorCpuSeconds: round3(cpuSeconds(pid) - connectCpu), rssMiB: rssMiB(pid) };
    say(`connections: ${agentCount} agents connected, subscribed and online in ${connectSeconds} s (collector CPU ${connect.collectorCpuSeconds} s); collector RSS ${idleRss} → ${connect.rssMiB} MiB`);

    const [school] = buildFleet({ ...SCHOOL });
    const perPoll = samplesPerPoll({ ...SCHOOL });
    const walFile = join(temp.path, `data-${database}`, 'wal.db');
    const backlogs: number[] = [];
    const runCpu = cpuSeconds(pid);
    const influxCpu = cpuSeconds(influx.pid);
    const runStart = performance.now();
    const base = Math.floor(Date.now() / 60_000) * 60_000 - minutes * 60_000; // one real minute per simulated one, in the past
    for (let m = 0; m < minutes; m++) {
      const tick = performance.now();
      await fleet.minute(school!.samples, base + m * 60_000, minuteMs * 0.9);
      const backlog = backlogMB(walFile);
      backlogs.push(backlog);
      say(`  minute ${m + 1}/${minutes}: ${agentCount} batches acknowledged; collector RSS ${rssMiB(pid)} MiB, ${backlog} MB acknowledged and not yet in InfluxDB`);
      const rest = minuteMs - (performance.now() - tick);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
    const expected = agentCount * minutes * perPoll;
    // influxd's shard counters include the agents' status points: the exact count decides.
    await waitForAccepted(influx.url, database, expected, { timeoutMs: 120_000 });
    await waitFor(async () => (await countSamples(influx!, database)) === expected, { timeoutMs: 120_000, intervalMs: 500, what: `${expected} points in InfluxDB` });
    const runSeconds = (performance.now() - runStart) / 1000;
    const runCpuSeconds = cpuSeconds(pid) - runCpu;
    const influxdCpuSeconds = round3(cpuSeconds(influx.pid) - influxCpu);
    clearInterval(sampler);
    const stored = await countSamples(influx, database);
    if (stored !== expected) throw new Error(`${database}: ${stored} of ${expected} points stored`);
    const result = {
      agents: agentCount,
      minutes,
      minuteMs,
      samplesPerBatch: perPoll,
      pointsStored: stored,
      connect,
      collector: {
        idleRssMiB: idleRss,
        maxSampledRssMiB: Math.max(...rss),
        peakRssMiB: peakRssMiB(pid),
        cpuSeconds: round3(runCpuSeconds),
        cpuPercentOfOneCore: Math.round((runCpuSeconds / runSeconds) * 1000) / 10,
        runSeconds: round3(runSeconds),
        pointsPerSecond: Math.round(expected / runSeconds),
        /** MB of line protocol acknowledged and not yet in InfluxDB at the end of each minute. */
        backlogMB: backlogs,
      },
      influxdCpuSeconds,
      targetRssMB: RSS_TARGET_MB,
    };
    const peakMB = Math.round((result.collector.peakRssMiB * 2 ** 20) / 1e6);
    say('');
    say(`collector-connections: ${agentCount} agents × ${minutes} minutes of ${minuteMs / 1000} s, ${stored} points stored (all)`);
    say(`  collector peak RSS ${result.collector.peakRssMiB} MiB = ${peakMB} MB — ${peakMB <= RSS_TARGET_MB ? 'PASS' : 'ABOVE'} (target ≤ ${RSS_TARGET_MB} MB)`);
    say(`  (the collector holds what InfluxDB has not yet taken in memory too; at most ${Math.max(...backlogs)} MB of it at a minute's end)`);
    say(`  collector CPU ${result.collector.cpuSeconds} s over ${result.collector.runSeconds} s = ${result.collector.cpuPercentOfOneCore} % of one core (${result.collector.pointsPerSecond} points/s); influxd CPU ${influxdCpuSeconds} s`);
    if (!values['no-save']) say(`\nresult written to ${saveResult(RESULTS_DIR, startedAt, machine, { 'collector-connections': { ...result, loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0] } } })}`);
  } catch (err) {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    await fleet?.close();
    await collector?.service.stop(20_000);
    await influx?.stop();
    await temp.remove();
  }
}

async function countSamples(influx: InfluxServer, database: string): Promise<number> {
  let total = 0;
  for (const [measurement, field] of [['interface', 'in_bps'], ['ping', 'up']] as const) {
    const [result] = await influx.query(`SELECT count("${field}") FROM "${measurement}"`, database);
    total += Number(result?.series?.[0]?.values[0]?.[1] ?? 0);
  }
  return total;
}
