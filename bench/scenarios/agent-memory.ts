import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { makeTempDir, spawnService, type ServiceProcess } from '../../test/harness/index.ts';
import { bundleAgent } from '../agent-memory/bundle.ts';
import { startMosquitto } from '../agent-memory/mosquitto.ts';
import { saveResult } from '../report.ts';
import { startFleet, type Fleet } from '../snmp/fleet.ts';
import { describeMachine } from '../support/machine.ts';
import { cpuSeconds, peakRssMiB, round3 } from '../support/proc-stats.ts';

/**
 * `npm run bench -- agent-memory [--devices N --snmp N --live N --seconds N --interval N --no-save]`: the
 * real agent (bin/hallmonitor-agent.js, its own process) with a local site config of N devices — `--snmp`
 * of them snmpsimd devices on 127.0.60.x and `--live` net-snmp snmpd agents, polled by SNMP and ping,
 * the rest loopback addresses pinged only — publishing to a Mosquitto. Its resident memory is sampled
 * every second; the figure is its peak (VmHWM) and the highest reading after every device was polled twice.
 * Target ≤ 80 MB. It runs three times: as shipped (through tsx, which loads TypeScript in a loader thread
 * of its own), as shipped with V8's heap capped (young generation 2 MB, old 64 MB), and as one esbuild
 * bundle with the same caps, to show where the memory goes.
 */
const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
const AGENT_BIN = fileURLToPath(new URL('../../bin/hallmonitor-agent.js', import.meta.url));
const TARGET_MB = 80;

function rssMiB(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb === undefined ? 0 : Math.round((Number(kb) / 1024) * 10) / 10;
}

interface Watched {
  series: { s: number; rssMiB: number }[];
  peakRssMiB: number;
  steadyMaxRssMiB: number;
  lastRssMiB: number;
  cpuSeconds: number;
  errors: number;
  firstError: string | undefined;
}

/** Samples the agent's RSS every second for `seconds`; "steady" is after every device was polled twice. */
async function watch(agent: ServiceProcess, seconds: number, interval: number): Promise<Watched> {
  const series: { s: number; rssMiB: number }[] = [];
  const t0 = performance.now();
  const cpu0 = cpuSeconds(agent.pid);
  while ((performance.now() - t0) / 1000 < seconds) {
    await sleep(1_000);
    if (agent.exitStatus) throw new Error(`agent exited: ${agent.logTail()}`);
    series.push({ s: Math.round((performance.now() - t0) / 1000), rssMiB: rssMiB(agent.pid) });
  }
  const cpu = round3(cpuSeconds(agent.pid) - cpu0);
  const peak = peakRssMiB(agent.pid);
  const steady = series.filter((p) => p.s > 2 * interval + 5);
  const errors = agent.logTail(400).split('\n').filter((l) => /"level":(50|60)/.test(l));
  return {
    series,
    peakRssMiB: peak,
    steadyMaxRssMiB: steady.length > 0 ? Math.max(...steady.map((p) => p.rssMiB)) : Number.NaN,
    lastRssMiB: series.at(-1)!.rssMiB,
    cpuSeconds: cpu,
    errors: errors.length,
    firstError: errors[0]?.slice(0, 300),
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
      'no-save': { type: 'boolean', default: false },
    },
  });
  const total = Number(values.devices ?? 250);
  const live = Number(values.live ?? 4);
  const simulated = Number(values.snmp ?? 100);
  const seconds = Number(values.seconds ?? 75);
  const interval = Number(values.interval ?? 15);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const startedAt = new Date();
  const machine = describeMachine();
  const dir = makeTempDir('agent-memory');
  let fleet: Fleet | undefined;
  let broker: ServiceProcess | undefined;
  let agent: ServiceProcess | undefined;
  try {
    fleet = await startFleet(simulated, live);
    const mqtt = await startMosquitto(dir);
    broker = mqtt.service;
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
    const configPath = join(dir.path, 'agent.yaml');
    writeFileSync(configPath, stringify({ agent: 'bench-agent', site: 'bench-site', broker: { url: mqtt.url, password: 'unused' }, dataDir: 'agent-data', logLevel: 'warn', devices }));
    say(`agent-memory: ${devices.length} devices (${simulated} snmpsimd + ${live} snmpd with SNMP and ping, ${devices.length - simulated - live} loopback ping only), every ${interval} s, for ${seconds} s`);

    const bundle = await bundleAgent();
    // The live heap of this agent is ~26-28 MB (measured with a full GC before each reading); the rest of
    // V8's RSS is garbage waiting for a major GC, which the caps below bound. tsx adds a loader thread.
    const caps = ['--max-semi-space-size=2', '--max-old-space-size=64'];
    const variants = [
      { name: 'as shipped (tsx)', args: [AGENT_BIN, 'run', '-c', configPath] },
      { name: 'as shipped, heap capped', args: [...caps, AGENT_BIN, 'run', '-c', configPath] },
      { name: 'bundled (no tsx), heap capped', args: [...caps, bundle.file, 'run', '-c', configPath] },
    ];
    const results: Record<string, unknown>[] = [];
    try {
      for (const variant of variants) {
        agent = await spawnService({ name: 'agent', command: process.execPath, args: variant.args, dir: dir.path });
        const result = await watch(agent, seconds, interval);
        await agent.stop();
        agent = undefined;
        results.push({ variant: variant.name, ...result });
        const pass = result.peakRssMiB <= TARGET_MB;
        say(`  ${variant.name}: RSS start ${result.series[0]?.rssMiB} MiB, after warm-up max ${result.steadyMaxRssMiB} MiB, last ${result.lastRssMiB} MiB, peak (VmHWM) ${result.peakRssMiB} MiB — ${pass ? 'PASS' : 'BELOW'} (target ≤ ${TARGET_MB} MB); CPU ${result.cpuSeconds} s (${round3((result.cpuSeconds / seconds) * 100)} % of a core)`);
        if (result.errors > 0) say(`    agent logged ${result.errors} errors, e.g. ${result.firstError}`);
      }
    } finally {
      bundle.remove();
    }
    if (!values['no-save']) {
      const file = saveResult(RESULTS_DIR, startedAt, machine, {
        'agent-memory': { devices: devices.length, simulated, live, intervalSeconds: interval, seconds, targetMiB: TARGET_MB, results },
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
