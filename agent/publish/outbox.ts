import { WIRE_VERSION, type AgentStatus, type Logger, type Sample } from '../../contract/index.ts';
import type { Clock } from '../../contract/clock.ts';
import type { Spool, SpoolDrop, SpooledBatch } from '../spool/spool.ts';

/** Publishes one encoded batch at QoS 1; `done` without an error means the broker's PUBACK came. */
export type PublishBatch = (payload: Buffer, done: (err?: Error) => void) => void;

export interface OutboxOptions {
  agent: string;
  site: string;
  spool: Spool;
  clock: Clock;
  log: Logger;
  publish: PublishBatch;
  /** Batches published and not yet acknowledged, at most. */
  maxInFlight: number;
  /** Called after the bounds dropped batches, e.g. to refresh the retained status. */
  onDrop?(): void;
}

export interface OutboxStats {
  /** Publishes, resends included. */
  batchesSent: number;
  /** Publishes of a batch already sent once by this process (no PUBACK came before a disconnect). */
  batchesResent: number;
  batchesAcked: number;
  samplesAcked: number;
  /** Batches the spool could not store (a disk error): their samples are lost, and counted here. */
  spoolErrors: number;
  samplesNotSpooled: number;
}

/**
 * Samples out through the spool (invariant 1). A batch is stored, numbered, before it is published, and
 * removed on PUBACK. While connected, the oldest stored batches are kept in flight, at most
 * `maxInFlight` at a time, strictly oldest first: after an outage the backlog goes first, and a new
 * batch waits behind it (it is stored, so nothing is lost; it arrives when the backlog ahead of it has).
 * A disconnect puts everything in flight back: it is sent again, from the spool, after the reconnect.
 */
export class Outbox {
  readonly stats: OutboxStats = { batchesSent: 0, batchesResent: 0, batchesAcked: 0, samplesAcked: 0, spoolErrors: 0, samplesNotSpooled: 0 };
  private readonly inFlight = new Set<number>();
  private online = false;
  private sending = true;
  private closed = false;
  /** Bumped on each disconnect, so a late callback from an old connection changes nothing in flight. */
  private connection = 0;
  /** Highest seq handed to the broker on this connection; the next ones come after it. */
  private cursor = -1;
  private highestSent = -1;

  constructor(private readonly o: OutboxOptions) {}

  add(samples: Sample[]): void {
    if (samples.length === 0 || this.closed) return;
    const { agent, site } = this.o;
    let dropped: SpoolDrop[];
    try {
      ({ dropped } = this.o.spool.append({ v: WIRE_VERSION, agent, site, sentAt: this.o.clock.now(), samples }, this.cursor));
    } catch (err) {
      this.stats.spoolErrors++;
      this.stats.samplesNotSpooled += samples.length;
      this.o.log.error({ err: (err as Error).message, samples: samples.length }, 'spool write failed; batch lost');
      return;
    }
    for (const drop of dropped) {
      const { reason, batches, samples: lost, fromSeq, toSeq } = drop;
      this.o.log.warn({ reason, batches, samples: lost, fromSeq, toSeq }, 'spool bound reached: oldest batches dropped');
    }
    if (dropped.length > 0) this.o.onDrop?.();
    this.pump();
  }

  /** The link is up: start (again) from the oldest stored batch. */
  connected(): void {
    this.online = this.sending;
    this.pump();
  }

  disconnected(): void {
    this.online = false;
    this.connection++;
    this.inFlight.clear();
    this.cursor = -1;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** For the retained status: what waits, and what the bounds cost so far. */
  spoolStatus(): NonNullable<AgentStatus['spool']> {
    const s = this.o.spool.stats();
    return {
      batches: s.batches,
      samples: s.samples,
      bytes: s.bytes,
      ...(s.oldestAt !== undefined ? { oldestAt: s.oldestAt } : {}),
      droppedBatches: s.droppedBatches,
      droppedSamples: s.droppedSamples,
    };
  }

  /** Sends nothing more; PUBACKs still due (the link's goodbye waits for them) are recorded until close(). */
  stopSending(): void {
    this.sending = false;
    this.disconnected();
  }

  /** What is stored stays for the next start. */
  close(): void {
    this.stopSending();
    this.closed = true;
  }

  private pump(): void {
    if (!this.online || this.closed) return;
    const room = this.o.maxInFlight - this.inFlight.size;
    if (room <= 0) return;
    for (const batch of this.o.spool.next(room, this.cursor)) {
      this.cursor = batch.seq;
      this.send(batch);
    }
  }

  private send(batch: SpooledBatch): void {
    const connection = this.connection;
    this.inFlight.add(batch.seq);
    this.stats.batchesSent++;
    if (batch.seq <= this.highestSent) this.stats.batchesResent++;
    this.highestSent = Math.max(this.highestSent, batch.seq);
    this.o.publish(batch.payload, (err) => {
      if (this.closed) return;
      const current = connection === this.connection;
      if (current) this.inFlight.delete(batch.seq);
      if (err) {
        // mqtt.js fails a publish only when the connection goes; the batch stays stored and is resent.
        this.o.log.warn({ seq: batch.seq, err: err.message }, 'samples batch not acknowledged; resent after reconnect');
        return;
      }
      // Whichever connection it was, the broker has it now. A second PUBACK (it was resent) counts once.
      if (this.o.spool.ack(batch.seq)) {
        this.stats.batchesAcked++;
        this.stats.samplesAcked += batch.samples;
      }
      if (current) this.pump();
    });
  }
}
