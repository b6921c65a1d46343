import { compiledDecoder, parseTopic, samplesBatchSchema, type Logger } from '../../contract/index.ts';
import { toChunk, type LineChunk } from '../storage/line.ts';
import { AgentSequence, type AgentSequenceCounts, type SeqVerdict } from './sequence.ts';
import { createTurns } from './turns.ts';

/** Where accepted points go, as line protocol: the InfluxDB writer, which queues them and writes in batches. */
export interface LineSink {
  write(chunk: LineChunk): void;
  /**
   * Backpressure: a promise while the sink holds more than it should, resolved once it has room again;
   * undefined when it has room now. handle() waits on it before taking a message, and the broker sends the
   * PUBACK only after handle(), so agents are slowed by their QoS 1 window (and keep data in their spool).
   */
  room?(): Promise<void> | undefined;
}

const decodeSamplesBatch = compiledDecoder(samplesBatchSchema);

/** Who the broker authenticated: the agent's id and the site its credentials belong to. */
export interface AgentIdentity {
  agent: string;
  site: string;
}

export type RejectReason = 'topic' | 'invalid' | 'site-mismatch' | 'agent-mismatch';

export interface AgentIngestStats extends AgentSequenceCounts {
  acceptedBatches: number;
  acceptedSamples: number;
  /** ms since the epoch, from the injected clock. */
  lastAcceptedAt: number;
}

export interface IngestStats {
  acceptedBatches: number;
  acceptedSamples: number;
  rejects: Record<RejectReason, number>;
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
}

type Outcome = { ok: true } | { ok: false; reason: RejectReason; detail: string };

export function createIngest({ writer, log, now, seqWindow }: IngestOptions): Ingest {
  const sequences = new Map<string, AgentSequence>();
  const turn = createTurns();
  const perAgent = new Map<string, Omit<AgentIngestStats, keyof AgentSequenceCounts>>();
  const totals = { acceptedBatches: 0, acceptedSamples: 0 };
  const rejects: Record<RejectReason, number> = {
    topic: 0,
    invalid: 0,
    'site-mismatch': 0,
    'agent-mismatch': 0,
  };

  function accept(topic: string, payload: Buffer | string, identity: AgentIdentity): Outcome {
    const parsed = parseTopic(topic);
    if (parsed === undefined || parsed.kind !== 'samples') {
      return { ok: false, reason: 'topic', detail: 'not a samples topic' };
    }
    if (parsed.site !== identity.site) {
      return { ok: false, reason: 'site-mismatch', detail: `topic is for site "${parsed.site}"` };
    }
    const decoded = decodeSamplesBatch(payload);
    if (!decoded.ok) return { ok: false, reason: 'invalid', detail: decoded.reason };
    const batch = decoded.value;
    if (batch.site !== identity.site) {
      return { ok: false, reason: 'site-mismatch', detail: `batch is for site "${batch.site}"` };
    }
    if (batch.agent !== identity.agent) {
      return { ok: false, reason: 'agent-mismatch', detail: `batch is from agent "${batch.agent}"` };
    }

    const sequence = sequences.get(batch.agent);
    const verdict: SeqVerdict = sequence?.classify(batch.seq, batch.sentAt) ?? { kind: 'new', filledGap: false };
    if (verdict.kind === 'duplicate') {
      sequence?.record(batch.seq, batch.sentAt, verdict);
      log.debug({ agent: batch.agent, site: batch.site, seq: batch.seq }, 'duplicate batch not written again');
      return { ok: true };
    }
    if (verdict.kind === 'restart') {
      log.warn(
        { agent: batch.agent, site: batch.site, seq: batch.seq, previousSeq: verdict.previousMax },
        'agent sequence started again; counting from here',
      );
    }

    // Seam for the write-ahead log (invariant 1): the batch must be durable before handle() resolves,
    // because the broker acknowledges the message then. Until it exists, "queued in the writer" is the bar.
    // A throw here propagates (the message must not be acknowledged) and leaves the seq unrecorded.
    // toChunk sets every line's `site` tag to the batch's site: an agent cannot file data under another school.
    writer.write(toChunk(batch.samples, batch.site));
    if (sequence === undefined) sequences.set(batch.agent, new AgentSequence(batch, seqWindow));
    else sequence.record(batch.seq, batch.sentAt, verdict);
    totals.acceptedBatches += 1;
    totals.acceptedSamples += batch.samples.length;
    const agentStats = perAgent.get(batch.agent) ?? { acceptedBatches: 0, acceptedSamples: 0, lastAcceptedAt: 0 };
    agentStats.acceptedBatches += 1;
    agentStats.acceptedSamples += batch.samples.length;
    agentStats.lastAcceptedAt = now();
    perAgent.set(batch.agent, agentStats);
    return { ok: true };
  }

  return {
    async handle(topic, payload, identity) {
      const room = writer.room?.();
      if (room !== undefined) await room;
      await turn();
      const outcome = accept(topic, payload, identity);
      if (outcome.ok) return;
      rejects[outcome.reason] += 1;
      log.warn(
        { agent: identity.agent, site: identity.site, topic, reason: outcome.reason, detail: outcome.detail },
        'samples batch rejected',
      );
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
      return { ...totals, rejects: { ...rejects }, duplicates, gaps, agents };
    },
  };
}
