import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger, deviceSchema, pingCheckSchema, type Device, type PingCheckConfig, type Sample } from '../../contract/index.ts';
import type { CheckContext } from '../../agent/checks/check.ts';
import { findFping } from '../../agent/checks/ping/fping.ts';
import { batchedPing, createPingCheck, systemPing, type PingRunner } from '../../agent/checks/ping/ping-check.ts';
import { pingTargets, type PingTargets } from '../ping/targets.ts';
import { saveResult, table } from '../report.ts';
import { round3 } from '../support/proc-stats.ts';
import { describeMachine } from '../support/machine.ts';
import { measureRun, median, type RunCost } from '../support/run-cost.ts';

/**
 * `npm run bench -- ping [--targets N --rounds N --no-save]`: one sweep of N targets × 3 probes, due in the
 * same tick, by the agent's ping check — its fping batch mode and its system-ping path (one `ping` process
 * per target) — beside `fping -C 3 -p 200 -i 1 -q` over the same targets, in the same run. Targets: the
 * batch mode's wall ≤ 1.2× fping's, CPU ≤ 2× fping's. The agent's CPU is its own process (this one, during
 * the sweep) plus the processes it ran; the reference's is fping's alone. Rounds alternate the three and
 * the medians are compared.
 */
const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
const WALL_TARGET = 1.2;
const CPU_TARGET = 2;
const CONFIG: PingCheckConfig = pingCheckSchema.parse({ probes: 3, probeIntervalSeconds: 0.2, timeoutSeconds: 0.2 });

interface Run {
  kind: 'fping' | 'agent fping batch' | 'agent system ping';
  round: number;
  cost: RunCost;
  cpuSeconds: number;
  /** Targets whose result disagreed with what they are (up vs down). */
  wrong: number;
}

function referenceFping(fping: string, addresses: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(fping, ['-C', '3', '-p', '200', '-i', '1', '-q', ...addresses], { maxBuffer: 1 << 24 }, (error, _stdout, stderr) => {
      if (error !== null && (error as { code?: unknown }).code !== 1) reject(error);
      else resolve(stderr);
    });
  });
}

function wrongIn(samples: readonly Sample[], targets: PingTargets): number {
  return samples.filter((s, i) => (s.fields.up === 1) === targets.down.has(targets.addresses[i]!)).length;
}

function wrongInFping(output: string, targets: PingTargets): number {
  let wrong = 0;
  for (const line of output.split('\n')) {
    const m = /^(\S+)\s+: (.*)$/.exec(line);
    if (!m) continue;
    const up = m[2]!.split(' ').some((t) => t !== '-');
    if (up === targets.down.has(m[1]!)) wrong++;
  }
  return wrong;
}

const ctx: CheckContext = { now: () => Date.now(), log: createLogger('bench-ping', 'silent') };

/** The agent's part only: devices are parsed before the clock starts, as the agent has them from its config. */
async function agentSweep(runner: PingRunner, devices: readonly Device[]): Promise<Sample[]> {
  const check = createPingCheck(runner);
  return (await Promise.all(devices.map((device) => check.run(device, CONFIG, ctx)))).flat();
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { targets: { type: 'string' }, rounds: { type: 'string' }, 'no-save': { type: 'boolean', default: false } } });
  const total = Number(values.targets ?? 250);
  const rounds = Number(values.rounds ?? 5);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const fping = findFping();
  if (fping === undefined) {
    say('ping: fping is not installed (apt-get install fping); skipped');
    return;
  }
  const startedAt = new Date();
  const machine = describeMachine();
  const targets = await pingTargets(total);
  const runs: Run[] = [];
  try {
    say(`ping: ${targets.addresses.length} targets × ${CONFIG.probes} probes: ${targets.describe}`);
    const devices = targets.addresses.map((address, i) => deviceSchema.parse({ name: `t${i}`, address }));
    const record = (kind: Run['kind'], round: number, cost: RunCost, wrong: number) => {
      // The reference is fping alone; the agent is its own process plus what it ran.
      const cpuSeconds = kind === 'fping' ? cost.cpuChildren : round3(cost.cpuSelf + cost.cpuChildren);
      const run: Run = { kind, round, cost, cpuSeconds, wrong };
      runs.push(run);
      say(`  round ${round} ${kind.padEnd(18)} wall ${cost.wallSeconds.toFixed(3)} s, CPU ${run.cpuSeconds.toFixed(3)} s (self ${cost.cpuSelf}, children ${cost.cpuChildren})${wrong ? `, ${wrong} WRONG` : ''}`);
    };
    for (let round = 1; round <= rounds; round++) {
      const ref = await measureRun(() => referenceFping(fping, targets.addresses));
      record('fping', round, ref.cost, wrongInFping(ref.value, targets));
      const batch = await measureRun(() => agentSweep(batchedPing(fping), devices));
      record('agent fping batch', round, batch.cost, wrongIn(batch.value, targets));
      const single = await measureRun(() => agentSweep(systemPing, devices));
      record('agent system ping', round, single.cost, wrongIn(single.value, targets));
    }
  } finally {
    await targets.remove();
  }

  const kinds = ['fping', 'agent fping batch', 'agent system ping'] as const;
  const med = Object.fromEntries(
    kinds.map((k) => {
      const of = runs.filter((r) => r.kind === k);
      return [k, { wallSeconds: round3(median(of.map((r) => r.cost.wallSeconds))), cpuSeconds: round3(median(of.map((r) => r.cpuSeconds))) }];
    }),
  ) as Record<(typeof kinds)[number], { wallSeconds: number; cpuSeconds: number }>;
  const ref = med.fping;
  const ratio = (k: (typeof kinds)[number]) => ({ wall: round3(med[k].wallSeconds / ref.wallSeconds), cpu: round3(med[k].cpuSeconds / Math.max(ref.cpuSeconds, 0.01)) });
  const ratios = { batch: ratio('agent fping batch'), system: ratio('agent system ping') };
  say('');
  say(`median of ${rounds} rounds:`);
  for (const line of table(
    ['run', 'wall s', 'CPU s', 'wall ×fping', 'CPU ×fping'],
    kinds.map((k) => [k, med[k].wallSeconds.toFixed(3), med[k].cpuSeconds.toFixed(3), ratio(k).wall.toFixed(2), ratio(k).cpu.toFixed(2)]),
  )) say(`  ${line}`);
  const pass = ratios.batch.wall <= WALL_TARGET && ratios.batch.cpu <= CPU_TARGET;
  say(`agent fping batch: wall ${ratios.batch.wall}× (target ≤ ${WALL_TARGET}), CPU ${ratios.batch.cpu}× (target ≤ ${CPU_TARGET}) — ${pass ? 'PASS' : 'BELOW'}`);
  say(`  (CPU is measured in 10 ms ticks from /proc; fping's own figure is a few ticks, so its ratio is coarse)`);
  const wrong = runs.reduce((n, r) => n + r.wrong, 0);
  if (wrong > 0) {
    say(`${wrong} target results disagreed with the target's state: a bug, not a slow run`);
    process.exitCode = 1;
  }
  if (!values['no-save']) {
    const file = saveResult(RESULTS_DIR, startedAt, machine, {
      ping: { targets: targets.addresses.length, shape: targets.describe, config: CONFIG, rounds, runs, median: med, ratios, targetsRatio: { wall: WALL_TARGET, cpu: CPU_TARGET } },
    });
    say(`\nresult written to ${file}`);
  }
}
