import { loadavg } from 'node:os';
import { join } from 'node:path';
import { summariseProfile } from '../support/cpu-profile.ts';
import type { InfluxServer } from '../../test/harness/index.ts';
import { makeTempDir, waitFor } from '../../test/harness/index.ts';
import { cpuSeconds, peakRssMiB, round3 } from '../support/proc-stats.ts';
import { startAgents, type FleetAgents } from './agents.ts';
import { benchCause, judgeBench, type ProcessFigures } from './bench-health.ts';
import { defaultAgentProcesses, pollOffsetMs } from './schedule.ts';
import { readAlerts, rssMiB, startFleetCollector, type FleetCollector } from './collector.ts';
import { startRecommendedInflux } from './influxd.ts';
import { findSnapshot, makeDailyRollups, restoreSnapshot, type MonthSnapshot } from './month-snapshot.ts';
import { countsBySite, compareCounts, seriesCardinality, markerLag, percentile, rollupRows, sumSamples, waitForComplete } from './measure.ts';
import { rawWriteReference, rawWriteSamePoints, samePointsBodies } from './reference.ts';
import { writeRegistry } from './registry.ts';
import { samplesPerPoll, school, switchesOf } from './schools.ts';
import { runDashboardQueries } from './dashboards.ts';
import { collectorLogOf, keepLogs, rollupRoundsOf, warningsOf, type PhaseMark } from './collector-log.ts';
import { lateRerollsSettle } from './rerolls.ts';
import { measureWindow } from './window.ts';
import { reportMonth, runReports, writeMonth } from './reports.ts';

export interface FleetOptions {
  schools: number;
  pollSeconds: number;
  steadyPolls: number;
  faultPolls: number;
  outagePolls: number;
  offlineSchools: number;
  downDevices: number;
  downSchools: number;
  outageSchools: number;
  phases: ReadonlySet<string>;
  /** Schools whose month the reports phase writes and reports (default: all). */
  reportSchools?: number;
  /** Simulated agents' processes, each a slice of the schools (default: schedule.ts defaultAgentProcesses). */
  agentProcesses?: number;
  /** Runs the collector under `node --cpu-prof` and adds where its CPU went to the result. */
  profile?: boolean;
  /** Extra environment of the collector process (the systemd unit's, with `--collector-unit-env`). */
  collectorEnv?: Readonly<Record<string, string>>;
  /** The same for the agents' processes (bench/fleet/agents-process.ts). */
  profileAgents?: boolean;
  log: (line: string) => void;
  /** A folder the collector's and influxd's logs are copied to at the end (they live in temp dirs). */
  keepLogs?: string;
  /** The collector's rollups.spreadMinutes; the shipped default when absent. */
  rollupSpreadMinutes?: number;
  /** A folder of month snapshots (month-snapshot.ts): influxd starts from last month's, written beforehand. */
  monthSnapshot?: string;
  /** Seconds of influxd CPU profile taken at the start of the drain and of its raw reference (0: none). */
  influxProfileSeconds?: number;
}

/** Schools the one-at-a-time reference of the reports phase runs over (the pool is timed on the same ones). */
const REFERENCE_SCHOOLS = 24;
export const DATABASE = 'hallmonitor';
/** The school whose dashboard phase 5 replays (and whose raw days a month snapshot holds). */
export const DASHBOARD_SCHOOL = 3;

/** Everything one run measured; written as JSON by the scenario. */
export type FleetResult = Record<string, unknown> & { ok: boolean; problems: string[] };

/**
 * One fleet run: influxd with deploy/influxdb's settings, the real collector, the simulated agents in their
 * own process, then the phases in order. Counts are checked (a lost or extra sample, a missing or extra
 * alert is a problem and fails the run); speeds are reported.
 */
export async function runFleet(o: FleetOptions): Promise<FleetResult> {
  const say = o.log;
  const result: FleetResult = { ok: true, problems: [], options: { ...o, phases: [...o.phases], log: undefined }, load: { atStart: loadavg() } };
  const problem = (p: string) => {
    result.problems.push(p);
    result.ok = false;
    say(`  PROBLEM: ${p}`);
  };
  // Every sample an agent measures is stamped after this (the counts read from here on).
  const runStart = Date.now() - 60_000;
  const temp = makeTempDir('bench-fleet');
  let influx: InfluxServer | undefined;
  let collector: FleetCollector | undefined;
  let agents: FleetAgents | undefined;
  const rss: { collector: number[]; influxd: number[] } = { collector: [], influxd: [] };
  let sampler: NodeJS.Timeout | undefined;
  const P = o.pollSeconds * 1000;
  let pollNo = 0;
  const down: Record<string, string[]> = {};
  /** When each phase ended, for the collector's log (collector-log.ts). */
  const marks: PhaseMark[] = [];
  const timeline: { at: string; collectorPct: number; influxdPct: number; collectorRssMiB: number; influxdRssMiB: number }[] = [];
  result.timeline = timeline;
  try {
    let snapshot: MonthSnapshot | undefined;
    if (o.monthSnapshot !== undefined) {
      const found = findSnapshot(o.monthSnapshot, reportMonth(Date.now()), o.schools, DATABASE);
      if ('reason' in found) throw new Error(`--month-snapshot: ${found.reason}`);
      snapshot = found.snapshot;
      result.monthSnapshot = { dir: found.dir, ...snapshot };
      const r0 = performance.now();
      influx = await startRecommendedInflux((dir) => restoreSnapshot(found.dir, dir));
      say(`influxd started from ${found.dir} (${snapshot.month}, built ${snapshot.builtAt}) in ${((performance.now() - r0) / 1000).toFixed(1)} s`);
      // The daily rollups the overview's long panels read, as the collector's rounds would have kept them.
      say(`daily rollups made from the snapshot's 5-minute rollups in ${await makeDailyRollups(influx.url, DATABASE, snapshot.month, Date.now())} s`);
    } else {
      influx = await startRecommendedInflux();
    }
    const t0 = performance.now();
    const credentials = await writeRegistry(temp.path, o.schools, o.pollSeconds, new Date());
    say(`registry: ${o.schools} schools' agents and site files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const profileDir = join(temp.path, 'profile');
    collector = await startFleetCollector(temp.path, influx.url, DATABASE, o.pollSeconds, o.profile === true ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [], o.collectorEnv, o.rollupSpreadMinutes === undefined ? {} : { rollups: { spreadMinutes: o.rollupSpreadMinutes } });
    const cpid = collector.service.pid;
    const ipid = influx.pid;
    // Per minute, CPU and RSS of both: the hourly rollup queries and the drain show as bursts (result.timeline).
    let last = { collector: cpuSeconds(cpid), influxd: cpuSeconds(ipid) };
    let ticks = 0;
    sampler = setInterval(() => {
      rss.collector.push(rssMiB(cpid));
      rss.influxd.push(rssMiB(ipid));
      if (++ticks % 60 !== 0) return;
      const now = { collector: cpuSeconds(cpid), influxd: cpuSeconds(ipid) };
      timeline.push({ at: new Date().toISOString().slice(11, 16), collectorPct: Math.round(((now.collector - last.collector) / 60) * 100), influxdPct: Math.round(((now.influxd - last.influxd) / 60) * 100), collectorRssMiB: rss.collector.at(-1)!, influxdRssMiB: rss.influxd.at(-1)! });
      last = now;
    }, 1_000);
    const K = o.agentProcesses ?? defaultAgentProcesses(o.schools);
    agents = startAgents(K, o.profileAgents === true ? join(temp.path, 'agents-profile') : undefined);
    await agents.init(collector.url, credentials);
    result.agentProcesses = K;
    say(`agents: ${o.schools} schools in ${K} process(es) (${agents.pids.join(', ')}), each school polling at its own offset into the first ${Math.round(P * 0.8 / 1000)} s of the interval`);
    // The agents' own figures per phase: the window from the last call to this one.
    const fleetAgents = agents;
    let agentCpu0 = fleetAgents.pids.map((pid) => cpuSeconds(pid));
    const agentsWindow = async (phase: string) => {
      marks.push({ phase, at: Date.now() });
      const health = await fleetAgents.health(true);
      const cpu = fleetAgents.pids.map((pid) => cpuSeconds(pid));
      const figures: ProcessFigures[] = health.map((h, k) => ({ pid: fleetAgents.pids[k]!, cpuPercentOfOneCore: pct(cpu[k]! - agentCpu0[k]!, h.seconds), ...h }));
      agentCpu0 = cpu;
      const verdict = judgeBench(figures);
      benchPhases[phase] = verdict;
      if (verdict.limited) say(`  BENCH-LIMITED in ${phase}: ${verdict.reasons.slice(0, 4).join('; ')}`);
      if (verdict.connectionsLost.length > 0) say(`  in ${phase}: ${verdict.connectionsLost.join('; ')}`);
      return { processes: figures, benchLimited: verdict.limited, reasons: verdict.reasons, connectionsLost: verdict.connectionsLost };
    };
    const benchPhases: Record<string, { limited: boolean; reasons: string[]; connectionsLost: string[] }> = {};
    result.benchLimited = benchPhases;
    const all = credentials.map((c) => c.index);

    // (1) connect
    const idle = rssMiB(cpid);
    const c0 = performance.now();
    const connectMs = await agents.connect(all);
    await agentsWindow('connect');
    result.connect = { seconds: round3((performance.now() - c0) / 1000), p50Ms: Math.round(percentile(connectMs, 0.5)), p99Ms: Math.round(percentile(connectMs, 0.99)), collectorRssMiB: { before: idle, after: rssMiB(cpid) } };
    say(`(1) connect: ${o.schools} agents in ${(result.connect as { seconds: number }).seconds} s; collector RSS ${idle} → ${rssMiB(cpid)} MiB`);

    /** One poll of every school at the real time, each at its offset into 80 % of the interval; the marker's lag measured. */
    const lags: { phase: string; at: number; ms: number | undefined; lastError?: string; storedWith?: string; queries: number }[] = [];
    const measuring: Promise<void>[] = [];
    let nextTickAt = 0;
    // Each tick takes the next slot of a regular schedule, one interval after the one before: a phase that
    // starts while the last tick is still in its interval waits for it, so the schools poll every P as real
    // ones do. (A new tick at once made 3 polls within 6 s after a short drain, and the live lag measured
    // then was the bench's burst, not the collector's.)
    const tick = async (named: string | (() => string)) => {
      const slot = Math.max(Date.now(), nextTickAt);
      nextTickAt = slot + P;
      if (slot > Date.now()) await new Promise((r) => setTimeout(r, slot - Date.now()));
      // Named when it polls: a tick that waited past the end of its phase's work is that phase's tail.
      const phase = typeof named === 'string' ? named : named();
      const at = Date.now();
      const started = performance.now();
      const polled = agents!.poll(pollNo++, at, P * 0.8, down);
      // The marker (school 0) measures at its offset, later if its process is behind: anything in this interval.
      // From a second before it: the agents' process stamps Date.now() when its timer fires, and a Node timer
      // fires up to a millisecond before Date.now() reaches the time it was set for (run 16: 2 markers, each
      // stored 1 ms before this window, were counted unreadable; run 15's 7 were most likely the same).
      const lag = markerLag(influx!, DATABASE, school(0).site, at + pollOffsetMs(0, P * 0.8) - 1_000, at + P, P * 3).then((m) => {
        lags.push({ phase, at, ...m, ms: m.ms });
      });
      measuring.push(lag);
      await polled;
      const rest = P - (performance.now() - started);
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    };
    const lagOf = async (phase: string) => {
      await Promise.all(measuring.splice(0));
      const all = lags.filter((l) => l.phase === phase);
      const ms = all.flatMap((l) => (l.ms === undefined ? [] : [l.ms]));
      // A marker not readable within 3 polls is not in the percentiles: it is counted, and the run says so.
      // Each unreadable one: its poll, the queries made, their last error and what was stored after all.
      const unreadable = all.filter((l) => l.ms === undefined).slice(0, 20).map((l) => ({ poll: new Date(l.at).toISOString(), queries: l.queries, lastError: l.lastError, storedWith: l.storedWith }));
      return { polls: all.length, unreadableWithin3Polls: all.length - ms.length, p50Ms: Math.round(percentile(ms, 0.5)), p99Ms: Math.round(percentile(ms, 0.99)), maxMs: Math.round(Math.max(0, ...ms)), ...(unreadable.length > 0 ? { unreadable } : {}) };
    };

    /**
     * Work while the schools keep polling, as real agents would: a replay's drain, and the work between two
     * phases (the series count, waiting up to 3 polls for the last markers). A pause of the polls longer than
     * the heartbeat timeout made the next phase's site-offline alerts the bench's own (the 5-second smoke lost
     * 23 schools to it).
     */
    const whilePolling = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
      let finished = false;
      const done = work().finally(() => {
        finished = true;
      });
      const settled = done.catch(() => undefined);
      while (!finished) await Promise.race([tick(() => (finished ? `${phase}-tail` : phase)), settled]);
      return done;
    };

    // (2) steady state
    if (o.phases.has('steady')) {
      await agentsWindow('before-steady');
      const cpu0 = { collector: cpuSeconds(cpid), influxd: cpuSeconds(ipid) };
      const s0 = performance.now();
      const sent0 = sumSamples(await agents.stats());
      for (let i = 0; i < o.steadyPolls; i++) await tick('steady');
      const steadySeconds = (performance.now() - s0) / 1000;
      const sent = sumSamples(await agents.stats()) - sent0;
      const cpu = { collector: cpuSeconds(cpid) - cpu0.collector, influxd: cpuSeconds(ipid) - cpu0.influxd };
      const { series, lag } = await whilePolling('steady-measured', async () => ({ series: await seriesCardinality(influx!, DATABASE), lag: await lagOf('steady') }));
      result.steady = {
        polls: o.steadyPolls,
        seconds: round3(steadySeconds),
        samplesPerPoll: Math.round(sent / Math.max(1, o.steadyPolls)),
        pointsPerSecond: Math.round(sent / steadySeconds),
        collector: { cpuPercentOfOneCore: pct(cpu.collector, steadySeconds), cpuUsPerPoint: Math.round((cpu.collector / Math.max(1, sent)) * 1e7) / 10, rssMiB: rssMiB(cpid), peakRssMiB: peakRssMiB(cpid) },
        influxd: { cpuPercentOfOneCore: pct(cpu.influxd, steadySeconds), cpuUsPerPoint: Math.round((cpu.influxd / Math.max(1, sent)) * 1e7) / 10, rssMiB: rssMiB(ipid), peakRssMiB: peakRssMiB(ipid) },
        series,
        lag,
        agents: await agentsWindow('steady'),
        load: loadavg(),
      };
      say(`(2) steady: ${JSON.stringify(result.steady)}`);
    }

    // (3) faults: schools offline (their connection cut, the will fires) and switches down in other schools.
    if (o.phases.has('faults')) {
      const offline = pick(o.schools, o.offlineSchools, 1);
      const downSchools = pick(o.schools, o.downSchools + offline.length, 2).filter((i) => !offline.includes(i)).slice(0, o.downSchools);
      const wanted = new Map<number, string[]>();
      let left = o.downDevices;
      // Round-robin over the schools, so every chosen school has at least one device down.
      for (let round = 0; left > 0 && round < 10; round++) {
        for (const i of downSchools) {
          const sw = switchesOf(school(i));
          if (left > 0 && round < sw.length) {
            wanted.set(i, [...(wanted.get(i) ?? []), sw[round]!]);
            left--;
          }
        }
      }
      if (left > 0) problem(`faults: only ${o.downDevices - left} switches to take down in ${downSchools.length} schools`);
      const before = new Set(readAlerts(collector.alertsDb).map((a) => a.id));
      await agentsWindow('before-faults');
      const injectedAt = Date.now();
      await agents.offline(offline);
      for (const [i, names] of wanted) down[school(i).site] = names;
      const expected = new Set([...offline.map((i) => `site-offline|${school(i).site}|`), ...[...wanted].flatMap(([i, names]) => names.map((n) => `device-down|${school(i).site}|${n}`))]);
      const firstSeen = new Map<string, number>();
      const watch = setInterval(() => {
        for (const a of readAlerts(collector!.alertsDb)) {
          if (before.has(a.id) || a.firingAt === undefined) continue;
          const key = `${a.rule}|${a.site}|${a.device ?? ''}`;
          if (!firstSeen.has(key)) firstSeen.set(key, Date.now() - injectedAt);
        }
      }, 250);
      for (let i = 0; i < o.faultPolls; i++) {
        await tick('faults');
        if ([...expected].every((k) => firstSeen.has(k))) break;
      }
      // One more poll's worth, so an extra alert has its chance to show.
      await tick('faults');
      clearInterval(watch);
      const rows = readAlerts(collector.alertsDb).filter((a) => !before.has(a.id));
      const keyOf = (a: { rule: string; site: string; device: string | null }) => `${a.rule}|${a.site}|${a.device ?? ''}`;
      // Alerts that fired; one that was pending and cleared paged no one.
      const keys = [...new Set(rows.filter((a) => a.firingAt !== undefined).map(keyOf))];
      const fired = keys;
      const pendingOnly = rows.filter((a) => a.state === 'pending').map(keyOf);
      const missing = [...expected].filter((k) => !keys.includes(k));
      const extra = keys.filter((k) => !expected.has(k));
      const latency = [...firstSeen.entries()];
      // An alert that is extra or missing at a school whose simulated agent fell silent or late is the bench's.
      const faultStats = await agents.stats();
      const faultAgents = await agentsWindow('faults');
      const causeOf = (k: string) => benchCause(faultStats[k.split('|')[1]!]?.bench, P, 3 * P);
      const benchCaused = Object.fromEntries([...missing, ...extra].flatMap((k) => {
        const c = causeOf(k);
        return c === undefined ? [] : [[k, c]];
      }));
      result.faults = {
        offlineSchools: offline.length,
        downDevices: o.downDevices - left,
        downSchools: wanted.size,
        alerts: { expected: expected.size, fired: fired.length, pendingAtEnd: pendingOnly, siteOffline: keys.filter((k) => k.startsWith('site-offline')).length, deviceDown: keys.filter((k) => k.startsWith('device-down')).length, missing, extra },
        latencyMs: {
          siteOffline: summary(latency.filter(([k]) => k.startsWith('site-offline')).map(([, ms]) => ms)),
          deviceDown: summary(latency.filter(([k]) => k.startsWith('device-down')).map(([, ms]) => ms)),
        },
        // Site offline: the will marks it at once; pending 2 polls + 2 polls. Device down: pending 1 poll + 2 polls.
        budgetMs: { siteOffline: 4 * P, deviceDown: 3 * P },
        lag: await lagOf('faults'),
        // Of the missing and extra alerts, those at schools the bench itself let fall silent or late.
        benchCaused: { count: Object.keys(benchCaused).length, of: missing.length + extra.length, alerts: Object.fromEntries(Object.entries(benchCaused).slice(0, 20)) },
        agents: faultAgents,
      };
      const byBench = (ks: string[]) => ks.filter((k) => benchCaused[k] !== undefined).length;
      if (missing.length > 0) problem(`faults: ${missing.length} expected alerts did not fire (${byBench(missing)} at schools the bench let fall behind): ${missing.slice(0, 5).join(', ')}`);
      if (extra.length > 0) problem(`faults: ${extra.length} alerts not expected (${byBench(extra)} at schools the bench let fall behind): ${extra.slice(0, 5).join(', ')}`);
      say(`(3) faults: ${JSON.stringify(result.faults)}`);
      // Repair: devices answer again, the schools come back and replay what they spooled.
      for (const k of Object.keys(down)) delete down[k];
      await agents.connect(offline);
      await tick('faults-repair');
    }

    // (4) regional outage: many schools offline for a while, then back at once with their spools.
    if (o.phases.has('outage')) {
      const region = pick(o.schools, o.outageSchools, 1);
      const outageFrom = Date.now();
      await agents.offline(region);
      for (let i = 0; i < o.outagePolls; i++) await tick('outage');
      const stats = await agents.stats();
      const spooled = region.reduce((n, i) => n + (stats[school(i).site]?.spooled ?? 0), 0);
      const spooledSamples = region.reduce((n, i) => n + o.outagePolls * samplesOf(i), 0);
      const back = Date.now();
      const windowPids = { collector: cpid, influxd: ipid, agents: agents.pids };
      const drainWindow = await measureWindow(windowPids, influx.url, o.influxProfileSeconds);
      const reconnect = agents.connect(region, region.length);
      // Live schools keep polling during the drain; their lag is the marker's.
      let drainedAt: number | undefined;
      let reconnectedAt: number | undefined;
      let spoolsEmptyAt: number | undefined;
      // Live schools keep polling through the drain (a tick still running when it ends finishes on its own).
      await whilePolling('drain', async () => {
        await reconnect;
        reconnectedAt = Date.now();
        await waitFor(async () => {
          const s = await agents!.stats();
          return region.every((i) => s[school(i).site]?.spooled === 0);
        }, { timeoutMs: 30 * 60_000, intervalMs: 200, what: 'the region\'s spools to empty' });
        spoolsEmptyAt = Date.now();
        // Readable: every ping sample of the region's schools is stored. Every batch carries pings (schools.ts
        // measures device by device) and goes to InfluxDB whole, so this is every batch; it is one cheap
        // query a second, not the nine GROUP BY queries of the full count, which would compete with the
        // drain they time. The full count of every measurement follows below (counts).
        await waitFor(async () => (await countsBySite(influx!, DATABASE, region.map((i) => school(i).site), runStart, ['ping'])).complete(await agents!.stats()), { timeoutMs: 30 * 60_000, intervalMs: 1_000, what: 'the region\'s samples in InfluxDB' });
        drainedAt = Date.now();
      });
      const drainSeconds = (drainedAt! - back) / 1000;
      const drainFigures = await drainWindow();
      // The late backlog's re-rolls of the region's schools (collector/rollups/late-backlog.ts) start once a
      // school's replay has been quiet 2 minutes: work of their own, after the drain. The references wait
      // for them to end, so influxd writes the reference's points with no more beside it than the drain had.
      const rerolls = await whilePolling('rerolls', () => lateRerollsSettle(collector!.service.logPath, outageFrom, back, drainedAt!));
      // The same points again into the same database while the live schools poll, then the old reference
      // (a fresh database, nothing else running): the first is the ratio's peer (reference.ts).
      const offline = await agents.stats();
      const made = samePointsBodies(region, (i) => offline[school(i).site]?.offlinePolls ?? []);
      const sameWindow = await measureWindow(windowPids, influx.url, o.influxProfileSeconds);
      const same = await whilePolling('reference', () => rawWriteSamePoints(influx!, DATABASE, made));
      const sameFigures = await sameWindow();
      if (same.points !== spooledSamples) problem(`outage: the same-points reference made ${same.points} points, the region spooled ${spooledSamples}`);
      const reference = await rawWriteReference(influx, region, o.outagePolls);
      const drainRate = Math.round(spooledSamples / drainSeconds);
      result.outage = {
        schools: region.length,
        polls: o.outagePolls,
        spooledBatches: spooled,
        spooledSamples,
        drainSeconds: round3(drainSeconds),
        // Back → all connected (logins), → last PUBACK of the replay, → every replayed sample readable.
        drainSteps: { connectedSeconds: round3(((reconnectedAt ?? back) - back) / 1000), acknowledgedSeconds: round3(((spoolsEmptyAt ?? back) - back) / 1000), readableSeconds: round3(drainSeconds) },
        drainPointsPerSecond: drainRate,
        lateRerolls: rerolls,
        rawWriteSamePoints: same,
        ratioToRawWrite: Math.round((drainRate / same.pointsPerSecond) * 100) / 100,
        liveLagDuringReference: await lagOf('reference'),
        rawWriteFreshDatabase: reference,
        ratioToFreshDatabase: Math.round((drainRate / reference.pointsPerSecond) * 100) / 100,
        cpuSeconds: { collector: drainFigures.cpuSeconds['collector'], influxd: drainFigures.cpuSeconds['influxd'] },
        // Who had the machine, and every point influxd stored (live ones too), in the drain and in its peer.
        windows: { drain: drainFigures, rawWriteSamePoints: sameFigures },
        // The live schools' points go first in the drain and are counted here; the ratio above counts only the replay.
        ratioOfInfluxdPointsPerSecond: Math.round((drainFigures.influxdPointsPerSecond / Math.max(1, sameFigures.influxdPointsPerSecond)) * 100) / 100,
        liveLagDuringDrain: await lagOf('drain'),
        lagDuringOutage: await lagOf('outage'),
        collectorPeakRssMiB: peakRssMiB(cpid),
        agents: await agentsWindow('outage'),
      };
      say(`(4) outage: ${JSON.stringify(result.outage)}`);
    }

    // Counts: every sample measured is in InfluxDB, per school and measurement.
    await tick('settle');
    const expected = await waitForComplete(agents, influx, DATABASE, o.schools, runStart);
    const diff = compareCounts(expected.expected, expected.stored);
    const schoolsChecked = Object.keys(expected.expected).length;
    result.counts = { samplesMeasured: sumSamples(await agents.stats()), schoolsChecked, mismatches: diff.slice(0, 20), mismatchCount: diff.length };
    if (diff.length > 0) problem(`counts: ${diff.length} (school, measurement) pairs differ, e.g. ${JSON.stringify(diff.slice(0, 3))}`);
    // A spool that never drained leaves nothing compared: that is a failure to show, not "all as expected".
    if (schoolsChecked < o.schools) problem(`counts: only ${schoolsChecked} of ${o.schools} schools compared (spools not drained within 5 minutes)`);
    say(`counts: ${JSON.stringify(result.counts)}`);

    if (o.phases.has('dashboards')) {
      result.dashboards = await runDashboardQueries(influx.url, DATABASE, school(DASHBOARD_SCHOOL % o.schools).site);
      say(`(5) dashboards: ${JSON.stringify(result.dashboards)}`);
    }

    // (6) monthly reports: last month's data for the schools written straight to InfluxDB first (SYNTHETIC,
    // see reports.ts), then the provider's `report --all` over them, timed, with its peak memory.
    if (o.phases.has('reports')) {
      const month = reportMonth(Date.now());
      const chosen = Array.from({ length: Math.min(o.schools, o.reportSchools ?? o.schools) }, (_, i) => i);
      // The schools keep polling throughout, as a live fleet does while its reports are made (a pause of the
      // polls is, to the collector, every school going silent: run 12's 1,000 site-offline alerts).
      let written: Record<string, unknown>;
      if (snapshot !== undefined) {
        written = { fromSnapshot: true, ...snapshot.monthData };
        say(`(6) reports: ${month} for ${chosen.length} schools was written beforehand (the snapshot)`);
      } else {
        say(`(6) reports: writing ${month} for ${chosen.length} schools…`);
        written = await whilePolling('reports', () => writeMonth(influx!.url, DATABASE, chosen, month, o.pollSeconds));
        say(`(6) reports: month written: ${JSON.stringify(written)}`);
      }
      // With the snapshot the month was there for phase 5 already.
      if (o.phases.has('dashboards') && snapshot === undefined) {
        // The 30-day queries again, now that a month of rollups is there (the raw panels hold only this run's hours).
        result.dashboardsAfterMonth = await whilePolling('reports', () => runDashboardQueries(influx!.url, DATABASE, school(DASHBOARD_SCHOOL % o.schools).site));
        say(`(5) dashboards after the month: ${JSON.stringify(result.dashboardsAfterMonth)}`);
      }
      const reportsOf = (indices: readonly number[], concurrency?: number) => whilePolling('reports', () => runReports(temp.path, join(temp.path, 'collector.yaml'), indices, month, concurrency));
      const made = await reportsOf(chosen);
      // The reference in the same run, on the same data (after, so a warmer InfluxDB favours it): one school at a
      // time, on at most REFERENCE_SCHOOLS of them (at 1,000 a second full pass would double the phase).
      const reference = chosen.slice(0, REFERENCE_SCHOOLS);
      const pool = reference.length === chosen.length ? made : await reportsOf(reference);
      const one = await reportsOf(reference, 1);
      const sequential = { schools: reference.length, seconds: one.seconds, perReportMs: one.perReportMs, peakRssMiB: one.peakRssMiB, exitCode: one.exitCode };
      result.reports = { month, schools: chosen.length, monthData: written, ...made, sequential, speedup: Math.round((one.seconds / pool.seconds) * 100) / 100 };
      if (made.exitCode !== 0 || made.reports !== chosen.length) problem(`reports: ${made.reports} of ${chosen.length} reports made (exit ${made.exitCode}): ${made.stderr.slice(-300)}`);
      say(`(6) reports: ${JSON.stringify(result.reports)}`);
    }

    // The rollup rows the collector's hourly rounds (and its late-backlog re-rolls) wrote during the run, per
    // measurement; each round's own account is in rollupRounds, read from the collector's log at the end.
    result.rollupRows = await rollupRows(influx, DATABASE, runStart);
    say(`rollup rows written by the collector's rollups: ${JSON.stringify(result.rollupRows)}`);
    const all_alerts = readAlerts(collector.alertsDb);
    const byRule = (rows: typeof all_alerts) => Object.fromEntries([...new Set(rows.map((a) => a.rule))].map((r) => [r, rows.filter((a) => a.rule === r).length]));
    // Fired: went from pending to firing; muted ones are counted there too and listed apart.
    result.alertsByRule = byRule(all_alerts.filter((a) => a.firingAt !== undefined));
    result.alertsMutedByRule = byRule(all_alerts.filter((a) => a.firingAt !== undefined && a.muted !== undefined));
    result.alertsPendingOnlyByRule = byRule(all_alerts.filter((a) => a.firingAt === undefined));
    result.collector = { peakRssMiB: peakRssMiB(cpid), maxSampledRssMiB: Math.max(0, ...rss.collector) };
    result.influxd = { peakRssMiB: peakRssMiB(ipid), maxSampledRssMiB: Math.max(0, ...rss.influxd) };
    result.load = { ...(result.load as object), atEnd: loadavg() };
  } catch (err) {
    problem(`run failed: ${(err as Error).stack ?? String(err)}`);
  } finally {
    clearInterval(sampler);
    // What the collector warned about (backpressure, refusals, slow writes), by message: where a lag or a
    // false alert that the bench's own figures do not explain came from.
    if (collector !== undefined) {
      result.collectorWarnings = warningsOf(collector.service.logPath);
      say(`collector warnings: ${JSON.stringify(Object.fromEntries(Object.entries(result.collectorWarnings as object).map(([m, w]) => [m, (w as { count: number }).count])))}`);
      result.collectorLog = collectorLogOf(collector.service.logPath, marks);
      result.rollupRounds = rollupRoundsOf(collector.service.logPath);
      say(`collector log by phase: ${JSON.stringify(result.collectorLog)}`);
      say(`rollup rounds: ${JSON.stringify(result.rollupRounds)}`);
    }
    await agents?.stop();
    await collector?.service.stop(20_000);
    if (o.keepLogs !== undefined) keepLogs(o.keepLogs, [collector?.service.logPath, influx === undefined ? undefined : join(influx.dir, 'influxd.log')], say);
    if (o.profile === true && collector !== undefined) {
      try {
        const p = summariseProfile(join(temp.path, 'profile'), 20);
        result.collectorProfile = p;
        say(`collector profile: ${JSON.stringify(p)}`);
      } catch (err) {
        say(`collector profile: ${(err as Error).message}`);
      }
    }
    if (o.profileAgents === true && agents !== undefined) {
      result.agentsProfile = agents.pids.map((pid, k) => {
        try {
          return { pid, ...summariseProfile(join(temp.path, 'agents-profile', `agents-${k}`), 15) };
        } catch (err) {
          return { pid, error: (err as Error).message };
        }
      });
      say(`agents' profile: ${JSON.stringify(result.agentsProfile)}`);
    }
    await influx?.stop();
    await temp.remove();
  }
  return result;
}

const samplesOf = (i: number) => samplesPerPoll(school(i));

/**
 * `count` school indices in a fixed pseudo-random order (so primaries and secondaries mix as in the fleet,
 * whatever the stride), never the first `skip` (school 0 is the lag marker), the same in every run.
 */
export function pick(schools: number, count: number, skip: number): number[] {
  const order = Array.from({ length: Math.max(0, schools - skip) }, (_, k) => skip + k);
  const salt = Math.imul(skip, 0x85ebca6b);
  const key = (i: number) => (Math.imul(i + 1, 0x9e3779b1) ^ salt) >>> 0;
  return order.sort((a, b) => key(a) - key(b)).slice(0, Math.min(count, order.length));
}

// A window of under a tenth of a second (two phases back to back) has no meaningful rate: 0, not Infinity.
const pct = (cpu: number, seconds: number) => (seconds > 0 ? Math.round((cpu / seconds) * 1000) / 10 : 0);

function summary(ms: number[]) {
  return { n: ms.length, p50: Math.round(percentile(ms, 0.5)), max: Math.round(Math.max(0, ...ms)) };
}
