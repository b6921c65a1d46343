import { createConnection } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MqttClient } from 'mqtt';
import { SOFTWARE_VERSION, WIRE_VERSION, agentClientId, configTopic, encodeMessage, samplesTopic, statusTopic, type AgentStatus, type SamplesBatch } from '../../contract/index.ts';
import { encodeBatch } from './batch.ts';
import { pollOffsetMs } from './schedule.ts';
import { pollSamples, school, type School } from './schools.ts';
import type { AgentsReply, AgentsRequest, OfflinePoll, ProcessHealth, SchoolBenchRecord, SchoolCounts, Spread } from './agents-protocol.ts';

/**
 * The simulated agents: one child process holding one MQTT client per school of its slice (schedule.ts),
 * started by agents.ts. Each agent behaves on the wire as the real one (agent/publish/link.ts): its client
 * id and credentials, keepalive 30 s, a retained "online" status and an "offline" will, reconnecting 2 s
 * after a connection it did not end closes, one samples batch (≤ 1,000 samples, the agent's default) per
 * poll with a per-agent seq and the measured-at times, QoS 1. Each school polls at its own stable offset
 * into the interval, as unsynchronised real agents do. Its spool keeps every batch until the broker's
 * PUBACK and replays what is left, oldest first, on reconnect; an agent that is offline keeps polling into
 * its spool. The spool is in memory here (the real one is on disk): what it keeps and when it deletes are
 * the same. The process measures itself (event-loop delay, CPU, how late each poll was) so a run can tell
 * a slow bench from a slow collector.
 */
const BATCH_SAMPLES = 1_000;
/** Unacknowledged batches per agent on the wire at once (the real agent's spool sender also windows). */
const WINDOW = 8;
/** As the real agent: agent/publish/link.ts. */
const KEEPALIVE_SECONDS = 30;
const RECONNECT_MS = 2_000;
/** A connect that fails this many times in a row (a minute) fails the bench's request. */
const MAX_ATTEMPTS = 30;

interface Spooled {
  seq: number;
  payload: Buffer;
  /** Generation of the connection it was sent on; undefined: not sent on the current one. */
  sentOn?: number;
  sentAt?: number;
}

interface SimAgent {
  school: School;
  password: string;
  localAddress: string;
  seq: number;
  spool: Spooled[];
  client?: MqttClient;
  generation: number;
  online: boolean;
  /** The bench cut it (an outage): no reconnect until the bench says so. */
  cutByBench: boolean;
  lastPollAt?: number;
  /** The polls made while the bench had cut it (since the last cut): what its spool replays, for the reference. */
  offlinePolls: OfflinePoll[];
  counts: SchoolCounts;
  bench: SchoolBenchRecord;
}

let url = '';
let stopping = false;
const agents = new Map<number, SimAgent>();
const send = (reply: AgentsReply) => process.send!(reply);

/** The current health window. */
const eld = monitorEventLoopDelay({ resolution: 10 });
eld.enable();
let window = newWindow();
function newWindow() {
  return { start: performance.now(), cpu: process.cpuUsage(), build: [] as number[], late: [] as number[], ack: [] as number[], perSecond: new Map<number, number>(), closes: 0, reasons: {} as Record<string, number> };
}
const freshRecord = (): SchoolBenchRecord => ({ maxPollGapMs: 0, maxLateMs: 0, unexpectedCloses: 0, maxAckMs: 0 });

function status(a: SimAgent, state: 'online' | 'offline', at: number): Buffer {
  const message: AgentStatus = { v: WIRE_VERSION, agent: a.school.agent, site: a.school.site, state, version: SOFTWARE_VERSION, startedAt: at, at, uptimeSeconds: 0 };
  return encodeMessage(message);
}

/** Tries to connect, retrying every 2 s as the real agent does; rejects after MAX_ATTEMPTS failures in a row. */
function connect(a: SimAgent, attempt = 0): Promise<void> {
  const { hostname, port } = new URL(url);
  const now = Date.now();
  const generation = ++a.generation;
  a.cutByBench = false;
  return new Promise((resolve, reject) => {
    const client = new MqttClient(() => createConnection({ host: hostname, port: Number(port), localAddress: a.localAddress }), {
      clientId: agentClientId(a.school.agent),
      username: a.school.agent,
      password: a.password,
      protocolVersion: 4,
      clean: true,
      keepalive: KEEPALIVE_SECONDS,
      reconnectPeriod: 0,
      connectTimeout: 300_000,
      writeCache: false,
      will: { topic: statusTopic(a.school.site, a.school.agent), payload: status(a, 'offline', now), qos: 1, retain: true },
    });
    a.client = client;
    let reason = 'closed';
    let connected = false;
    client.on('error', (err) => {
      reason = err.message.slice(0, 60);
    });
    client.once('connect', () => {
      connected = true;
      a.online = true;
      client.subscribe(configTopic(a.school.site), { qos: 1 });
      client.publish(statusTopic(a.school.site, a.school.agent), status(a, 'online', now), { qos: 1, retain: true });
      for (const s of a.spool) s.sentOn = undefined;
      pump(a);
      resolve();
    });
    client.once('close', () => {
      if (a.generation !== generation) return;
      a.online = false;
      if (stopping || a.cutByBench) return;
      // Not the bench's doing (a keepalive or a login refused): counted, and retried as the real agent does.
      a.bench.unexpectedCloses++;
      window.closes++;
      window.reasons[reason] = (window.reasons[reason] ?? 0) + 1;
      if (!connected && attempt + 1 >= MAX_ATTEMPTS) {
        reject(new Error(`${a.school.site}: no connection after ${MAX_ATTEMPTS} attempts: ${reason}`));
        return;
      }
      setTimeout(() => {
        if (a.generation !== generation || stopping || a.cutByBench) return;
        const again = connect(a, connected ? 0 : attempt + 1);
        if (connected) again.catch(() => undefined);
        else again.then(resolve, reject);
      }, RECONNECT_MS);
    });
  });
}

/** Sends spooled batches, oldest first, at most WINDOW unacknowledged; each leaves the spool on its PUBACK. */
function pump(a: SimAgent): void {
  const client = a.client;
  if (!a.online || client === undefined) return;
  const generation = a.generation;
  let inFlight = 0;
  for (const s of a.spool) if (s.sentOn === generation) inFlight++;
  for (const item of a.spool) {
    if (inFlight >= WINDOW) break;
    if (item.sentOn === generation) continue;
    item.sentOn = generation;
    item.sentAt = performance.now();
    inFlight++;
    client.publish(samplesTopic(a.school.site), item.payload, { qos: 1 }, (err) => {
      if (a.generation !== generation) return;
      if (err !== undefined && err !== null) {
        item.sentOn = undefined;
        return;
      }
      const ms = performance.now() - item.sentAt!;
      window.ack.push(ms);
      if (ms > a.bench.maxAckMs) a.bench.maxAckMs = Math.round(ms);
      const at = a.spool.indexOf(item);
      if (at >= 0) a.spool.splice(at, 1);
      a.counts.acked++;
      pump(a);
    });
  }
}

function poll(a: SimAgent, pollNo: number, scheduled: number, down: readonly string[]): void {
  const t0 = performance.now();
  // Measured-at is when this agent measured: the scheduled time if the process kept up, later if not.
  const at = Date.now();
  const late = Math.max(0, at - scheduled);
  window.late.push(late);
  if (late > a.bench.maxLateMs) a.bench.maxLateMs = late;
  if (a.lastPollAt !== undefined && !a.cutByBench) a.bench.maxPollGapMs = Math.max(a.bench.maxPollGapMs, at - a.lastPollAt);
  a.lastPollAt = at;
  const second = Math.floor(at / 1000);
  window.perSecond.set(second, (window.perSecond.get(second) ?? 0) + 1);
  const samples = pollSamples(a.school, pollNo, at, down.length === 0 ? NONE : new Set(down));
  if (a.cutByBench) a.offlinePolls.push({ poll: pollNo, at, ...(down.length > 0 ? { down: [...down] } : {}) });
  for (const s of samples) a.counts.samples[s.measurement] = (a.counts.samples[s.measurement] ?? 0) + 1;
  for (let i = 0; i < samples.length; i += BATCH_SAMPLES) {
    const batch: SamplesBatch = { v: WIRE_VERSION, agent: a.school.agent, site: a.school.site, seq: a.seq++, sentAt: at + 500, samples: samples.slice(i, i + BATCH_SAMPLES) };
    a.spool.push({ seq: batch.seq, payload: encodeBatch(batch) });
    a.counts.batches++;
  }
  window.build.push(performance.now() - t0);
  pump(a);
}
const NONE: ReadonlySet<string> = new Set();

/** Drops the connection as a power cut or a broadband outage does: no DISCONNECT, so the broker sends the will. */
function cut(a: SimAgent): void {
  a.generation++;
  a.online = false;
  a.cutByBench = true;
  a.lastPollAt = undefined;
  a.offlinePolls = [];
  a.client?.stream.destroy();
  a.client?.end(true);
  a.client = undefined;
}

function spread(values: number[]): Spread {
  if (values.length === 0) return { n: 0, p50: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((x, y) => x - y);
  const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! * 10) / 10;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: Math.round(sorted[sorted.length - 1]! * 10) / 10 };
}

function health(): ProcessHealth {
  const seconds = (performance.now() - window.start) / 1000;
  const cpu = process.cpuUsage(window.cpu);
  const counts = [...window.perSecond.values()];
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  return {
    schools: agents.size,
    seconds: Math.round(seconds * 10) / 10,
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e3) / 1e3,
    eventLoopDelayMs: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max) },
    buildMs: spread(window.build),
    lateMs: spread(window.late),
    ackMs: spread(window.ack),
    pollsPerSecond: { max: Math.max(0, ...counts), mean: Math.round((window.build.length / Math.max(1, seconds)) * 10) / 10 },
    unexpectedCloses: window.closes,
    closeReasons: { ...window.reasons },
    rssMiB: Math.round(process.memoryUsage().rss / 1048576),
  };
}

async function handle(req: AgentsRequest): Promise<void> {
  switch (req.type) {
    case 'init':
      url = req.url;
      for (const s of req.agents) {
        agents.set(s.index, {
          school: school(s.index),
          password: s.password,
          localAddress: `127.1.${Math.floor(s.index / 250)}.${(s.index % 250) + 1}`,
          seq: 0,
          spool: [],
          offlinePolls: [],
          generation: 0,
          online: false,
          cutByBench: false,
          counts: { samples: {}, batches: 0, acked: 0 },
          bench: freshRecord(),
        });
      }
      send({ type: 'ok', id: req.id });
      return;
    case 'connect': {
      const start = performance.now();
      const times: number[] = [];
      const chosen = req.indices.map((i) => agents.get(i)!);
      // A few hundred at once: a thousand simultaneous logins is the regional-outage case, measured there.
      for (let i = 0; i < chosen.length; i += req.concurrency) {
        await Promise.all(chosen.slice(i, i + req.concurrency).map(async (a) => {
          await connect(a);
          times.push(performance.now() - start);
        }));
      }
      send({ type: 'connected', id: req.id, ms: times });
      return;
    }
    case 'poll': {
      // Each school at its own offset into the interval; the reply comes when every one has polled.
      const list = [...agents.values()];
      await Promise.all(list.map((a) => {
        const scheduled = req.at + pollOffsetMs(a.school.index, req.spreadMs);
        return new Promise<void>((resolve) => {
          setTimeout(() => {
            poll(a, req.poll, scheduled, req.down[a.school.site] ?? []);
            resolve();
          }, Math.max(0, scheduled - Date.now()));
        });
      }));
      send({ type: 'ok', id: req.id });
      return;
    }
    case 'offline':
      for (const i of req.indices) cut(agents.get(i)!);
      send({ type: 'ok', id: req.id });
      return;
    case 'stats': {
      const counts: Record<string, import('./agents-protocol.ts').SchoolStats> = {};
      for (const a of agents.values()) counts[a.school.site] = { ...a.counts, samples: { ...a.counts.samples }, spooled: a.spool.length, online: a.online, bench: { ...a.bench }, offlinePolls: [...a.offlinePolls] };
      send({ type: 'stats', id: req.id, counts });
      return;
    }
    case 'health': {
      const h = health();
      if (req.reset) {
        window = newWindow();
        eld.reset();
        for (const a of agents.values()) a.bench = freshRecord();
      }
      send({ type: 'health', id: req.id, health: h });
      return;
    }
    case 'stop':
      stopping = true;
      for (const a of agents.values()) a.client?.end(true);
      send({ type: 'ok', id: req.id });
      setTimeout(() => process.exit(0), 200);
      return;
  }
}

process.on('message', (req: AgentsRequest) => {
  handle(req).catch((err: Error) => send({ type: 'error', id: req.id, message: err.stack ?? String(err) }));
});
