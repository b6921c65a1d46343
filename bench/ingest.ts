import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { addAgent } from '../collector/agents/store.ts';
import { makeTempDir, startInflux, type InfluxServer } from '../test/harness/index.ts';
import { startCollectorProcess, type CollectorProcess } from './support/collector-process.ts';
import { cpuMeter, peakRssMiB, round3, waitForIdle } from './support/proc-stats.ts';
import { compareRuns, type IngestRun, type RunComparison } from './support/compare-runs.ts';
import { summariseProfile, type ProfileSummary } from './support/cpu-profile.ts';
import type { FleetShape } from './support/fleet.ts';
import { countStored, seriesCardinality, waitForAccepted } from './support/influx-progress.ts';
import { connectFleet, type AgentFleet, type LoadAgent } from './support/mqtt-load.ts';
import { postBodies } from './support/raw-writer.ts';
import type { Workload, WorkloadParams } from './support/workload.ts';

/**
 * Scenario `ingest`: agents publish sample batches over MQTT → the collector (its CLI, a child process)
 * → InfluxDB, against the same points POSTed as line protocol straight to the same influxd, in turns.
 */
export interface IngestParams extends WorkloadParams {
  /** `writeBatch` is also the collector's `influx.batchSize`: both sides write the same size. */
  flushIntervalMs: number;
  /** Unacknowledged QoS 1 messages per agent. */
  window: number;
  /**
   * The collector's `influx.maxWritesInFlight`, and the number of concurrent /write requests of the reference
   * the headline ratio is taken against (the same concurrency on both sides).
   */
  writesInFlight: number;
  /** A second reference with this many concurrent writers, printed beside the first (what influxd takes at most). */
  rawWriters: number;
  /** Each round runs raw then ours. */
  rounds: number;
  /** One more collector run under --cpu-prof, summarised (not timed). */
  profile: boolean;
}

export const INGEST_DEFAULTS: IngestParams = {
  points: 265_000,
  agents: 20,
  messageSamples: 1_000,
  writeBatch: 5_000,
  flushIntervalMs: 1_000,
  window: 2,
  writesInFlight: 2,
  rawWriters: 4,
  rounds: 3,
  profile: false,
};

export interface IngestResult extends RunComparison {
  params: IngestParams;
  shape: FleetShape;
  totalPoints: number;
  messages: number;
  seriesPerRun: number;
  runs: IngestRun[];
  profile?: ProfileSummary;
}

/** count(field) counts the points that have the field: every sample of these measurements has these. */
const COUNT_FIELD = { interface: 'in_bps', ping: 'up' };

async function verify(influx: InfluxServer, database: string, total: number): Promise<void> {
  const stored = await countStored(influx, database, COUNT_FIELD);
  if (stored !== total) throw new Error(`${database}: ${stored} points stored, ${total} sent`);
}

async function rawRun(influx: InfluxServer, w: Workload, writers: number, round: number): Promise<IngestRun> {
  const database = `bench_raw${writers}_${round}`;
  await influx.query(`CREATE DATABASE ${database}`);
  await waitForIdle(influx.pid);
  const cpu = cpuMeter({ influxd: influx.pid, bench: undefined });
  const start = performance.now();
  await postBodies(influx.url, database, w.bodies, writers);
  const end = await waitForAccepted(influx.url, database, w.total, { timeoutMs: 10_000 });
  const cpuSeconds = cpu();
  await verify(influx, database, w.total);
  return result('raw', writers, round, database, w.total, end - start, cpuSeconds);
}

interface OursContext {
  influx: InfluxServer;
  /** Holds agents.yaml; the collector's config and log go here too. */
  dir: string;
  passwords: Map<string, string>;
}

async function oursRun(
  { influx, dir, passwords }: OursContext,
  w: Workload,
  p: IngestParams,
  round: number,
  { database = `bench_ours_${round}`, nodeArgs = [] as readonly string[] } = {},
): Promise<IngestRun> {
  let collector: CollectorProcess | undefined;
  let fleet: AgentFleet | undefined;
  try {
    collector = await startCollectorProcess({
      dir,
      influxUrl: influx.url,
      database,
      batchSize: p.writeBatch,
      flushIntervalMs: p.flushIntervalMs,
      maxWritesInFlight: p.writesInFlight,
      nodeArgs,
    });
    const load: LoadAgent[] = w.agents.map((a) => ({ ...a, password: passwords.get(a.agent)! }));
    fleet = await connectFleet(collector.brokerUrl, load);
    await waitForIdle(influx.pid);
    const service = collector.service;
    const cpu = cpuMeter({ influxd: influx.pid, collector: service.pid, bench: undefined });
    const start = performance.now();
    await fleet.publishAll(p.window, 120_000);
    const acked = performance.now();
    const end = await waitForAccepted(influx.url, database, w.total, {
      timeoutMs: 120_000,
      failed: () => (service.exitStatus ? new Error(`collector exited; log:\n${service.logTail()}`) : undefined),
    });
    const cpuSeconds = cpu();
    const collectorPeakRssMiB = peakRssMiB(service.pid);
    await verify(influx, database, w.total);
    return { ...result('ours', p.writesInFlight, round, database, w.total, end - start, cpuSeconds), ackedSeconds: round3((acked - start) / 1000), collectorPeakRssMiB };
  } finally {
    await fleet?.close();
    await collector?.service.stop(20_000);
  }
}

function result(kind: IngestRun['kind'], writers: number, round: number, database: string, points: number, ms: number, cpuSeconds: Record<string, number>): IngestRun {
  return { kind, writers, round, database, points, seconds: round3(ms / 1000), pointsPerSecond: Math.round(points / (ms / 1000)), cpuSeconds };
}

/** `w` from buildWorkload(p). */
export async function runIngest(p: IngestParams, w: Workload, say: (line: string) => void): Promise<IngestResult> {
  const messages = w.agents.reduce((n, a) => n + a.messages.length, 0);
  say(`ingest: ${w.total} points per run, ${p.agents} agents, ${messages} messages of ≤${p.messageSamples} samples, writes of ${p.writeBatch}`);
  const temp = makeTempDir('bench-ingest');
  let influx: InfluxServer | undefined;
  try {
    influx = await startInflux();
    const passwords = new Map<string, string>();
    for (const a of w.agents) passwords.set(a.agent, (await addAgent(join(temp.path, 'agents.yaml'), { id: a.agent, site: a.site })).password);
    const ours: OursContext = { influx, dir: temp.path, passwords };
    // influxd's first writes are slow while its Go heap grows; neither side should pay for that.
    await influx.query('CREATE DATABASE bench_warmup');
    await postBodies(influx.url, 'bench_warmup', w.bodies, p.writesInFlight);
    const runs: IngestRun[] = [];
    const rawWriters = [...new Set([p.writesInFlight, p.rawWriters])];
    for (let round = 1; round <= p.rounds; round++) {
      for (const kind of [...rawWriters, 'ours'] as const) {
        const run = kind === 'ours' ? await oursRun(ours, w, p, round) : await rawRun(influx, w, kind, round);
        say(`  ${`${kind === 'ours' ? 'ours' : 'raw'} ×${run.writers}`.padEnd(7)} round ${round}: ${run.points} points in ${run.seconds.toFixed(2)} s = ${run.pointsPerSecond} points/s`);
        runs.push(run);
      }
    }
    const series = await seriesCardinality(influx, runs[0]!.database);
    for (const run of runs.slice(1)) {
      const n = await seriesCardinality(influx, run.database);
      if (n !== series) throw new Error(`${run.database}: ${n} series, ${runs[0]!.database} has ${series}: not the same points`);
    }
    let profile: ProfileSummary | undefined;
    if (p.profile) {
      const profDir = join(temp.path, 'cpu-prof');
      mkdirSync(profDir);
      await oursRun(ours, w, p, 0, { database: 'bench_ours_profiled', nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir] });
      profile = summariseProfile(profDir);
    }
    return { params: p, shape: w.shape, totalPoints: w.total, messages, seriesPerRun: series, runs, ...compareRuns(runs, p), ...(profile ? { profile } : {}) };
  } finally {
    await influx?.stop();
    await temp.remove();
  }
}
