import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentsCommand, AgentsReply, ProcessHealth, SchoolStats } from './agents-protocol.ts';
import { slices } from './schedule.ts';

const CHILD = fileURLToPath(new URL('./agents-process.ts', import.meta.url));

/** The simulated agents' processes, seen from the bench as one fleet: each call is answered once by each process concerned. */
export interface FleetAgents {
  readonly pids: readonly number[];
  /** Cuts the schools into one slice per process (schedule.ts) and gives each its slice. */
  init(url: string, agents: { index: number; password: string }[]): Promise<void>;
  /** Connects (or reconnects, replaying spools) the given schools; connect times in ms from the call. */
  connect(indices: number[], concurrency?: number): Promise<number[]>;
  /** One poll of every school, each at its own offset into spreadMs after `at`; offline schools spool it. */
  poll(poll: number, at: number, spreadMs: number, down?: Record<string, string[]>): Promise<void>;
  offline(indices: number[]): Promise<void>;
  stats(): Promise<Record<string, SchoolStats>>;
  /** Each process's own figures since the last reset (in pid order); `reset` starts a new window. */
  health(reset: boolean): Promise<ProcessHealth[]>;
  stop(): Promise<void>;
}

interface Child {
  child: ChildProcess;
  ask(cmd: AgentsCommand): Promise<AgentsReply>;
  stop(): Promise<void>;
}

function startChild(nodeArgs: readonly string[]): Child {
  const child: ChildProcess = fork(CHILD, [], { execArgv: ['--import', 'tsx', '--max-old-space-size=4096', ...nodeArgs], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 1;
  const waiting = new Map<number, { resolve: (r: AgentsReply) => void; reject: (e: Error) => void }>();
  child.on('message', (reply: AgentsReply) => {
    const w = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.type === 'error') w?.reject(new Error(`agents' process ${child.pid}: ${reply.message}`));
    else w?.resolve(reply);
  });
  child.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`agents' process ${child.pid} exited (${code})`));
    waiting.clear();
  });
  const ask = (cmd: AgentsCommand): Promise<AgentsReply> =>
    new Promise((resolve, reject) => {
      if (child.exitCode !== null) {
        reject(new Error(`agents' process ${child.pid} exited (${child.exitCode})`));
        return;
      }
      const id = next++;
      waiting.set(id, { resolve, reject });
      child.send({ ...cmd, id });
    });
  return {
    child,
    ask,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      await ask({ type: 'stop' }).catch(() => undefined);
      // Under --cpu-prof the process writes its profile on exit: tens of MB, seconds on a busy machine.
      await Promise.race([gone, new Promise((r) => setTimeout(r, nodeArgs.length > 0 ? 60_000 : 3_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** `profileDir`: each process runs under `node --cpu-prof`, writing into profileDir/agents-<k>/ on exit. */
export function startAgents(processes: number, profileDir?: string): FleetAgents {
  const children = Array.from({ length: Math.max(1, Math.floor(processes)) }, (_, k) => startChild(profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', join(profileDir, `agents-${k}`)]));
  /** School index → its process, set by init. */
  const owner = new Map<number, Child>();
  const byOwner = (indices: number[]) => {
    const out = new Map<Child, number[]>();
    for (const i of indices) {
      const c = owner.get(i);
      if (c === undefined) throw new Error(`fleet agents: school ${i} was not given to any process`);
      out.set(c, [...(out.get(c) ?? []), i]);
    }
    return out;
  };
  return {
    pids: children.map((c) => c.child.pid!),
    async init(url, agents) {
      const parts = slices(agents.map((a) => a.index), children.length);
      const byIndex = new Map(agents.map((a) => [a.index, a]));
      await Promise.all(children.map((c, p) => {
        for (const i of parts[p]!) owner.set(i, c);
        return c.ask({ type: 'init', url, agents: parts[p]!.map((i) => byIndex.get(i)!) });
      }));
    },
    async connect(indices, concurrency = 200) {
      const start = performance.now();
      const per = Math.max(1, Math.ceil(concurrency / children.length));
      const replies = await Promise.all([...byOwner(indices)].map(async ([c, own]) => {
        const called = performance.now() - start;
        const r = await c.ask({ type: 'connect', indices: own, concurrency: per });
        return r.type === 'connected' ? r.ms.map((ms) => ms + called) : [];
      }));
      return replies.flat();
    },
    async poll(poll, at, spreadMs, down = {}) {
      await Promise.all(children.map((c) => c.ask({ type: 'poll', poll, at, spreadMs, down })));
    },
    async offline(indices) {
      await Promise.all([...byOwner(indices)].map(([c, own]) => c.ask({ type: 'offline', indices: own })));
    },
    async stats() {
      const replies = await Promise.all(children.map((c) => c.ask({ type: 'stats' })));
      return Object.assign({}, ...replies.map((r) => (r.type === 'stats' ? r.counts : {}))) as Record<string, SchoolStats>;
    },
    async health(reset) {
      const replies = await Promise.all(children.map((c) => c.ask({ type: 'health', reset })));
      return replies.flatMap((r) => (r.type === 'health' ? [r.health] : []));
    },
    async stop() {
      await Promise.all(children.map((c) => c.stop()));
    },
  };
}
