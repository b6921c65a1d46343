import { fork, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { addAgent } from '../../collector/agents/store.ts';
import { agentClientId, encodeMessage, eventsTopic, samplesTopic, statusTopic } from '../../contract/index.ts';
import { logTailOf, makeTempDir, startInflux, waitFor, type InfluxServer, type TempDir } from '../harness/index.ts';
import { BAD_KINDS, badPayload, rngFrom, validBatch, type BadKind, type Counter, type Rng, type Sender } from './bad-messages.ts';
import type { ChildReady, ChildReply, ChildRequest, ChildStats } from './collector-child.ts';

/**
 * Item 5 of "Zero loss and closed doors": thousands of bad messages over real MQTT, mixed with valid
 * traffic from several agents, into a collector in its own process writing a real InfluxDB. Every bad
 * message must land in exactly one counter, every valid sample in InfluxDB, and the collector's RSS stay flat.
 * FUZZ_SEED=<n> replays a run.
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
const DB = 'fuzz';
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./collector-child.ts', import.meta.url));

/** Publishes in flight per agent connection: bounded, as an agent's own QoS 1 window is. */
const WINDOW = 32;
/** Per sending agent: bad messages of the cheap kinds, valid batches, and the big ones (4 MiB ± a little). */
const BAD_PER_SENDER = 3_450;
const VALID_PER_SENDER = 700;
const BIG_PER_SENDER = { oversized: 4, 'large-valid-size': 4 } as const;
/** Publishes to another site's topics; each costs a connection, so fewer. */
const CROSS_SITE_PER_INTRUDER = 60;
/** Actions per sender before the baseline RSS is taken: code paths warm, connections up. */
const WARMUP_ACTIONS = 300;
const RSS_GROWTH_LIMIT = 50 * 1024 * 1024;
/** No acknowledgement for this long means the run is stuck. */
const STALL_MS = 20_000;
/** Cheap hashes: the test reconnects often and is not about password cost. */
const SCRYPT = { N: 1024, r: 8, p: 1 };

const CHEAP_KINDS: readonly [Exclude<BadKind, 'oversized' | 'large-valid-size' | 'cross-site-topic'>, number][] = [
  ['malformed-json', 12],
  ['truncated', 10],
  ['binary', 8],
  ['wrong-version', 8],
  ['wrong-schema', 36],
  ['replayed', 10],
  ['site-mismatch', 8],
  ['agent-mismatch', 8],
];

const SENDERS: Sender[] = [
  { agent: 'north-1', site: 'north', otherSite: 'south', otherAgent: 'north-2' },
  { agent: 'north-2', site: 'north', otherSite: 'east', otherAgent: 'south-1' },
  { agent: 'south-1', site: 'south', otherSite: 'north', otherAgent: 'north-1' },
];
const INTRUDERS = [
  { agent: 'east-1', site: 'east' },
  { agent: 'east-2', site: 'east' },
];

type Action = { kind: 'valid'; seq: number; samples: number } | { kind: 'replayed'; of: number } | { kind: Exclude<BadKind, 'replayed' | 'cross-site-topic'>; seed: number };

/** Deterministic in the seed: which messages each sender sends, in what order. */
function planFor(rng: Rng): Action[] {
  const total = CHEAP_KINDS.reduce((n, [, w]) => n + w, 0);
  const drawKind = () => {
    let x = rng.next() * total;
    for (const [kind, w] of CHEAP_KINDS) if ((x -= w) < 0) return kind;
    return CHEAP_KINDS[0]![0];
  };
  const slots: ('valid' | 'bad' | 'oversized' | 'large-valid-size')[] = [
    ...Array<'valid'>(VALID_PER_SENDER - 1).fill('valid'),
    ...Array<'bad'>(BAD_PER_SENDER).fill('bad'),
    ...Array<'oversized'>(BIG_PER_SENDER.oversized).fill('oversized'),
    ...Array<'large-valid-size'>(BIG_PER_SENDER['large-valid-size']).fill('large-valid-size'),
  ];
  for (let i = slots.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  // seq 0 goes first and alone: the collector's record of an agent starts at the first seq it accepts.
  const actions: Action[] = [{ kind: 'valid', seq: 0, samples: rng.int(1, 20) }];
  let seq = 1;
  for (const slot of slots) {
    if (slot === 'valid') actions.push({ kind: 'valid', seq: seq++, samples: rng.int(1, 20) });
    else if (slot !== 'bad') actions.push({ kind: slot, seed: rng.int(0, 2 ** 31) });
    else {
      const kind = drawKind();
      actions.push(kind === 'replayed' ? { kind, of: rng.int(0, seq - 1) } : { kind, seed: rng.int(0, 2 ** 31) });
    }
  }
  return actions;
}

let influx: InfluxServer;
let dir: TempDir;
let child: ChildProcess | undefined;
let childExit: string | undefined;
const clients: MqttClient[] = [];
const creds: Record<string, string> = {};
let port = 0;
let logPath = '';

let nextId = 1;
const pending = new Map<number, (reply: ChildReply) => void>();
/** One request to the collector process; a collector that does not answer in time fails the test. */
function ask(op: ChildRequest['op'], timeoutMs = 10_000): Promise<ChildStats> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
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
    child!.send({ id, op } satisfies ChildRequest);
  });
}

async function connect(agent: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: agentClientId(agent),
    username: agent,
    password: creds[agent],
    reconnectPeriod: 0,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  influx = await startInflux();
  dir = makeTempDir('ingest-fuzz');
  mkdirSync(join(dir.path, 'sites'));
  for (const site of ['north', 'south', 'east']) writeFileSync(join(dir.path, 'sites', `${site}.yaml`), stringify({ id: site, name: site }));
  for (const { agent, site } of [...SENDERS, ...INTRUDERS]) {
    creds[agent] = (await addAgent(join(dir.path, 'agents.yaml'), { id: agent, site }, { scrypt: SCRYPT })).password;
  }
  const configFile = join(dir.path, 'collector.yaml');
  writeFileSync(
    configFile,
    stringify({ broker: { host: '127.0.0.1', port: 0 }, influx: { url: influx.url, database: DB, flushIntervalMs: 50 }, logLevel: 'warn' }),
  );
  logPath = join(dir.path, 'collector.log');
  const logFd = openSync(logPath, 'a');
  try {
    child = fork(CHILD, [configFile], { cwd: REPO, execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', logFd, logFd, 'ipc'] });
  } finally {
    closeSync(logFd);
  }
  child.on('exit', (code, signal) => {
    childExit = `collector exited (${signal ?? `code ${code}`}); last lines of its log:\n${logTailOf(logPath)}`;
  });
  child.on('message', (message: ChildReply | ChildReady) => {
    if ('ready' in message) port = message.port;
    else pending.get(message.id)?.(message);
  });
  await waitFor(() => port !== 0 || (childExit ? Promise.reject(new Error(childExit)) : false), { timeoutMs: 30_000, what: 'the collector process to listen' });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.endAsync(true)));
  if (child && childExit === undefined) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    await ask('stop', 15_000).catch(() => child!.kill('SIGKILL'));
    await exited;
  }
  await influx?.stop();
  dir?.remove();
});

describe('ingest under fuzzed input', () => {
  it(`refuses and counts every bad message, stores every valid sample, and keeps its memory (seed ${SEED})`, { timeout: 120_000 }, async () => {
    console.log(`ingest fuzz: seed ${SEED} (FUZZ_SEED=${SEED} replays this run)`);
    const started = performance.now();
    const baseMs = Date.now() - 3_600_000;
    const sent: Record<BadKind, number> = Object.fromEntries(Object.keys(BAD_KINDS).map((k) => [k, 0])) as Record<BadKind, number>;
    const stored: Record<string, number> = {};
    const plans = SENDERS.map((s, i) => planFor(rngFrom(SEED + i)));

    // A stuck run fails at once with what the collector counted, not with the test's timeout.
    let abort: (err: Error) => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => (abort = reject));
    aborted.catch(() => undefined);
    let acks = 0;

    // The collector must keep answering while it is fed: a request every 250 ms, each within 5 s.
    const heartbeatFailures: string[] = [];
    let beating = true;
    const heartbeat = (async () => {
      let lastAcks = -1;
      let lastProgress = performance.now();
      while (beating) {
        const stats = await ask('stats', 5_000).catch((err: Error) => void heartbeatFailures.push(err.message));
        if (childExit) abort(new Error(childExit));
        if (acks !== lastAcks) [lastAcks, lastProgress] = [acks, performance.now()];
        else if (performance.now() - lastProgress > STALL_MS) {
          abort(new Error(`no publish acknowledged for ${STALL_MS} ms after ${acks}; collector counts ${JSON.stringify(stats)}; log:\n${logTailOf(logPath, 10)}`));
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();

    // Messages of 4 MiB go one at a time across all agents, as a real fleet's would be rare.
    let bigTurn = Promise.resolve();
    const oneBigAtATime = (send: () => Promise<unknown>): Promise<void> => {
      const mine = bigTurn.then(send).then(() => undefined);
      bigTurn = mine.catch(() => undefined);
      return mine;
    };

    const senders = await Promise.all(
      SENDERS.map(async (sender, i) => {
        const client = await connect(sender.agent);
        // Its publishes in flight would wait for ever: fail now.
        client.on('close', () => abort(new Error(`${sender.agent}: the collector closed a valid agent's connection; log:\n${logTailOf(logPath, 10)}`)));
        const topic = samplesTopic(sender.site);
        const acked = new Map<number, Promise<void>>();
        const validBytes = new Map<number, Buffer>();
        stored[sender.agent] = 0;

        const send = (action: Action): Promise<void> => {
          if (action.kind === 'valid') {
            const bytes = encodeMessage(validBatch(sender, action.seq, action.samples, baseMs));
            validBytes.set(action.seq, bytes);
            stored[sender.agent]! += action.samples;
            const done = client.publishAsync(topic, bytes, { qos: 1 }).then(() => undefined);
            acked.set(action.seq, done);
            return done;
          }
          sent[action.kind] += 1;
          // A replay is of a batch the collector has acknowledged: only then is it known to be a duplicate.
          if (action.kind === 'replayed') return acked.get(action.of)!.then(() => client.publishAsync(topic, validBytes.get(action.of)!, { qos: 1 })).then(() => undefined);
          const payload = badPayload(action.kind, rngFrom(action.seed), sender, baseMs);
          const publish = () => client.publishAsync(topic, payload, { qos: 1 });
          if (action.kind === 'oversized' || action.kind === 'large-valid-size') return oneBigAtATime(publish);
          return publish().then(() => undefined);
        };

        const run = async (actions: readonly Action[]): Promise<void> => {
          const inFlight = new Set<Promise<void>>();
          for (const action of actions) {
            while (inFlight.size >= WINDOW) await Promise.race(inFlight);
            const p: Promise<void> = send(action).finally(() => {
              acks += 1;
              inFlight.delete(p);
            });
            inFlight.add(p);
          }
          await Promise.all(inFlight);
        };
        const plan = plans[i]!;
        await send(plan[0]!);
        return { sender, warmup: () => run(plan.slice(1, WARMUP_ACTIONS)), rest: () => run(plan.slice(WARMUP_ACTIONS)) };
      }),
    );

    /** Publishes to topics of another site (and another agent's status): the broker closes each such connection. */
    const intrude = async (agent: string, rng: Rng, times: number): Promise<void> => {
      for (let n = 0; n < times; n++) {
        const client = await connect(agent);
        const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
        const other = rng.pick(['north', 'south']);
        const topic = rng.pick([samplesTopic(other), eventsTopic(other), statusTopic(other, `${other}-1`), statusTopic('east', agent === 'east-1' ? 'east-2' : 'east-1')]);
        const payload = encodeMessage(validBatch({ agent, site: other, otherSite: other, otherAgent: agent }, n, 1, baseMs));
        sent['cross-site-topic'] += 1;
        client.publishAsync(topic, payload, { qos: rng.pick([0, 1] as const) }).catch(() => undefined);
        await closed;
        acks += 1;
        await client.endAsync(true);
      }
    };

    let before: ChildStats;
    let after: ChildStats;
    let sendSeconds: number;
    try {
      await Promise.race([Promise.all(senders.map((s) => s.warmup())), aborted]);
      before = await ask('gc');
      await Promise.race([
        Promise.all([
          ...senders.map((s) => s.rest()),
          ...INTRUDERS.map(({ agent }, i) => intrude(agent, rngFrom(SEED + 100 + i), CROSS_SITE_PER_INTRUDER)),
        ]),
        aborted,
      ]);
      sendSeconds = (performance.now() - started) / 1000;
      await ask('flush', 60_000);
      after = await ask('gc');
    } finally {
      beating = false;
      await heartbeat;
    }

    const expected: Record<Counter, number> = { invalid: 0, oversize: 0, 'site-mismatch': 0, 'agent-mismatch': 0, duplicate: 0, 'publish-denied': 0 };
    for (const [kind, n] of Object.entries(sent)) expected[BAD_KINDS[kind as BadKind]] += n;
    const badTotal = Object.values(sent).reduce((a, b) => a + b, 0);
    const validBatches = SENDERS.length * VALID_PER_SENDER;
    const validSamples = Object.values(stored).reduce((a, b) => a + b, 0);
    const growth = after.rss - before.rss;
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      [
        `ingest fuzz: seed ${SEED}; ${badTotal} bad messages and ${validBatches} valid batches (${validSamples} samples) in ${sendSeconds.toFixed(1)} s`,
        `  sent by kind: ${JSON.stringify(sent)}`,
        `  expected counters: ${JSON.stringify(expected)}`,
        `  collector: rejects ${JSON.stringify(after.ingest.rejects)}, duplicates ${after.ingest.duplicates}, broker ${JSON.stringify(after.broker)}`,
        `  collector RSS after GC: ${mb(before.rss)} before, ${mb(after.rss)} after (${growth >= 0 ? '+' : ''}${mb(growth)}); heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)}`,
      ].join('\n'),
    );

    expect(childExit).toBeUndefined();
    expect(heartbeatFailures).toEqual([]);
    expect(badTotal).toBeGreaterThanOrEqual(10_000);

    const { ingest, broker } = after;
    expect({
      invalid: ingest.rejects.invalid,
      oversize: broker.oversizeRejected,
      'site-mismatch': ingest.rejects['site-mismatch'],
      'agent-mismatch': ingest.rejects['agent-mismatch'],
      duplicate: ingest.duplicates,
      'publish-denied': broker.publishDenied,
    }).toEqual(expected);
    expect(ingest.rejects.topic).toBe(0);
    expect(broker.authFailures).toBe(0);
    expect(broker.publishFailed).toBe(0);
    expect(ingest.acceptedBatches).toBe(validBatches);
    expect(ingest.acceptedSamples).toBe(validSamples);
    for (const { agent } of SENDERS) {
      expect(ingest.agents[agent], agent).toMatchObject({ missing: 0, restarts: 0, unknown: 0, lastSeq: VALID_PER_SENDER - 1 });
    }

    // Every valid sample, each under its own agent's site, and nothing else.
    const counts = await waitFor(
      async () => {
        const [r] = await influx.query('SELECT count(value), count(ok), count(note) FROM fuzz GROUP BY site, agent', DB);
        const got = Object.fromEntries((r?.series ?? []).map((s) => [`${s.tags?.site}/${s.tags?.agent}`, s.values[0]!.slice(1)]));
        const want = Object.fromEntries(SENDERS.map((s) => [`${s.site}/${s.agent}`, [stored[s.agent], stored[s.agent], stored[s.agent]]]));
        return JSON.stringify(got) === JSON.stringify(want) ? got : undefined;
      },
      { timeoutMs: 20_000, what: `${validSamples} valid samples in InfluxDB` },
    ).catch(async (err: Error) => {
      const [r] = await influx.query('SELECT count(value) FROM fuzz GROUP BY site, agent', DB);
      throw new Error(`${err.message}; InfluxDB has ${JSON.stringify(r?.series?.map((s) => [s.tags, s.values[0]]))}, sent ${JSON.stringify(stored)}`);
    });
    expect(Object.keys(counts)).toHaveLength(SENDERS.length);
    // Nothing a fuzzed message carried became a measurement; besides the valid samples there is only what the
    // collector writes of its own (the alerting's per-site counts, its state changes, its ingest counts, its broker's refusal totals).
    const OWN = new Set(['alerts_open', 'alert_event', 'device_state', 'collector_ingest', 'collector_broker', 'school_state']);
    const [measurements] = await influx.query('SHOW MEASUREMENTS', DB);
    expect(measurements?.series?.[0]?.values.flat().filter((m) => !OWN.has(String(m)))).toEqual(['fuzz']);

    expect(growth, `RSS grew by ${mb(growth)}`).toBeLessThan(RSS_GROWTH_LIMIT);
  });
});
