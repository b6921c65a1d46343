import type { Logger } from '../../contract/index.ts';
import { type Clock, systemClock } from '../../contract/clock.ts';
import { backoffDelay } from '../storage/backoff.ts';
import type { AckLinks } from './ack/link.ts';
import type { RetryConfig } from './config.ts';
import type { Delivery, Dispatcher } from './dispatch.ts';
import type { Channel, DeliveryResult, Notification, Recipient } from './notification.ts';
import { Outbox, type Busy, type DeliveryRecord, type DeliveryState, type DueDelivery, type HistoryFilter } from './outbox.ts';

export interface RetryPolicy {
  /** First retry after about this long (equal jitter: between half and all of it)... */
  initialMs: number;
  /** ...doubling up to this... */
  maxMs: number;
  /** ...until the delivery is this old; then it is recorded as failed. */
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 30_000, maxMs: 1_800_000, giveUpAfterMs: 86_400_000 };

/** collector.yaml `notify.retry` (seconds, hours, as people write them) as a policy in milliseconds. */
export function retryPolicy(config: RetryConfig): RetryPolicy {
  return { initialMs: Math.round(config.initialSeconds * 1000), maxMs: Math.round(config.maxSeconds * 1000), giveUpAfterMs: Math.round(config.giveUpHours * 3_600_000) };
}

export interface DispatcherOptions {
  /** The outbox, e.g. `<dataDir>/notify.db`; created when missing. */
  file: string;
  /** The channels of collector.yaml `notify.channels`, by id. */
  channels: ReadonlyMap<string, Channel>;
  log: Logger;
  retry?: RetryPolicy;
  /** Sends in flight at once, over all channels (default 8)... */
  concurrency?: number;
  /** ...and to one channel (default 2), so a webhook that hangs until its timeout does not hold up email. */
  perChannel?: number;
  clock?: Clock;
  random?: () => number;
  /**
   * When given, a firing, reminder or escalation without an `acknowledgeUrl` gets one at send time: signed
   * for its recipient on email and webhook channels, without a contact on Teams and Slack (a shared channel,
   * where the confirm page asks for a name). Made at each attempt, so a retried message carries a fresh expiry.
   */
  links?: AckLinks;
  /** How long the record of a settled delivery is kept (default 400 days: a year of "who was told what"). */
  keepMs?: number;
}

export interface DispatcherStats extends Record<DeliveryState, number> {
  /** Since this process started: attempts that failed and will be tried again. */
  retries: number;
}

const DAY_MS = 86_400_000;

/** Longest a timer is set for; the outbox is looked at again then (setTimeout holds at most ~24.8 days). */
const MAX_TIMER_MS = 3_600_000;

/**
 * Teams and Slack post to one fixed place whoever the message is for, so one post per notification is
 * enough; email and webhook deliveries are per recipient.
 */
function recipientKey(channel: Channel | undefined, to: Recipient): string {
  if (channel?.type === 'teams' || channel?.type === 'slack') return '*';
  return to.email?.toLowerCase() ?? `name:${to.name}`;
}

/**
 * The notify stage: a durable outbox in SQLite, tried oldest first with exponential backoff and jitter,
 * every attempt recorded. A delivery counts as sent once the channel said ok; a collector killed during a
 * send tries that one again on restart (at least once: receivers can drop a repeat by notification id, and
 * an email keeps one Message-ID). A graceful close waits for sends in flight, so it never repeats one.
 */
export class OutboxDispatcher implements Dispatcher {
  private readonly outbox: Outbox;
  private readonly channels: ReadonlyMap<string, Channel>;
  private readonly log: Logger;
  private readonly retry: RetryPolicy;
  private readonly concurrency: number;
  private readonly perChannel: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly links: AckLinks | undefined;
  private readonly keepMs: number;
  private prunedAt = Number.NEGATIVE_INFINITY;
  private readonly inFlight = new Map<number, { channel: string; done: Promise<void> }>();
  private timer: unknown;
  private started = false;
  private closed = false;
  private retries = 0;

  constructor(options: DispatcherOptions) {
    this.outbox = new Outbox(options.file);
    this.channels = options.channels;
    this.log = options.log;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.concurrency = options.concurrency ?? 8;
    this.perChannel = options.perChannel ?? 2;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.links = options.links;
    this.keepMs = options.keepMs ?? 400 * DAY_MS;
  }

  /** Durable when it returns; a delivery already in the outbox (same notification, channel, recipient) is ignored. */
  enqueue(deliveries: readonly Delivery[]): void {
    if (this.closed) throw new Error('notify dispatcher: enqueue after close');
    if (deliveries.length === 0) return;
    const added = this.outbox.add(
      deliveries.map((d) => ({ delivery: d, recipientKey: recipientKey(this.channels.get(d.channel), d.to) })),
      this.clock.now(),
    );
    if (added < deliveries.length) this.log.debug({ added, duplicates: deliveries.length - added }, 'notify: deliveries already in the outbox ignored');
    this.pump();
  }

  /** Begins sending what is due, including what a previous run left in the outbox. */
  start(): void {
    if (this.closed) throw new Error('notify dispatcher: start after close');
    this.started = true;
    const pending = this.outbox.counts().pending;
    if (pending > 0) this.log.info({ pending }, 'notify: resuming deliveries left in the outbox');
    this.pump();
  }

  /** Stops taking new work, waits for sends in flight, closes the outbox. Channels are closed by their owner. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle();
    this.outbox.close();
  }

  /** Resolves when no send is in flight (what is due now has been tried once more). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()].map((f) => f.done));
  }

  stats(): DispatcherStats {
    return { ...this.outbox.counts(), retries: this.retries };
  }

  /** The record of deliveries and their attempts: who was notified of what, when. */
  history(filter?: HistoryFilter): DeliveryRecord[] {
    return this.outbox.history(filter);
  }

  private pump(): void {
    if (!this.started || this.closed) return;
    const now = this.clock.now();
    if (now - this.prunedAt >= DAY_MS) {
      this.prunedAt = now;
      const pruned = this.outbox.prune(now - this.keepMs);
      if (pruned > 0) this.log.info({ pruned }, 'notify: old delivery records removed');
    }
    const room = this.concurrency - this.inFlight.size;
    if (room > 0) {
      // Fetch a few more than there is room for: some may belong to a channel that fills up on the way.
      for (const d of this.outbox.due(now, this.busy(), room * 4)) {
        if (this.inFlight.size >= this.concurrency) break;
        if (this.inChannel(d.channel) >= this.perChannel) continue;
        const done = this.attempt(d).finally(() => {
          this.inFlight.delete(d.id);
          this.pump();
        });
        this.inFlight.set(d.id, { channel: d.channel, done });
      }
    }
    this.schedule(now);
  }

  private inChannel(channel: string): number {
    let n = 0;
    for (const f of this.inFlight.values()) if (f.channel === channel) n += 1;
    return n;
  }

  /** In flight, and channels without room: a finishing send pumps again, so the timer need not wait for them. */
  private busy(): Busy {
    const channels = new Set([...this.inFlight.values()].map((f) => f.channel).filter((c) => this.inChannel(c) >= this.perChannel));
    return { ids: this.inFlight.keys(), channels };
  }

  private schedule(now: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight.size >= this.concurrency) return; // a finishing send pumps again
    const next = this.outbox.nextDue(this.busy());
    if (next === undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.min(MAX_TIMER_MS, Math.max(0, next - now)));
  }

  private withLink(n: Notification, channel: Channel, to: Recipient): Notification {
    if (this.links === undefined || n.kind === 'resolved' || n.acknowledgeUrl !== undefined) return n;
    const shared = channel.type === 'teams' || channel.type === 'slack';
    return { ...n, acknowledgeUrl: this.links.url(n.alertId, shared ? undefined : to.name) };
  }

  private async attempt(d: DueDelivery): Promise<void> {
    const channel = this.channels.get(d.channel);
    const started = this.clock.now();
    let result: DeliveryResult;
    if (channel === undefined) {
      result = { ok: false, retryable: false, reason: `no channel "${d.channel}" in collector.yaml notify.channels` };
    } else {
      try {
        result = await channel.send(this.withLink(d.notification, channel, d.to), d.to);
      } catch (err) {
        // Channels answer failures as results; a throw is a bug, and its message may hold anything.
        result = { ok: false, retryable: true, reason: `channel ${d.channel} threw ${err instanceof Error ? err.name : typeof err}` };
      }
    }
    const now = this.clock.now();
    const duration = Math.max(0, now - started);
    const where = { channel: d.channel, notification: d.notification.id, alert: d.notification.alertId, site: d.notification.site.id, to: d.to.name, attempt: d.attempts + 1 };
    if (result.ok) {
      this.outbox.record(d.id, started, duration, 'delivered', null);
      this.log.info(where, 'notify: delivered');
      return;
    }
    const backoff = backoffDelay(d.attempts, { initialMs: this.retry.initialMs, maxMs: this.retry.maxMs }, this.random);
    const delay = Math.max(backoff, Math.min(result.retryAfterMs ?? 0, this.retry.maxMs));
    if (result.retryable && now + delay - d.enqueuedAt <= this.retry.giveUpAfterMs) {
      this.retries += 1;
      this.outbox.record(d.id, started, duration, 'retry', result.reason, now + delay);
      this.log.warn({ ...where, reason: result.reason, retryInMs: delay }, 'notify: delivery failed, will retry');
      return;
    }
    const reason = result.retryable ? `gave up after ${d.attempts + 1} attempts: ${result.reason}` : result.reason;
    this.outbox.record(d.id, started, duration, 'failed', reason);
    this.log.error({ ...where, reason }, 'notify: delivery failed for good');
  }
}
