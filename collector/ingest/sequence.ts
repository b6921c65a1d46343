/**
 * What a batch's (agent, seq) means, given what was accepted before:
 * - `new`: not seen before; `filledGap` when it is a late arrival of a seq counted missing.
 * - `duplicate`: this seq was accepted already (a QoS 1 redelivery or a spool replay); do not write again.
 * - `restart`: a seq already used, but sent after everything accepted so far: the agent lost its counter
 *   and started again. Accepted; tracking starts over from this seq.
 * - `unknown`: below what is remembered (older than the first seq seen, or forgotten to keep memory
 *   bounded). Accepted: InfluxDB keys points by series and time, so writing it again is harmless,
 *   while dropping it could lose data.
 */
export type SeqVerdict =
  | { kind: 'new'; filledGap: boolean }
  | { kind: 'duplicate' }
  | { kind: 'restart'; previousMax: number }
  | { kind: 'unknown' };

export interface AgentSequenceCounts {
  /** Seqs skipped and not (yet) received. A late arrival takes one off. */
  missing: number;
  duplicates: number;
  restarts: number;
  unknown: number;
  /** Highest seq accepted since the last restart. */
  lastSeq: number;
}

interface SavedSequence {
  floor: number;
  contiguous: number;
  max: number;
  lastSentAt: number;
  above: number[];
  abandoned: number[];
  counts: Omit<AgentSequenceCounts, 'lastSeq'>;
}

/**
 * Per-agent record of accepted seqs with bounded memory: the highest contiguous seq, the accepted seqs
 * above it (at most `window`), and the missing seqs the contiguous mark was moved past to keep that
 * bound (also at most `window`, so a very late one can still fill its gap).
 *
 * Relies on `sentAt` being fixed when the batch is made, so a replay carries its original `sentAt`.
 */
export class AgentSequence {
  /** Seqs below this are not remembered. */
  private floor: number;
  /** Every seq in [floor, contiguous] was accepted, or is in `abandoned`. */
  private contiguous: number;
  private max: number;
  private lastSentAt: number;
  private readonly above = new Set<number>();
  /** Missing seqs below `contiguous`, oldest first. */
  private readonly abandoned = new Set<number>();
  private readonly counts: Omit<AgentSequenceCounts, 'lastSeq'> = { missing: 0, duplicates: 0, restarts: 0, unknown: 0 };

  constructor(
    first: { seq: number; sentAt: number },
    private readonly window = 1024,
  ) {
    this.floor = this.contiguous = this.max = first.seq;
    this.lastSentAt = first.sentAt;
  }

  /** What this batch would be; changes nothing, so a failed write leaves the record as it was. */
  classify(seq: number, sentAt: number): SeqVerdict {
    if (seq > this.max) return { kind: 'new', filledGap: false };
    if (seq > this.contiguous && !this.above.has(seq)) return { kind: 'new', filledGap: true };
    if (this.abandoned.has(seq)) return { kind: 'new', filledGap: true };
    // Already used (or not remembered). A newer sentAt means the agent is counting again from scratch.
    if (sentAt > this.lastSentAt) return { kind: 'restart', previousMax: this.max };
    if (seq < this.floor) return { kind: 'unknown' };
    return { kind: 'duplicate' };
  }

  /** Records a batch with the verdict `classify` gave it, once it has been handled. */
  record(seq: number, sentAt: number, verdict: SeqVerdict): void {
    switch (verdict.kind) {
      case 'new':
        if (seq > this.max) {
          this.counts.missing += seq - this.max - 1;
          this.max = seq;
          this.accept(seq);
        } else {
          this.counts.missing -= 1;
          if (!this.abandoned.delete(seq)) this.accept(seq);
        }
        break;
      case 'restart':
        this.above.clear();
        this.abandoned.clear();
        this.floor = this.contiguous = this.max = seq;
        this.counts.restarts += 1;
        break;
      case 'unknown':
        this.counts.unknown += 1;
        break;
      case 'duplicate':
        this.counts.duplicates += 1;
        return;
    }
    this.lastSentAt = Math.max(this.lastSentAt, sentAt);
  }

  /** The whole record as text, for the write-ahead log; `restore` reads it back. */
  save(): string {
    const { floor, contiguous, max, lastSentAt, counts } = this;
    return JSON.stringify({ floor, contiguous, max, lastSentAt, above: [...this.above], abandoned: [...this.abandoned], counts });
  }

  static restore(text: string, window = 1024): AgentSequence {
    const r = JSON.parse(text) as SavedSequence;
    const s = new AgentSequence({ seq: r.max, sentAt: r.lastSentAt }, window);
    s.floor = r.floor;
    s.contiguous = r.contiguous;
    for (const seq of r.above) s.above.add(seq);
    for (const seq of r.abandoned) s.abandoned.add(seq);
    Object.assign(s.counts, r.counts);
    return s;
  }

  snapshot(): AgentSequenceCounts {
    return { ...this.counts, lastSeq: this.max };
  }

  private accept(seq: number): void {
    this.above.add(seq);
    this.advance();
    while (this.above.size > this.window) {
      // Give up waiting for the oldest hole; it stays counted missing and can still arrive.
      this.contiguous += 1;
      this.abandoned.add(this.contiguous);
      this.advance();
    }
    for (const oldest of this.abandoned) {
      if (this.abandoned.size <= this.window) break;
      this.abandoned.delete(oldest);
      this.floor = oldest + 1;
    }
  }

  private advance(): void {
    while (this.above.delete(this.contiguous + 1)) this.contiguous += 1;
  }
}
