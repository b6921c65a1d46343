import { compiledDecoder, parseTopic, samplesBatchSchema, type Logger, type Sample, type SamplesBatch } from '../../contract/index.ts';
import { DEFAULT_BACKLOG_AGE_MS, batchLane, type Lane } from '../storage/lane.ts';
import { linesToChunk, type LineChunk } from '../storage/line.ts';
import type { DurableLog } from '../wal/durable.ts';
import { BATCH_REJECT_REASONS, IngestCounters, type BatchRejectReason, type BrokerRefusalReason, type SampleRejectReason } from './counters.ts';
import { FieldTypes } from './field-types.ts';
import type { LearnedState } from './learned.ts';
import { ingestHealth, type IngestHealth } from './health.ts';
import { screenSamples, type SampleWindow } from './screen.ts';
import { SeriesBudgets } from './series-budget.ts';
import { AgentSequence, type AgentSequenceCounts, type SeqVerdict } from './sequence.ts';
import { createTurns } from './turns.ts';

/** Where accepted points go, as line protocol: the InfluxDB writer, which queues them and writes in batches. */
export interface LineSink {
  write(chunk: LineChunk): void;
  /**
   * Backpressure, per lane (storage/lane.ts): a promise while the sink holds more of that lane than it should,
   * resolved once it has room again; undefined when it has room now. handle() waits on the message's lane
   * before storing it, and the broker sends the PUBACK only after handle(), so agents are slowed by their
   * QoS 1 window (and keep data in their spool).
   */
  room?(lane?: Lane): Promise<void> | undefined;
}

const decodeSamplesBatch = compiledDecoder(samplesBatchSchema);

/** Who the broker authenticated: the agent's id and the site its credentials belong to. */
export interface AgentIdentity {
  agent: string;
  site: string;
}

export type RejectReason = BatchRejectReason;

export interface AgentIngestStats extends AgentSequenceCounts {
  acceptedBatches: number;
  acceptedSamples: number;
  /** ms since the epoch, from the injected clock. */
  lastAcceptedAt: number;
}

export interface IngestStats {
  acceptedBatches: number;
  acceptedSamples: number;
  /** Whole messages refused (acknowledged, not stored), by reason. */
  rejects: Record<RejectReason, number>;
  /** Samples refused out of otherwise valid batches, by reason. */
  rejectedSamples: Record<SampleRejectReason, number>;
  duplicates: number;
  /** Seqs currently missing, per agent. */
  gaps: Record<string, number>;
  agents: Record<string, AgentIngestStats>;
}

export interface IngestOptions {
  writer: LineSink;
  log: Logger;
  now: () => number;
  /** Seqs remembered per agent above its highest contiguous one (and missing ones below it). */
  seqWindow?: number;
  /**
   * The collector's write-ahead log: when given, an accepted batch goes there (and from there to the
   * writer) and handle() resolves only once it is committed; the agents' sequence records start from it.
   */
  durable?: DurableLog;
  /** Each new batch once it is accepted (for a durable ingest: once the write-ahead log committed it), with only its accepted samples. */
  onAccepted?: (batch: SamplesBatch) => void;
  /** Sample times accepted (see screen.ts). Default: 5 minutes ahead, 45 days back. */
  window?: Partial<SampleWindow>;
  /** New series a site may create (see series-budget.ts). Default: no limit. */
  seriesBudget?: (site: string) => number;
  /** Where refusals are noted for the alert rules. Default: the process-wide view. */
  health?: IngestHealth;
  /** Learned field types and series kept across restarts (learned.ts). Default: memory only. */
  learned?: LearnedState;
  /** A batch whose newest time is more than this behind `now` goes to the backlog lane (storage/lane.ts). Default 2 minutes. */
  backlogAgeMs?: number;
}

export interface Ingest {
  /**
   * Resolves once the batch's points are queued (or it was counted as a reject or a duplicate): bad input
   * never makes it reject. It rejects only if the points could not be queued, and then the message
   * must not be acknowledged, so that the agent sends it again. While the writer is over its bound of
   * pending points it waits first (see LineSink.room).
   */
  handle(topic: string, payload: Buffer | string, identity: AgentIdentity): Promise<void>;
  stats(): IngestStats;
  /** Counts by agent, site, outcome and reason since the last call (for `collector_ingest` and the log). */
  counters: IngestCounters;
  /** Series each site knows (since start, or kept across restarts with `learned`). */
  seriesUsed(site: string): number;
  /**
   * The broker refused something of a logged-in agent (a denied publish or subscribe, a message too large, a
   * packet over its size): counted with the ingest's own refusals, so it reaches `collector_ingest`, the log
   * summary and the misbehaving-agent alert.
   */
  refusedByBroker(identity: AgentIdentity, reason: BrokerRefusalReason): void;
}

type Outcome = { ok: true; durable?: Promise<void> } | { ok: false; reason: RejectReason; detail: string; samples: number };

const DAY_MS = 86_400_000;
export const DEFAULT_WINDOW: SampleWindow = { maxSkewMs: 5 * 60_000, maxAgeMs: 45 * DAY_MS };

export function createIngest({
  writer, log, now, seqWindow, durable, onAccepted, window, seriesBudget, health = ingestHealth, learned, backlogAgeMs = DEFAULT_BACKLOG_AGE_MS,
}: IngestOptions): Ingest {
  const sampleWindow: SampleWindow = { ...DEFAULT_WINDOW, ...window };
  const fieldTypes = new FieldTypes(undefined, learned?.keys);
  const budgets = new SeriesBudgets(seriesBudget ?? (() => Number.POSITIVE_INFINITY), learned?.series);
  const counters = new IngestCounters();
  const restore = (record: string) => AgentSequence.restore(record, seqWindow);
  const sequences = new Map([...(durable?.sequences() ?? [])].map(([agent, record]) => [agent, restore(record)]));
  const turn = createTurns();
  /** Per agent, settled once its latest message so far is stored or refused: the next one stores only after it. */
  const tails = new Map<string, Promise<void>>();
  const perAgent = new Map<string, Omit<AgentIngestStats, keyof AgentSequenceCounts>>();
  const totals = { acceptedBatches: 0, acceptedSamples: 0 };
  const rejects = Object.fromEntries(BATCH_REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;

  /**
   * Everything but storing: a throw here is a fault of this message (or of the collector's handling of it),
   * never of storage; handle() counts it as `internal` and acknowledges the message, so that no input makes an
   * agent resend one message forever.
   */
  function guarded<T>(step: () => T | Outcome): T | Outcome {
    try {
      return step();
    } catch (err) {
      return { ok: false, reason: 'internal', detail: (err as Error).message ?? String(err), samples: 0 };
    }
  }

  function accept(batch: SamplesBatch, lane: Lane, identity: AgentIdentity): Outcome {
    const prepared = guarded(() => prepare(batch, lane, identity));
    if ('ok' in prepared) return prepared;
    return store(prepared);
  }

  interface Prepared {
    batch: SamplesBatch;
    lane: Lane;
    sequence: AgentSequence | undefined;
    verdict: SeqVerdict;
    lines: string[];
    kept: Sample[];
  }

  /** Cheap and stateless: the message's batch, checked against who sent it; nothing is recorded yet. */
  function decode(topic: string, payload: Buffer | string, identity: AgentIdentity): { batch: SamplesBatch } | Outcome {
    const parsed = parseTopic(topic);
    if (parsed === undefined || parsed.kind !== 'samples') {
      return { ok: false, reason: 'topic', detail: 'not a samples topic', samples: 0 };
    }
    if (parsed.site !== identity.site) {
      return { ok: false, reason: 'site-mismatch', detail: `topic is for site "${parsed.site}"`, samples: 0 };
    }
    const decoded = decodeSamplesBatch(payload);
    if (!decoded.ok) return { ok: false, reason: 'invalid', detail: decoded.reason, samples: 0 };
    const batch = decoded.value;
    if (batch.site !== identity.site) {
      return { ok: false, reason: 'site-mismatch', detail: `batch is for site "${batch.site}"`, samples: batch.samples.length };
    }
    if (batch.agent !== identity.agent) {
      return { ok: false, reason: 'agent-mismatch', detail: `batch is from agent "${batch.agent}"`, samples: batch.samples.length };
    }
    return { batch };
  }

  /** Once the lane has room, and in the agent's order: its sequence, screening, learning. */
  function prepare(batch: SamplesBatch, lane: Lane, identity: AgentIdentity): Prepared | Outcome {

    const sequence = sequences.get(batch.agent);
    const verdict: SeqVerdict = sequence?.classify(batch.seq, batch.sentAt) ?? { kind: 'new', filledGap: false };
    if (verdict.kind === 'duplicate') {
      sequence?.record(batch.seq, batch.sentAt, verdict);
      log.debug({ agent: batch.agent, site: batch.site, seq: batch.seq }, 'duplicate batch not written again');
      // Its first copy may still be on its way to the log: acknowledge this one only once that is stored.
      return durable ? { ok: true, durable: durable.settled() } : { ok: true };
    }
    if (verdict.kind === 'restart') {
      log.warn(
        { agent: batch.agent, site: batch.site, seq: batch.seq, previousSeq: verdict.previousMax },
        'agent sequence started again; counting from here',
      );
    }

    // Every line's `site` tag is the batch's site (toLine): an agent cannot file data under another school.
    const screened = screenSamples(batch.samples, batch.site, now(), { window: sampleWindow, fieldTypes, budgets });
    // Saved before the points are stored: nothing stored was learned in memory only.
    learned?.commit();
    for (const r of screened.rejected) {
      counters.rejectSamples(batch.agent, batch.site, r.reason, r.samples, r.detail);
      health.refused(batch.site, batch.agent, r.reason, r.samples, 0, now());
      if (r.reason === 'series-budget') health.overBudget(batch.site, budgets.limit(batch.site), r.samples, now());
      noteReject(identity, r.reason, r.detail);
    }
    return { batch, lane, sequence, verdict, lines: screened.lines, kept: screened.kept };
  }

  function store({ batch, lane, sequence, verdict, lines, kept }: Prepared): Outcome {
    const accepted = kept.length === batch.samples.length ? batch : { ...batch, samples: kept };
    const chunk: LineChunk = { ...linesToChunk(lines), lane };
    if (!durable || lines.length === 0) {
      // A throw here propagates (the message must not be acknowledged) and leaves the seq unrecorded.
      if (lines.length > 0) writer.write(chunk);
      recordSeq(batch, sequence, verdict);
      count(batch.agent, batch.site, kept.length);
      if (kept.length > 0) onAccepted?.(accepted);
      return { ok: true };
    }
    // Recorded now, so a redelivery arriving before the commit is a duplicate (which waits for it, above).
    const record = recordSeq(batch, sequence, verdict).save();
    const committed = durable.append({ agent: batch.agent, seq: batch.seq, points: chunk.points, text: chunk.text, lane }, record).then(
      () => {
        count(batch.agent, batch.site, kept.length);
        onAccepted?.(accepted);
      },
      (err: Error) => {
        // Back to what the log holds, so the agent's resend is new again.
        const saved = durable.sequences().get(batch.agent);
        if (saved === undefined) sequences.delete(batch.agent);
        else sequences.set(batch.agent, restore(saved));
        throw err;
      },
    );
    return { ok: true, durable: committed };
  }

  function recordSeq(batch: { agent: string; seq: number; sentAt: number }, sequence: AgentSequence | undefined, verdict: SeqVerdict): AgentSequence {
    if (sequence !== undefined) {
      sequence.record(batch.seq, batch.sentAt, verdict);
      return sequence;
    }
    const created = new AgentSequence(batch, seqWindow);
    sequences.set(batch.agent, created);
    return created;
  }

  function count(agent: string, site: string, samples: number): void {
    counters.add(agent, site, 'accepted', '', 1, samples);
    totals.acceptedBatches += 1;
    totals.acceptedSamples += samples;
    const agentStats = perAgent.get(agent) ?? { acceptedBatches: 0, acceptedSamples: 0, lastAcceptedAt: 0 };
    agentStats.acceptedBatches += 1;
    agentStats.acceptedSamples += samples;
    agentStats.lastAcceptedAt = now();
    perAgent.set(agent, agentStats);
  }

  // The first reject of each agent and reason per report interval is logged at once, with its detail; the
  // rest are counted and summed up in one line per interval (report.ts), so a flood cannot flood the log.
  const logged = new Set<string>();
  counters.onDrain = () => logged.clear();
  function noteReject(identity: AgentIdentity, reason: string, detail: string, topic?: string): void {
    const key = `${identity.agent}\u0000${reason}`;
    if (logged.has(key)) return;
    logged.add(key);
    log.warn({ agent: identity.agent, site: identity.site, ...(topic !== undefined ? { topic } : {}), reason, detail: detail.slice(0, 300) }, 'samples rejected');
  }

  /** The message decoded and its lane; the batch in a holder the caller may empty while it waits. */
  function firstLook(topic: string, payload: Buffer | string, identity: AgentIdentity): { batch: SamplesBatch | undefined; lane: Lane } | Outcome {
    const decoded = guarded(() => decode(topic, payload, identity));
    if ('ok' in decoded) return decoded;
    return { batch: decoded.batch, lane: batchLane(decoded.batch, now(), backlogAgeMs) };
  }

  /**
   * Decoded and classified first, then it waits for its lane's room only (storage/lane.ts): a live school's
   * fresh poll never waits because a replaying region filled the backlog's bound.
   */
  async function take(topic: string, payload: Buffer | string, identity: AgentIdentity, before: Promise<void> | undefined): Promise<Outcome> {
    // One message of an agent at a time from here: so at most one decoded batch per agent waits for room
    // (aedes hands over every packet of a socket read at once), and the agent's order holds.
    if (before !== undefined) await before;
    // Fair between agents (turns.ts): a flooding agent's queued messages do not delay another's.
    await turn(identity.agent, payload.length);
    const look = firstLook(topic, payload, identity);
    if ('ok' in look) return look;
    const lane = look.lane;
    for (;;) {
      const room = writer.room?.(lane) ?? durable?.room(lane);
      if (room === undefined) break;
      // While it waits, the message keeps its payload (bytes, outside the heap) and lets the decoded batch
      // go: with InfluxDB slow every school's next poll waits here at once (at 1,000 schools ~240,000
      // samples), and decoded they hold ~110 bytes of heap each, waiting as bytes ~5 (lanes.test.ts).
      // decode() is pure, so decoding again once there is room gives the same batch. (`look` is its only holder.)
      look.batch = undefined;
      await room;
      // Many waiters get room at once: each takes a turn of its own and looks again, so a lane's bound is
      // passed by one message at most.
      await turn(identity.agent, 0);
    }
    if (look.batch !== undefined) return accept(look.batch, lane, identity);
    const again = guarded(() => decode(topic, payload, identity));
    return 'ok' in again ? again : accept(again.batch, lane, identity);
  }

  return {
    async handle(topic, payload, identity) {
      // The agent's previous message stores first, even if it waits for the backlog's room and this one is
      // live: an agent's messages are acknowledged (and its spool let go) in its own order.
      const before = tails.get(identity.agent);
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      tails.set(identity.agent, mine);
      let outcome: Outcome;
      try {
        outcome = await take(topic, payload, identity, before);
      } finally {
        release();
        if (tails.get(identity.agent) === mine) tails.delete(identity.agent);
      }
      if (outcome.ok) return outcome.durable;
      rejects[outcome.reason] += 1;
      counters.add(identity.agent, identity.site, 'rejected', outcome.reason, 1, outcome.samples, outcome.detail);
      health.refused(identity.site, identity.agent, outcome.reason, outcome.samples, 1, now());
      noteReject(identity, outcome.reason, outcome.detail, topic);
    },

    counters,
    seriesUsed: (site) => budgets.used(site),
    refusedByBroker(identity, reason) {
      counters.add(identity.agent, identity.site, 'rejected', reason, 1, 0);
      health.refused(identity.site, identity.agent, reason, 0, 1, now());
    },

    stats() {
      const agents: Record<string, AgentIngestStats> = {};
      const gaps: Record<string, number> = {};
      let duplicates = 0;
      for (const [agent, sequence] of sequences) {
        const counts = sequence.snapshot();
        const accepted = perAgent.get(agent) ?? { acceptedBatches: 0, acceptedSamples: 0, lastAcceptedAt: 0 };
        agents[agent] = { ...counts, ...accepted };
        gaps[agent] = counts.missing;
        duplicates += counts.duplicates;
      }
      return { ...totals, rejects: { ...rejects }, rejectedSamples: { ...counters.rejectedSamples }, duplicates, gaps, agents };
    },
  };
}
