import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { addAgent } from '../../collector/agents/store.ts';
import { makeTempDir, spawnService, startInflux, waitFor, type InfluxServer, type ServiceProcess } from '../../test/harness/index.ts';
import { fillSpool } from '../replay/backlog.ts';
import { watchLiveSamples } from '../replay/live-delay.ts';
import { INGEST_TARGET, saveResult } from '../report.ts';
import { startCollectorProcess } from '../support/collector-process.ts';
import { describeMachine } from '../support/machine.ts';
import { cpuMeter, peakRssMiB, round3, waitForIdle } from '../support/proc-stats.ts';
import { lineBodies } from '../support/line-protocol.ts';
import { acceptedPoints, waitForAccepted } from '../support/influx-progress.ts';
import { postBodies } from '../support/raw-writer.ts';

/**
 * `npm run bench replay [-- --hours 24 --live-interval 10 --rounds 1 --no-save]`: a 50-device school's
 * 24-hour backlog (one poll a minute) is drained from the real agent's spool through the real collector into
 * InfluxDB, beside the same points POSTed as line protocol to the same influxd; meanwhile a second, live agent
 * polls every --live-interval seconds and the delay of its samples is measured (target: within 2 intervals).
 */
const RESULTS_DIR = fileURLToPath(new URL('../results/replay/', import.meta.url));
const AGENT_BIN = fileURLToPath(new URL('../../bin/hallmonitor-agent.js', import.meta.url));
const LIVE_SITE = 'live-school';
const WRITE_BATCH = 5_000;
const WRITERS = 2;

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      hours: { type: 'string' },
      'live-interval': { type: 'string' },
      'max-in-flight': { type: 'string' },
      rounds: { type: 'string' },
      'no-save': { type: 'boolean', default: false },
      /** Writes the collector's and the backlog agent's CPU profiles (node --cpu-prof) to this directory. */
      'cpu-prof': { type: 'string' },
    },
  });
  const hours = Number(values.hours ?? 24);
  const liveInterval = Number(values['live-interval'] ?? 10);
  const rounds = Number(values.rounds ?? 1);
  /** The backlog agent's spool.maxInFlight (agent.yaml); the agent's default paces replays at 20. */
  const maxInFlight = Number(values['max-in-flight'] ?? 20);
  if (!(hours > 0) || !(liveInterval >= 1) || !Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new Error('--hours > 0, --live-interval ≥ 1, --rounds ≥ 1, --max-in-flight ≥ 1 expected');
  }
  const profileDir = values['cpu-prof'];
  const profile = (name: string) => (profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${name}.cpuprofile`] : []);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const startedAt = new Date();
  const machine = describeMachine();
  // Other work on the machine slows every process; it is recorded with the figures.
  const loadAtStart = loadavg()[0] ?? 0;
  say(`hallmonitor bench replay ${startedAt.toISOString()}`);
  say(`Node ${machine.node}, ${machine.cpu} × ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, ${machine.influxd}; load average ${loadAtStart.toFixed(1)}`);

  const temp = makeTempDir('bench-replay');
  let influx: InfluxServer | undefined;
  const services: ServiceProcess[] = [];
  try {
    influx = await startInflux();
    const runs = [];
    for (let round = 1; round <= rounds; round++) {
      const dir = join(temp.path, `round-${round}`);
      mkdirSync(join(dir, 'sites'), { recursive: true });
      const backlog = fillSpool(join(mkdir(join(dir, 'backlog-agent')), 'spool.db'), hours, Date.now());
      if (round === 1) say(`replay: ${backlog.points} points in ${backlog.batches} spooled batches (${hours} h of a 50-device school, one poll a minute), agent spool.maxInFlight ${maxInFlight}`);

      const bodies = lineBodies(backlog.lines, WRITE_BATCH);
      if (round === 1) {
        // influxd's first writes are slow while its Go heap grows; neither side should pay for that.
        await influx.query('CREATE DATABASE replay_warmup');
        await postBodies(influx.url, 'replay_warmup', bodies, WRITERS);
      }
      // The reference: the same points, as line protocol, straight to the same influxd.
      const rawDb = `replay_raw_${round}`;
      await influx.query(`CREATE DATABASE ${rawDb}`);
      await waitForIdle(influx.pid);
      const rawCpu = cpuMeter({ influxd: influx.pid });
      const rawStart = performance.now();
      await postBodies(influx.url, rawDb, bodies, WRITERS);
      const rawEnd = await waitForAccepted(influx.url, rawDb, backlog.points, { timeoutMs: 120_000 });
      const raw = { seconds: round3((rawEnd - rawStart) / 1000), pointsPerSecond: Math.round(backlog.points / ((rawEnd - rawStart) / 1000)), cpuSeconds: rawCpu() };
      say(`  raw /write ×${WRITERS} round ${round}: ${raw.seconds.toFixed(2)} s = ${raw.pointsPerSecond} points/s`);

      // Ours: the collector with its embedded broker, a live agent polling, then the backlog agent.
      const db = `replay_ours_${round}`;
      const password = async (id: string, site: string) => (await addAgent(join(dir, 'agents.yaml'), { id, site })).password;
      writeFileSync(join(dir, 'sites', `${backlog.site}.yaml`), stringify({ id: backlog.site, name: 'Backlog school' }));
      const ping = { intervalSeconds: liveInterval, probes: 1, probeIntervalSeconds: 0.2, timeoutSeconds: 1 };
      writeFileSync(join(dir, 'sites', `${LIVE_SITE}.yaml`), stringify({ id: LIVE_SITE, name: 'Live school', devices: [{ name: 'gateway', address: '127.0.0.1', role: 'internet', checks: { ping } }] }));
      const creds = { backlog: await password(backlog.agent, backlog.site), live: await password(`${LIVE_SITE}-1`, LIVE_SITE) };
      const collector = await startCollectorProcess({
        dir, influxUrl: influx.url, database: db, batchSize: WRITE_BATCH, flushIntervalMs: 1_000, maxWritesInFlight: WRITERS, nodeArgs: profile(`collector-${round}`),
      });
      services.push(collector.service);
      const agentYaml = (name: string, id: string, site: string, pw: string, extra: object = {}) => {
        const file = join(dir, `${name}.yaml`);
        writeFileSync(file, stringify({ agent: id, site, broker: { url: collector.brokerUrl, password: pw }, dataDir: `${name}-agent`, logLevel: 'warn', ...extra }));
        return file;
      };
      const startAgent = async (name: string, file: string, nodeArgs: string[] = []) => {
        const service = await spawnService({ name: `agent-${name}`, command: process.execPath, args: [...nodeArgs, AGENT_BIN, 'run', '-c', file], dir });
        services.push(service);
        return service;
      };
      await startAgent('live', agentYaml('live', `${LIVE_SITE}-1`, LIVE_SITE, creds.live));
      const live = watchLiveSamples(influx, db, LIVE_SITE);
      await waitFor(() => live.seen() >= 2, { timeoutMs: 60_000, what: 'the live agent\'s first samples', service: collector.service });
      await waitForIdle(influx.pid);

      const spawned = performance.now();
      const agent = await startAgent('backlog', agentYaml('backlog', backlog.agent, backlog.site, creds.backlog, { spool: { maxInFlight } }), profile(`agent-${round}`));
      const failed = () => (agent.exitStatus || collector.service.exitStatus ? new Error(`a process exited; collector log:\n${collector.service.logTail()}\nagent log:\n${agent.logTail()}`) : undefined);
      const before = await acceptedPoints(influx.url, db);
      const first = await waitForAccepted(influx.url, db, before + 1_000, { timeoutMs: 60_000, intervalMs: 20, failed });
      const drainCpu = cpuMeter({ influxd: influx.pid, collector: collector.service.pid, agent: agent.pid });
      const end = await waitForAccepted(influx.url, db, before + backlog.points, { timeoutMs: 600_000, intervalMs: 50, failed });
      const cpuSeconds = drainCpu();
      const collectorPeakRssMiB = peakRssMiB(collector.service.pid);
      // A few more live polls after the drain, so the last delays during it are seen.
      await new Promise((resolve) => setTimeout(resolve, liveInterval * 1_000 + 1_000));
      const delays = await live.stop(spawned);
      const stored = await countSite(influx, db, backlog.site);
      if (stored !== backlog.points) throw new Error(`${db}: ${stored} of the backlog's ${backlog.points} points stored`);
      // The first 1,000 points' time is not in the drain rate: it is agent start-up, timed on its own.
      const seconds = (end - first) / 1000;
      const ours = {
        startupSeconds: round3((first - spawned) / 1000),
        seconds: round3(seconds),
        pointsPerSecond: Math.round((backlog.points - 1_000) / seconds),
        cpuSeconds,
        collectorPeakRssMiB,
      };
      const ratio = round3(ours.pointsPerSecond / raw.pointsPerSecond);
      say(`  spool→MQTT→collector round ${round}: ${ours.seconds.toFixed(2)} s = ${ours.pointsPerSecond} points/s (agent start-up ${ours.startupSeconds} s, not counted), collector peak ${collectorPeakRssMiB} MiB`);
      say(`    CPU during the drain: ${Object.entries(cpuSeconds).map(([name, s]) => `${name} ${s.toFixed(2)} s`).join(', ')}; load average ${(loadavg()[0] ?? 0).toFixed(1)}`);
      say(`  live agent during the drain: ${delays.samples} samples, delay median ${delays.medianSeconds} s, max ${delays.maxSeconds} s (target ≤ ${2 * liveInterval} s)`);
      runs.push({ round, points: backlog.points, batches: backlog.batches, raw, ours, ratio, live: { intervalSeconds: liveInterval, ...delays } });
      for (const s of services.splice(0)) await s.stop(20_000);
    }
    const best = runs.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const worstDelay = Math.max(...runs.map((r) => r.live.maxSeconds));
    say('');
    say(`replay: best of ${rounds}: ours ${best.ours.pointsPerSecond} points/s, raw ×${WRITERS} ${best.raw.pointsPerSecond} points/s, ratio ${best.ratio.toFixed(3)} — ${best.ratio >= INGEST_TARGET ? 'PASS' : 'BELOW'} (target ≥ ${INGEST_TARGET})`);
    say(`        live samples during the drain: max delay ${worstDelay} s — ${worstDelay <= 2 * liveInterval ? 'PASS' : 'BELOW'} (target ≤ 2 poll intervals = ${2 * liveInterval} s)`);
    if (!values['no-save']) say(`\nresult written to ${saveResult(RESULTS_DIR, startedAt, machine, { replay: { loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0] }, hours, maxInFlight, target: INGEST_TARGET, runs } })}`);
  } catch (err) {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  } finally {
    for (const s of services) await s.stop(5_000);
    await influx?.stop();
    await temp.remove();
  }
}

function mkdir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

async function countSite(influx: InfluxServer, database: string, site: string): Promise<number> {
  let total = 0;
  for (const [measurement, field] of [['interface', 'in_bps'], ['ping', 'up']] as const) {
    const [result] = await influx.query(`SELECT count("${field}") FROM "${measurement}" WHERE site='${site}'`, database);
    total += Number(result?.series?.[0]?.values[0]?.[1] ?? 0);
  }
  return total;
}
