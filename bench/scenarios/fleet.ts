import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runFleet } from '../fleet/run.ts';
import { saveResult } from '../report.ts';
import { describeMachine } from '../support/machine.ts';
import { unitEnvironment } from '../agent-memory/unit.ts';

/**
 * `npm run bench -- fleet [--schools 1000] [--steady-minutes 30] [--outage-minutes 60] [--poll-seconds 60]
 * [--phases steady,faults,outage,dashboards,reports] [--report-schools N] [--offline-schools 10] [--down-devices 50] [--down-schools 20]
 * [--outage-schools 100] [--fault-minutes 10] [--agent-processes K] [--profile] [--profile-agents] [--collector-unit-env] [--collector-program build|sources] [--keep-logs DIR] [--rollup-spread-minutes M] [--month-snapshot DIR] [--influx-profile SECONDS] [--no-save]`:
 * issue 17's soak. Simulated schools (bench/fleet/schools.ts) in K processes of their own (default 4 from 500
 * schools, 2 from 100) against the real collector (with `--collector-unit-env`, under the systemd unit's
 * environment: heap cap, malloc settings) and an influxd with deploy/influxdb's settings.
 * Phase minutes are real minutes; --poll-seconds compresses the schools' one-minute polls (and the alert
 * pending times with them) for short runs. A lost, duplicated or extra sample or alert fails the run.
 * --rollup-spread-minutes sets the collector's `rollups.spreadMinutes` (default the shipped 45), so a run
 * shorter than the shipped round's 50 minutes after the hour can still see one whole round.
 * --month-snapshot starts influxd from last month written beforehand (`npm run bench -- fleet-month`).
 * --influx-profile takes influxd's own CPU profile (Go pprof) for that many seconds at the start of the drain
 * and of its raw reference, summarised in `outage.windows` beside each window's CPU and points.
 * --collector-program: `build` (default) runs bin/build.js first and the collector from dist/, as installed;
 * `sources` (default with --profile) runs its TypeScript through tsx (HALLMONITOR_NO_DIST=1). The result says
 * which (`collectorProgram`).
 */
const RESULTS_DIR = fileURLToPath(new URL('../results/fleet/', import.meta.url));
const COLLECTOR_UNIT = fileURLToPath(new URL('../../deploy/systemd/hallmonitor-collector.service', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PHASES = ['steady', 'faults', 'outage', 'dashboards', 'reports'];

export async function main(args: string[]): Promise<void> {
  const { values: parsed } = parseArgs({
    args,
    options: {
      ...Object.fromEntries(
        ['schools', 'steady-minutes', 'outage-minutes', 'fault-minutes', 'poll-seconds', 'phases', 'offline-schools', 'down-devices', 'down-schools', 'outage-schools', 'report-schools', 'agent-processes', 'keep-logs', 'rollup-spread-minutes', 'month-snapshot', 'collector-program', 'influx-profile'].map((k) => [k, { type: 'string' as const }]),
      ),
      'no-save': { type: 'boolean' as const },
      profile: { type: 'boolean' as const },
      'collector-unit-env': { type: 'boolean' as const },
      'profile-agents': { type: 'boolean' as const },
    },
  });
  const values = parsed as Record<string, string | boolean | undefined>;
  const num = (key: string, fallback: number) => {
    const raw = values[key];
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(n) || n <= 0) {
      process.stderr.write(`bench fleet: --${key}: expected a positive number, got "${String(raw)}"\n`);
      process.exit(2);
    }
    return n;
  };
  const schools = Math.floor(num('schools', 1_000));
  const pollSeconds = num('poll-seconds', 60);
  const polls = (minutes: number) => Math.max(1, Math.round((minutes * 60) / pollSeconds));
  const phases = new Set(String(values.phases ?? PHASES.join(',')).split(',').map((p) => p.trim()));
  for (const p of phases) {
    if (!PHASES.includes(p)) {
      process.stderr.write(`bench fleet: --phases: "${p}" is not one of ${PHASES.join(', ')}\n`);
      process.exit(2);
    }
  }
  // A profile's summary names the project's files and npm packages, which one bundle would hide.
  const program = String(values['collector-program'] ?? (values.profile === true ? 'sources' : 'build'));
  if (program !== 'build' && program !== 'sources') {
    process.stderr.write(`bench fleet: --collector-program: expected "build" or "sources", got "${program}"\n`);
    process.exit(2);
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const startedAt = new Date();
  const machine = describeMachine();
  const collectorEnv = { ...(values['collector-unit-env'] === true ? collectorUnitEnv() : {}), ...(await collectorProgramEnv(program, say)) };
  say(`hallmonitor bench fleet ${startedAt.toISOString()}: Node ${machine.node}, ${machine.cpu} × ${machine.cores}, ${machine.memoryGiB} GiB, ${machine.influxd}`);
  const result = await runFleet({
    schools,
    pollSeconds,
    steadyPolls: polls(num('steady-minutes', 30)),
    faultPolls: polls(num('fault-minutes', 10)),
    outagePolls: polls(num('outage-minutes', 60)),
    offlineSchools: Math.floor(num('offline-schools', Math.max(1, Math.min(10, Math.round(schools / 100))))),
    downDevices: Math.floor(num('down-devices', Math.max(1, Math.min(50, Math.round(schools / 20))))),
    downSchools: Math.floor(num('down-schools', Math.max(1, Math.min(20, Math.round(schools / 50))))),
    outageSchools: Math.floor(num('outage-schools', Math.max(1, Math.min(100, Math.round(schools / 10))))),
    phases,
    ...(values['agent-processes'] !== undefined ? { agentProcesses: Math.floor(num('agent-processes', 1)) } : {}),
    ...(values['report-schools'] !== undefined ? { reportSchools: Math.floor(num('report-schools', schools)) } : {}),
    profile: values.profile === true,
    // The heap cap and malloc settings of deploy/systemd/hallmonitor-collector.service, as a provider runs it.
    collectorEnv,
    profileAgents: values['profile-agents'] === true,
    ...(typeof values['keep-logs'] === 'string' ? { keepLogs: values['keep-logs'] } : {}),
    ...(values['rollup-spread-minutes'] !== undefined ? { rollupSpreadMinutes: num('rollup-spread-minutes', 45) } : {}),
    ...(typeof values['month-snapshot'] === 'string' ? { monthSnapshot: values['month-snapshot'] } : {}),
    ...(values['influx-profile'] !== undefined ? { influxProfileSeconds: num('influx-profile', 30) } : {}),
    log: say,
  });
  result.collectorProgram = program;
  say(result.ok ? 'fleet: all counts as expected' : `fleet: ${result.problems.length} problem(s)`);
  if (values['no-save'] !== true) say(`result written to ${saveResult(RESULTS_DIR, startedAt, machine, { fleet: result })}`);
  if (!result.ok) process.exitCode = 1;
}

/**
 * The collector as installed (install-collector.sh builds it: dist/ through the same bin) or from its
 * sources through tsx: what makes the bin run which one. Fails rather than measure the wrong program.
 */
async function collectorProgramEnv(program: 'build' | 'sources', say: (line: string) => void): Promise<Record<string, string>> {
  if (program === 'sources') return { HALLMONITOR_NO_DIST: '1' };
  say(execFileSync(process.execPath, [join(REPO, 'bin', 'build.js')], { cwd: REPO, encoding: 'utf8' }).trim());
  // bin/dist.js is plain JavaScript without types: imported by URL, its one function typed here.
  const dist = (await import(pathToFileURL(join(REPO, 'bin', 'dist.js')).href)) as { freshBuild(name: string): { file?: string; reason?: string } };
  const fresh = dist.freshBuild('collector');
  if (fresh.file === undefined) throw new Error(`bench fleet: the collector's build is not used: ${fresh.reason ?? 'no dist/collector.mjs'}`);
  say(`collector program: ${fresh.file}`);
  return { HALLMONITOR_NO_DIST: '0' };
}

/** The collector unit's environment; its NODE_OPTIONS follow the bench's own (a probe's --import), later flags winning. */
function collectorUnitEnv(): Record<string, string> {
  const env = unitEnvironment(COLLECTOR_UNIT);
  const own = process.env['NODE_OPTIONS'];
  if (own !== undefined && env['NODE_OPTIONS'] !== undefined) env['NODE_OPTIONS'] = `${own} ${env['NODE_OPTIONS']}`;
  return env;
}
