/**
 * What the ingest did with each agent's messages, by outcome and reason: kept in memory for stats(), and
 * drained every interval into `collector_ingest` points and one log line per agent and reason (report.ts).
 * Bounded: keys are authenticated agents (the agents file) times a fixed set of reasons.
 */

/** A whole message refused: nothing of it is stored; it is acknowledged all the same (never resent). */
export type BatchRejectReason = 'topic' | 'invalid' | 'site-mismatch' | 'agent-mismatch' | 'internal';
/** One sample refused out of an otherwise valid batch; the batch's other samples are stored. */
export type SampleRejectReason = 'time-future' | 'time-past' | 'field-type' | 'key-conflict' | 'reserved-measurement' | 'series-budget' | 'unstorable';
/** Refused by the broker before the ingest saw it (collector/broker/hooks.ts), for a logged-in agent. */
export type BrokerRefusalReason = 'publish-denied' | 'subscribe-denied' | 'message-too-large' | 'packet-refused';
export const BATCH_REJECT_REASONS: readonly BatchRejectReason[] = ['topic', 'invalid', 'site-mismatch', 'agent-mismatch', 'internal'];
export const SAMPLE_REJECT_REASONS: readonly SampleRejectReason[] = ['time-future', 'time-past', 'field-type', 'key-conflict', 'reserved-measurement', 'series-budget', 'unstorable'];

export type Outcome = 'accepted' | 'rejected' | 'dropped';

export interface CounterRow {
  agent: string;
  site: string;
  outcome: Outcome;
  /** '' for accepted. */
  reason: string;
  batches: number;
  samples: number;
  /** The first rejection's detail in this interval (for the log line). */
  example?: string;
}

export class IngestCounters {
  /** Since the last drain. */
  private current = new Map<string, CounterRow>();
  /** Since start, samples rejected per reason (all agents). */
  readonly rejectedSamples: Record<SampleRejectReason, number> = Object.fromEntries(SAMPLE_REJECT_REASONS.map((r) => [r, 0])) as Record<SampleRejectReason, number>;
  /** Since start, samples rejected per agent. */
  readonly rejectedSamplesByAgent = new Map<string, number>();

  add(agent: string, site: string, outcome: Outcome, reason: string, batches: number, samples: number, detail?: string): void {
    const key = `${agent}\u0000${site}\u0000${outcome}\u0000${reason}`;
    let row = this.current.get(key);
    if (row === undefined) {
      row = { agent, site, outcome, reason, batches: 0, samples: 0 };
      if (detail !== undefined) row.example = detail.slice(0, 300);
      this.current.set(key, row);
    }
    row.batches += batches;
    row.samples += samples;
  }

  rejectSamples(agent: string, site: string, reason: SampleRejectReason, samples: number, detail: string): void {
    this.add(agent, site, 'rejected', reason, 0, samples, detail);
    this.rejectedSamples[reason] += samples;
    this.rejectedSamplesByAgent.set(agent, (this.rejectedSamplesByAgent.get(agent) ?? 0) + samples);
  }

  /** Called at each drain (the ingest starts its log rate limit again). */
  onDrain?: () => void;

  /** The rows since the last drain, and a fresh start. */
  drain(): CounterRow[] {
    const rows = [...this.current.values()];
    this.current = new Map();
    this.onDrain?.();
    return rows;
  }
}
