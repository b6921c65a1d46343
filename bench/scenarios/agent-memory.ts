import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { makeTempDir, spawnService, startMosquitto, type MosquittoServer, type ServiceProcess } from '../../test/harness/index.ts';
import { fillBacklog, type Backlog } from '../agent-memory/backlog.ts';
import { unitEnvironment } from '../agent-memory/unit.ts';
import { saveResult } from '../report.ts';
import { startFleet, type Fleet } from '../snmp/fleet.ts';
import { describeMachine } from '../support/machine.ts';
import { cpuSeconds, peakRssMiB, round3 } from '../support/proc-stats.ts';

/**
 * `npm run bench -- agent-memory [--devices N --snmp N --live N --seconds N --interval N --backlog-mib N
 * --variants a,b --node-options "..." --no-save]`: the real agent (bin/hallmonitor-agent.js, its own
 * process) with a local site config of N devices — `--snmp` of them snmpsimd devices on 127.0.60.x and
 * `--live` net-snmp snmpd agents, polled by SNMP and ping, the rest loopback addresses pinged only —
 * publishing to a Mosquitto. Its resident memory is sampled every second; the figures are its peak
 * (VmHWM) and the highest reading after every device was polled twice. Target ≤ 80 MB.
 *
 * Variants (all by default):
 *   development  the sources through tsx (no dist/), no heap caps: what `npm test` and a checkout run
 *   production   `npm run build`'s dist/ through the same bin, with the environment of the systemd unit
 *                (NODE_OPTIONS heap caps, MALLOC_ARENA_MAX); `--node-options` replaces its NODE_OPTIONS
 *   uncapped     dist/ without the unit's environment, to show what the caps are worth
 *   replay       production, started with a full spool (`--backlog-mib`, default 256 = the default spool
 *                bound) that it replays while polling: the caps must hold the peak of a site's first
 *                minutes after an outage. Also reports how long the replay took.
 */
const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const AGENT_BIN = join(REPO, 'bin', 'hallmonitor-agent.js');
const TARGET_MB = 80;
const VARIANTS = ['development', 'production', 'uncapped', 'replay'] as const;
type Variant = (typeof VARIANTS)[number];

/**
 * Resident memory now, MiB: all of it (VmRSS), the process's own (RssAnon: heap, malloc, stacks) and the
 * pages of mapped files (RssFile: mostly the node binary's code, ~34 MB in a bare `node -e`, shared by
 * every node process on the machine and dropped first under memory pressure).
 */
function rss(pid: number): { rssMiB: number; anonMiB: number; fileMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mib = (key: string) => {
    const kb = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1];
    return kb === undefined ? 0 : Math.round((Number(kb) / 1024) * 10) / 10;
  };
  return { rssMiB: mib('VmRSS'), anonMiB: mib('RssAnon'), fileMiB: mib('RssFile') };
}

interface Watched {
  series: { s: number; rssMiB: number; anonMiB: number; fileMiB: number }[];
  peakRssMiB: number;
  steadyMaxRssMiB: number;
  /** The highest RssAnon after warm-up: what the agent itself costs, without the node binary's pages. */
  steadyMaxAnonMiB: number;
  lastRssMiB: number;
  cpuSeconds: number;
  errors: number;
  firstError: string | undefined;
  /** replay only: seconds from the agent's start until its spool held nothing older than the start. */
  replaySeconds?: number;
}

/** Batches in the agent's spool with seq ≤ `upTo` (the backlog), read beside the running agent. */
function backlogLeft(file: string, upTo: number): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM batches WHERE seq <= ?').get(upTo) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Samples the agent's RSS every second for `seconds`; "steady" is after every device was polled twice. */
async function watch(agent: ServiceProcess, seconds: number, interval: number, backlog?: { file: string; lastSeq: number }): Promise<Watched> {
  const series: Watched['series'] = [];
  const t0 = performance.now();
  const cpu0 = cpuSeconds(agent.pid);
  let replaySeconds: number | undefined;
  while ((performance.now() - t0) / 1000 < seconds || (backlog !== undefined && replaySeconds === undefined && (performance.now() - t0) / 1000 < 600)) {
    await sleep(1_000);
    if (agent.exitStatus) throw new Error(`agent exited: ${agent.logTail()}`);
    const s = Math.round((performance.now() - t0) / 1000);
    series.push({ s, ...rss(agent.pid) });
    if (backlog !== undefined && replaySeconds === undefined && backlogLeft(backlog.file, backlog.lastSeq) === 0) replaySeconds = s;
  }
  const cpu = round3(cpuSeconds(agent.pid) - cpu0);
  const peak = peakRssMiB(agent.pid);
  const steady = series.filter((p) => p.s > 2 * interval + 5);
  const errors = agent.logTail(400).split('\n').filter((l) => /"level":(50|60)/.test(l));
  return {
    series,
    peakRssMiB: peak,
    steadyMaxRssMiB: steady.length > 0 ? Math.max(...steady.map((p) => p.rssMiB)) : Number.NaN,
    steadyMaxAnonMiB: steady.length > 0 ? Math.max(...steady.map((p) => p.anonMiB)) : Number.NaN,
    lastRssMiB: series.at(-1)!.rssMiB,
    cpuSeconds: cpu,
    errors: errors.length,
    firstError: errors[0]?.slice(0, 300),
    ...(replaySeconds !== undefined ? { replaySeconds } : {}),
  };
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      devices: { type: 'string' },
      snmp: { type: 'string' },
      live: { type: 'string' },
      seconds: { type: 'string' },
      interval: { type: 'string' },
      'backlog-mib': { type: 'string' },
      variants: { type: 'string' },
      'node-options': { type: 'string' },
      'no-save': { type: 'boolean', default: false },
    },
  });
  const total = Number(values.devices ?? 250);
  const live = Number(values.live ?? 4);
  const simulated = Number(values.snmp ?? 100);
  const seconds = Number(values.seconds ?? 75);
  const interval = Number(values.interval ?? 15);
  const backlogMiB = Number(values['backlog-mib'] ?? 256);
  const chosen = (values.variants?.split(',') ?? [...VARIANTS]) as Variant[];
  for (const v of chosen) if (!VARIANTS.includes(v)) throw new Error(`--variants: unknown "${v}" (known: ${VARIANTS.join(', ')})`);
  const unitEnv = unitEnvironment();
  const productionEnv: Record<string, string> = { ...unitEnv, ...(values['node-options'] !== undefined ? { NODE_OPTIONS: values['node-options'] } : {}) };
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const startedAt = new Date();
  const machine = describeMachine();
  const dir = makeTempDir('agent-memory');
  let fleet: Fleet | undefined;
  let broker: MosquittoServer | undefined;
  let agent: ServiceProcess | undefined;
  try {
    if (chosen.some((v) => v !== 'development')) {
      // What a provider's installer runs: the production build the bin then prefers.
      say(execFileSync(process.execPath, [join(REPO, 'bin', 'build.js')], { cwd: REPO, encoding: 'utf8' }).trim());
    }
    fleet = await startFleet(simulated, live);
    broker = await startMosquitto({ config: ['allow_anonymous true'] });
    const mqtt = broker;
    const devices: unknown[] = fleet.devices.map((d) => ({
      name: d.name,
      address: d.host,
      role: 'switch',
      checks: {
        ping: { intervalSeconds: interval, probes: 3, probeIntervalSeconds: 0.2, timeoutSeconds: 0.5 },
        snmp: { intervalSeconds: interval, port: d.port, community: d.community, timeoutSeconds: 5 },
      },
    }));
    for (let i = devices.length; i < total; i++) {
      devices.push({
        name: `ping-${i}`,
        address: `127.0.${70 + Math.floor(i / 250)}.${1 + (i % 250)}`,
        checks: { ping: { intervalSeconds: interval, probes: 3, probeIntervalSeconds: 0.2, timeoutSeconds: 0.5 } },
      });
    }
    say(`agent-memory: ${devices.length} devices (${simulated} snmpsimd + ${live} snmpd with SNMP and ping, ${devices.length - simulated - live} loopback ping only), every ${interval} s, for ${seconds} s`);
    say(`  production environment (deploy/systemd/hallmonitor-agent.service): ${Object.entries(productionEnv).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)'}`);

    const results: Record<string, unknown>[] = [];
    for (const variant of chosen) {
      // A data directory per run: each starts with an empty spool, except the replay's.
      const dataDir = join(dir.path, `data-${variant}`);
      mkdirSync(dataDir, { recursive: true });
      const configPath = join(dir.path, `agent-${variant}.yaml`);
      writeFileSync(configPath, stringify({ agent: 'bench-agent', site: 'bench-site', broker: { url: mqtt.url, password: 'unused' }, dataDir, logLevel: 'warn', devices }));
      let backlog: (Backlog & { file: string; lastSeq: number }) | undefined;
      if (variant === 'replay') {
        const file = join(dataDir, 'spool.db');
        const filled = fillBacklog(file, 'bench-agent', 'bench-site', backlogMiB, Date.now());
        backlog = { ...filled, file, lastSeq: filled.batches - 1 };
        say(`  replay backlog: ${filled.batches} batches, ${filled.samples} samples, ${(filled.bytes / 1_048_576).toFixed(0)} MiB (${filled.hours.toFixed(1)} h of this school's samples)`);
      }
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const name of ['NODE_OPTIONS', 'MALLOC_ARENA_MAX', ...Object.keys(unitEnv)]) delete env[name];
      if (variant === 'development') env['HALLMONITOR_NO_DIST'] = '1';
      if (variant === 'production' || variant === 'replay') Object.assign(env, productionEnv);
      agent = await spawnService({ name: `agent-${variant}`, command: process.execPath, args: [AGENT_BIN, 'run', '-c', configPath], dir: dir.path, env });
      const result = await watch(agent, seconds, interval, backlog);
      await agent.stop();
      agent = undefined;
      results.push({ variant, nodeOptions: env['NODE_OPTIONS'] ?? '', mallocArenaMax: env['MALLOC_ARENA_MAX'] ?? '', ...(backlog ? { backlog: { batches: backlog.batches, samples: backlog.samples, bytes: backlog.bytes } } : {}), ...result });
      const pass = result.peakRssMiB <= TARGET_MB;
      say(`  ${variant}: RSS start ${result.series[0]?.rssMiB} MiB, after warm-up max ${result.steadyMaxRssMiB} MiB (own ${result.steadyMaxAnonMiB} + mapped files ${result.series.at(-1)!.fileMiB}), last ${result.lastRssMiB} MiB, peak (VmHWM) ${result.peakRssMiB} MiB — ${pass ? 'PASS' : 'BELOW'} (target ≤ ${TARGET_MB} MB); CPU ${result.cpuSeconds} s (${round3((result.cpuSeconds / result.series.length) * 100)} % of a core)${result.replaySeconds !== undefined ? `; backlog replayed in ${result.replaySeconds} s` : ''}`);
      if (variant === 'replay' && result.replaySeconds === undefined) say('    the backlog was NOT replayed within 600 s');
      if (result.errors > 0) say(`    agent logged ${result.errors} errors, e.g. ${result.firstError}`);
    }
    if (!values['no-save']) {
      const file = saveResult(RESULTS_DIR, startedAt, machine, {
        'agent-memory': { devices: devices.length, simulated, live, intervalSeconds: interval, seconds, targetMiB: TARGET_MB, productionEnvironment: productionEnv, results },
      });
      say(`\nresult written to ${file}`);
    }
  } catch (err) {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  } finally {
    await agent?.stop();
    await broker?.stop();
    await fleet?.stop();
    await dir.remove();
  }
}
