import { createConnection } from 'node:net';
import { MqttClient } from 'mqtt';
import { SOFTWARE_VERSION, WIRE_VERSION, agentClientId, configTopic, encodeMessage, samplesTopic, statusTopic, type AgentStatus, type SamplesBatch } from '../../contract/index.ts';
import { pollSamples, school, type School } from './schools.ts';
import type { AgentsReply, AgentsRequest, SchoolCounts } from './agents-protocol.ts';

/**
 * The simulated agents: one child process holding one MQTT client per school, started by agents.ts. Each
 * agent behaves on the wire as the real one: its client id and credentials, a retained "online" status
 * and an "offline" will, one samples batch (≤ 1,000 samples, the agent's default) per poll with a per-agent
 * seq and the measured-at times, QoS 1. Its spool keeps every batch until the broker's PUBACK and replays
 * what is left, oldest first, on reconnect; an agent that is offline keeps polling into its spool. The spool
 * is in memory here (the real one is on disk): what it keeps and when it deletes are the same.
 */
const BATCH_SAMPLES = 1_000;
/** Unacknowledged batches per agent on the wire at once (the real agent's spool sender also windows). */
const WINDOW = 8;

interface Spooled {
  seq: number;
  payload: Buffer;
  /** Generation of the connection it was sent on; undefined: not sent on the current one. */
  sentOn?: number;
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
  counts: SchoolCounts;
}

let url = '';
const agents = new Map<number, SimAgent>();
const send = (reply: AgentsReply) => process.send!(reply);

function status(a: SimAgent, state: 'online' | 'offline', at: number): Buffer {
  const message: AgentStatus = { v: WIRE_VERSION, agent: a.school.agent, site: a.school.site, state, version: SOFTWARE_VERSION, startedAt: at, at, uptimeSeconds: 0 };
  return encodeMessage(message);
}

function connect(a: SimAgent): Promise<void> {
  const { hostname, port } = new URL(url);
  const now = Date.now();
  const generation = ++a.generation;
  return new Promise((resolve, reject) => {
    const client = new MqttClient(() => createConnection({ host: hostname, port: Number(port), localAddress: a.localAddress }), {
      clientId: agentClientId(a.school.agent),
      username: a.school.agent,
      password: a.password,
      protocolVersion: 4,
      clean: true,
      keepalive: 60,
      reconnectPeriod: 0,
      connectTimeout: 300_000,
      will: { topic: statusTopic(a.school.site, a.school.agent), payload: status(a, 'offline', now), qos: 1, retain: true },
    });
    a.client = client;
    client.once('connect', () => {
      a.online = true;
      client.subscribe(configTopic(a.school.site), { qos: 1 });
      client.publish(statusTopic(a.school.site, a.school.agent), status(a, 'online', now), { qos: 1, retain: true });
      for (const s of a.spool) s.sentOn = undefined;
      pump(a);
      resolve();
    });
    client.once('error', reject);
    client.on('close', () => {
      if (a.generation === generation) a.online = false;
    });
  });
}

/** Sends spooled batches, oldest first, at most WINDOW unacknowledged; each leaves the spool on its PUBACK. */
function pump(a: SimAgent): void {
  const client = a.client;
  if (!a.online || client === undefined) return;
  const generation = a.generation;
  let inFlight = a.spool.filter((s) => s.sentOn === generation).length;
  for (const item of a.spool) {
    if (inFlight >= WINDOW) break;
    if (item.sentOn === generation) continue;
    item.sentOn = generation;
    inFlight++;
    client.publish(samplesTopic(a.school.site), item.payload, { qos: 1 }, (err) => {
      if (a.generation !== generation) return;
      if (err !== undefined && err !== null) {
        item.sentOn = undefined;
        return;
      }
      const at = a.spool.indexOf(item);
      if (at >= 0) a.spool.splice(at, 1);
      a.counts.acked++;
      pump(a);
    });
  }
}

function poll(a: SimAgent, pollNo: number, at: number, down: readonly string[]): void {
  const samples = pollSamples(a.school, pollNo, at, new Set(down));
  for (const s of samples) a.counts.samples[s.measurement] = (a.counts.samples[s.measurement] ?? 0) + 1;
  for (let i = 0; i < samples.length; i += BATCH_SAMPLES) {
    const batch: SamplesBatch = { v: WIRE_VERSION, agent: a.school.agent, site: a.school.site, seq: a.seq++, sentAt: at + 500, samples: samples.slice(i, i + BATCH_SAMPLES) };
    a.spool.push({ seq: batch.seq, payload: encodeMessage(batch) });
    a.counts.batches++;
  }
  pump(a);
}

/** Drops the connection as a power cut or a broadband outage does: no DISCONNECT, so the broker sends the will. */
function cut(a: SimAgent): void {
  a.generation++;
  a.online = false;
  a.client?.stream.destroy();
  a.client?.end(true);
  a.client = undefined;
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
          generation: 0,
          online: false,
          counts: { samples: {}, batches: 0, acked: 0 },
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
      const list = [...agents.values()];
      const step = req.spreadMs / Math.max(1, list.length);
      const start = performance.now();
      for (let i = 0; i < list.length; i++) {
        const wait = start + i * step - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const a = list[i]!;
        // Every school measures at the same minute mark plus its offset: measured-at is the poll's own time.
        poll(a, req.poll, req.at + Math.floor(i * step), req.down[a.school.site] ?? []);
      }
      send({ type: 'ok', id: req.id });
      return;
    }
    case 'offline':
      for (const i of req.indices) cut(agents.get(i)!);
      send({ type: 'ok', id: req.id });
      return;
    case 'stats': {
      const counts: Record<string, SchoolCounts & { spooled: number; online: boolean }> = {};
      for (const a of agents.values()) counts[a.school.site] = { ...a.counts, samples: { ...a.counts.samples }, spooled: a.spool.length, online: a.online };
      send({ type: 'stats', id: req.id, counts });
      return;
    }
    case 'stop':
      for (const a of agents.values()) a.client?.end(true);
      send({ type: 'ok', id: req.id });
      setTimeout(() => process.exit(0), 200);
      return;
  }
}

process.on('message', (req: AgentsRequest) => {
  handle(req).catch((err: Error) => send({ type: 'error', id: req.id, message: err.stack ?? String(err) }));
});
