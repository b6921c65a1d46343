import { compiledDecoder, parseTopic, samplesBatchSchema, type Logger, type SamplesBatch } from '../../contract/index.ts';
import { toChunk, type LineChunk } from '../storage/line.ts';
import type { DurableLog } from '../wal/durable.ts';
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
  /**
   * The collector's write-ahead log: when given, an accepted batch goes there (and from there to the
   * writer) and handle() resolves only once it is committed; the agents' sequence records start from it.
   */
  durable?: DurableLog;
  /** Each new batch once it is accepted (for a durable ingest: once the write-ahead log committed it). */
  onAccepted?: (batch: SamplesBatch) => void;
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

type Outcome = { ok: true; durable?: Promise<void> } | { ok: false; reason: RejectReason; detail: string };

export function createIngest({ writer, log, now, seqWindow, durable, onAccepted }: IngestOptions): Ingest {
  const restore = (record: string) => AgentSequence.restore(record, seqWindow);
  const sequences = new Map([...(durable?.sequences() ?? [])].map(([agent, record]) => [agent, restore(record)]));
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
      // Its first copy may still be on its way to the log: acknowledge this one only once that is stored.
      return durable ? { ok: true, durable: durable.settled() } : { ok: true };
    }
    if (verdict.kind === 'restart') {
      log.warn(
        { agent: batch.agent, site: batch.site, seq: batch.seq, previousSeq: verdict.previousMax },
        'agent sequence started again; counting from here',
      );
    }

    // toChunk sets every line's `site` tag to the batch's site: an agent cannot file data under another school.
    const chunk = toChunk(batch.samples, batch.site);
    if (!durable) {
      // A throw here propagates (the message must not be acknowledged) and leaves the seq unrecorded.
      writer.write(chunk);
      recordSeq(batch, sequence, verdict);
      count(batch.agent, batch.samples.length);
      onAccepted?.(batch);
      return { ok: true };
    }
    // Recorded now, so a redelivery arriving before the commit is a duplicate (which waits for it, above).
    const record = recordSeq(batch, sequence, verdict).save();
    const committed = durable.append({ agent: batch.agent, seq: batch.seq, points: chunk.points, text: chunk.text }, record).then(
      () => {
        count(batch.agent, batch.samples.length);
        onAccepted?.(batch);
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

  function count(agent: string, samples: number): void {
    totals.acceptedBatches += 1;
    totals.acceptedSamples += samples;
    const agentStats = perAgent.get(agent) ?? { acceptedBatches: 0, acceptedSamples: 0, lastAcceptedAt: 0 };
    agentStats.acceptedBatches += 1;
    agentStats.acceptedSamples += samples;
    agentStats.lastAcceptedAt = now();
    perAgent.set(agent, agentStats);
  }

  return {
    async handle(topic, payload, identity) {
      const room = writer.room?.() ?? durable?.room();
      if (room !== undefined) await room;
      await turn();
      const outcome = accept(topic, payload, identity);
      if (outcome.ok) return outcome.durable;
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
