import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { addAgent } from '../../collector/agents/store.ts';
import type { ChildReady, ChildReply, ChildRequest, ChildStats } from '../fuzz/collector-child.ts';
import { logTailOf, waitFor, type TempDir } from '../harness/index.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('../fuzz/collector-child.ts', import.meta.url));
const PROBE = fileURLToPath(new URL('./stall-probe.ts', import.meta.url));

export interface CollectorProcess {
  child: ChildProcess;
  port: number;
  creds: Record<string, string>;
  logPath: string;
  exited: () => string | undefined;
  ask(op: ChildRequest['op'], timeoutMs?: number): Promise<ChildStats>;
  stop(): Promise<void>;
}

/**
 * The real collector (embedded broker, write-ahead log, InfluxDB writer) in its own process
 * (test/fuzz/collector-child.ts), with the given agents and sites, logging to `collector.log` in `dir`.
 * `stallProbe`: a file where stall-probe.ts writes the child's event-loop stalls, collections and WAL commits.
 * With HM_CPU_PROF=<dir> in the environment the child also writes a V8 CPU profile there when it exits.
 */
export async function startCollectorProcess(o: { dir: TempDir; influxUrl: string; agents: Array<{ agent: string; site: string }>; broker?: Record<string, unknown>; logLevel?: string; stallProbe?: string }): Promise<CollectorProcess> {
  mkdirSync(join(o.dir.path, 'sites'), { recursive: true });
  const creds: Record<string, string> = {};
  for (const site of new Set(o.agents.map((a) => a.site))) writeFileSync(join(o.dir.path, 'sites', `${site}.yaml`), stringify({ id: site, name: site }));
  for (const { agent, site } of o.agents) {
    creds[agent] = (await addAgent(join(o.dir.path, 'agents.yaml'), { id: agent, site }, { scrypt: { N: 1024, r: 8, p: 1 } })).password;
  }
  const configFile = join(o.dir.path, 'collector.yaml');
  writeFileSync(configFile, stringify({ broker: { host: '127.0.0.1', port: 0, ...o.broker }, influx: { url: o.influxUrl, database: 'security', flushIntervalMs: 50 }, logLevel: o.logLevel ?? 'info' }));
  const logPath = join(o.dir.path, 'collector.log');
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = fork(CHILD, [configFile], { cwd: REPO, execArgv: ['--expose-gc', ...(process.env.HM_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HM_CPU_PROF}`] : []), '--import', 'tsx', ...(o.stallProbe ? ['--import', PROBE] : [])], env: { ...process.env, ...(o.stallProbe ? { HM_STALL_PROBE: o.stallProbe } : {}) }, stdio: ['ignore', logFd, logFd, 'ipc'] });
  } finally {
    closeSync(logFd);
  }
  let exit: string | undefined;
  let port = 0;
  let next = 0;
  const pending = new Map<number, (reply: ChildReply) => void>();
  child.on('exit', (code, signal) => {
    exit = `collector exited (${signal ?? `code ${code}`}); last lines of its log:\n${logTailOf(logPath)}`;
  });
  child.on('message', (message: ChildReply | ChildReady) => {
    if ('ready' in message) port = message.port;
    else pending.get(message.id)?.(message);
  });
  // A child still starting when this gives up would never see the test process go (its 'disconnect' handler is
  // not yet there): it is killed here, or it outlives the run. 60 s: a start takes 5-40 s on a loaded machine.
  try {
    await waitFor(() => port !== 0 || (exit ? Promise.reject(new Error(exit)) : false), { timeoutMs: 60_000, what: 'the collector process to listen' });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const ask = (op: ChildRequest['op'], timeoutMs = 10_000): Promise<ChildStats> =>
    new Promise((resolve, reject) => {
      if (exit) return reject(new Error(exit));
      const id = ++next;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`collector did not answer "${op}" within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, (reply) => {
        clearTimeout(timer);
        pending.delete(id);
        if (reply.ok) resolve(reply.stats);
        else reject(new Error(`collector "${op}" failed: ${reply.error}`));
      });
      child.send({ id, op } satisfies ChildRequest);
    });
  return {
    child,
    port,
    creds,
    logPath,
    exited: () => exit,
    ask,
    async stop() {
      if (exit) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await ask('stop', 15_000).catch(() => child.kill('SIGKILL'));
      await exited;
    },
  };
}
