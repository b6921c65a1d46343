import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AgentsCommand, AgentsReply, SchoolStats } from './agents-protocol.ts';

const CHILD = fileURLToPath(new URL('./agents-process.ts', import.meta.url));

/** The simulated agents' process, seen from the bench: each call is one request answered once. */
export interface FleetAgents {
  readonly pid: number;
  init(url: string, agents: { index: number; password: string }[]): Promise<void>;
  /** Connects (or reconnects, replaying spools) the given schools; connect times in ms from the call. */
  connect(indices: number[], concurrency?: number): Promise<number[]>;
  /** One poll of every school, spread over spreadMs; offline schools spool it. */
  poll(poll: number, at: number, spreadMs: number, down?: Record<string, string[]>): Promise<void>;
  offline(indices: number[]): Promise<void>;
  stats(): Promise<Record<string, SchoolStats>>;
  stop(): Promise<void>;
}

export function startAgents(): FleetAgents {
  const child: ChildProcess = fork(CHILD, [], { execArgv: ['--import', 'tsx', '--max-old-space-size=4096'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 1;
  const waiting = new Map<number, { resolve: (r: AgentsReply) => void; reject: (e: Error) => void }>();
  child.on('message', (reply: AgentsReply) => {
    const w = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.type === 'error') w?.reject(new Error(`agents' process: ${reply.message}`));
    else w?.resolve(reply);
  });
  child.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`agents' process exited (${code})`));
    waiting.clear();
  });
  const ask = (cmd: AgentsCommand): Promise<AgentsReply> =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      child.send({ ...cmd, id });
    });
  return {
    pid: child.pid!,
    async init(url, agents) {
      await ask({ type: 'init', url, agents });
    },
    async connect(indices, concurrency = 200) {
      const r = await ask({ type: 'connect', indices, concurrency });
      return r.type === 'connected' ? r.ms : [];
    },
    async poll(poll, at, spreadMs, down = {}) {
      await ask({ type: 'poll', poll, at, spreadMs, down });
    },
    async offline(indices) {
      await ask({ type: 'offline', indices });
    },
    async stats() {
      const r = await ask({ type: 'stats' });
      return r.type === 'stats' ? r.counts : {};
    },
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      await ask({ type: 'stop' }).catch(() => undefined);
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
