import type Database from 'better-sqlite3';
import { openDurableDatabase } from '../../contract/durable-sqlite.ts';
import type { Delivery } from './dispatch.ts';
import type { Notification, Recipient } from './notification.ts';

/**
 * Every delivery the pipeline asked for, and every attempt at it. A row is written (and fsynced) before
 * enqueue returns, so a collector restart resumes where it stopped; the unique key drops a delivery the
 * pipeline asks for twice. Rows are kept after they settle: they are the record of who was told what, when.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  notification TEXT NOT NULL,
  alert TEXT NOT NULL,
  kind TEXT NOT NULL,
  site TEXT NOT NULL,
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,
  recipient_name TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  enqueued_at INTEGER NOT NULL,
  next_at INTEGER NOT NULL,
  settled_at INTEGER,
  last_reason TEXT,
  UNIQUE (notification, channel, recipient)
) STRICT;
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_at);
CREATE INDEX IF NOT EXISTS deliveries_alert ON deliveries (alert, channel, recipient, state);
CREATE TABLE IF NOT EXISTS attempts (
  delivery INTEGER NOT NULL REFERENCES deliveries (id),
  at INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
  reason TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS attempts_delivery ON attempts (delivery);
`;

/**
 * Messages about one alert reach one recipient over one channel in the order they were enqueued: a delivery
 * waits while an earlier one for the same alert, channel and recipient is still pending (in backoff or in
 * flight). Otherwise a "resolved" could arrive before the "firing" it resolves, when the firing was refused once.
 */
const IN_TURN = `NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.alert = d.alert AND e.channel = d.channel AND e.recipient = d.recipient AND e.state = 'pending' AND e.id < d.id)`;

/** Deliveries in flight (ids) and channels with no room for another send (names), as JSON arrays. */
const NOT_SKIPPED = `d.id NOT IN (SELECT value FROM json_each(?)) AND d.channel NOT IN (SELECT value FROM json_each(?))`;

/** What the dispatcher is busy with: these deliveries are in flight, these channels have no room for more. */
export interface Busy {
  ids: Iterable<number>;
  channels: Iterable<string>;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';
export type AttemptOutcome = 'delivered' | 'retry' | 'failed';

/** A delivery waiting to be tried. */
export interface DueDelivery {
  id: number;
  channel: string;
  attempts: number;
  enqueuedAt: number;
  notification: Notification;
  to: Recipient;
}

/** One row of the record: who was (or was to be) told what, over which channel, and how it went. */
export interface DeliveryRecord {
  id: number;
  notificationId: string;
  alertId: string;
  kind: Notification['kind'];
  site: string;
  channel: string;
  recipient: string;
  recipientName: string;
  state: DeliveryState;
  attempts: number;
  enqueuedAt: number;
  nextAt: number;
  settledAt: number | null;
  lastReason: string | null;
  tries: { at: number; durationMs: number; outcome: AttemptOutcome; reason: string | null }[];
}

export interface HistoryFilter {
  alertId?: string;
  site?: string;
  /** Deliveries enqueued at or after this time. */
  since?: number;
  state?: DeliveryState;
  limit?: number;
}

interface Row {
  id: number;
  notification: string;
  alert: string;
  kind: string;
  site: string;
  channel: string;
  recipient: string;
  recipient_name: string;
  payload: string;
  state: string;
  attempts: number;
  enqueued_at: number;
  next_at: number;
  settled_at: number | null;
  last_reason: string | null;
}

export class Outbox {
  private readonly db: Database.Database;
  private readonly q;

  constructor(readonly file: string) {
    const db = (this.db = openDurableDatabase(file, SCHEMA));
    this.q = {
      insert: db.prepare(
        `INSERT INTO deliveries (notification, alert, kind, site, channel, recipient, recipient_name, payload, state, enqueued_at, next_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING`,
      ),
      due: db.prepare<[number, string, string, number], Row>(
        `SELECT * FROM deliveries d WHERE state = 'pending' AND next_at <= ? AND ${NOT_SKIPPED} AND ${IN_TURN} ORDER BY next_at, id LIMIT ?`,
      ),
      upcoming: db.prepare<[string, string], { next_at: number }>(
        `SELECT next_at FROM deliveries d WHERE state = 'pending' AND ${NOT_SKIPPED} AND ${IN_TURN} ORDER BY next_at, id LIMIT 1`,
      ),
      settle: db.prepare("UPDATE deliveries SET state = ?, attempts = attempts + 1, settled_at = ?, last_reason = ? WHERE id = ?"),
      retry: db.prepare("UPDATE deliveries SET attempts = attempts + 1, next_at = ?, last_reason = ? WHERE id = ?"),
      attempt: db.prepare('INSERT INTO attempts (delivery, at, duration_ms, outcome, reason) VALUES (?, ?, ?, ?, ?)'),
      pruneAttempts: db.prepare("DELETE FROM attempts WHERE delivery IN (SELECT id FROM deliveries WHERE state != 'pending' AND settled_at < ?)"),
      pruneDeliveries: db.prepare("DELETE FROM deliveries WHERE state != 'pending' AND settled_at < ?"),
      counts: db.prepare<[], { state: string; n: number }>('SELECT state, count(*) AS n FROM deliveries GROUP BY state'),
      tries: db.prepare<[number], { at: number; duration_ms: number; outcome: string; reason: string | null }>(
        'SELECT at, duration_ms, outcome, reason FROM attempts WHERE delivery = ? ORDER BY rowid',
      ),
    };
  }

  /** Stores the deliveries not stored yet, in one fsynced transaction; returns how many were new. */
  add(deliveries: readonly { delivery: Delivery; recipientKey: string }[], now: number): number {
    return this.db.transaction(() => {
      let added = 0;
      for (const { delivery: d, recipientKey } of deliveries) {
        const n = d.notification;
        const payload = JSON.stringify({ notification: n, to: d.to });
        added += this.q.insert.run(n.id, n.alertId, n.kind, n.site.id, d.channel, recipientKey, d.to.name, payload, now, now).changes;
      }
      return added;
    })();
  }

  /** Pending deliveries whose time has come, oldest first. */
  due(now: number, busy: Busy, limit: number): DueDelivery[] {
    return this.q.due.all(now, JSON.stringify([...busy.ids]), JSON.stringify([...busy.channels]), limit).map((r) => {
      const { notification, to } = JSON.parse(r.payload) as { notification: Notification; to: Recipient };
      return { id: r.id, channel: r.channel, attempts: r.attempts, enqueuedAt: r.enqueued_at, notification, to };
    });
  }

  /** When the earliest pending delivery that is not busy is due, if any. */
  nextDue(busy: Busy): number | undefined {
    return this.q.upcoming.get(JSON.stringify([...busy.ids]), JSON.stringify([...busy.channels]))?.next_at;
  }

  /** Records one attempt and its consequence on the delivery, in one transaction. */
  record(id: number, at: number, durationMs: number, outcome: AttemptOutcome, reason: string | null, nextAt?: number): void {
    this.db.transaction(() => {
      this.q.attempt.run(id, at, durationMs, outcome, reason);
      if (outcome === 'retry') this.q.retry.run(nextAt ?? at, reason, id);
      else this.q.settle.run(outcome, at + durationMs, reason, id);
    })();
  }

  /** Forgets settled deliveries (and their attempts) settled before `before`; returns how many. */
  prune(before: number): number {
    return this.db.transaction(() => {
      this.q.pruneAttempts.run(before);
      return this.q.pruneDeliveries.run(before).changes;
    })();
  }

  counts(): Record<DeliveryState, number> {
    const out = { pending: 0, delivered: 0, failed: 0 };
    for (const r of this.q.counts.all()) out[r.state as DeliveryState] = r.n;
    return out;
  }

  history(filter: HistoryFilter = {}): DeliveryRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.alertId !== undefined) (where.push('alert = ?'), args.push(filter.alertId));
    if (filter.site !== undefined) (where.push('site = ?'), args.push(filter.site));
    if (filter.since !== undefined) (where.push('enqueued_at >= ?'), args.push(filter.since));
    if (filter.state !== undefined) (where.push('state = ?'), args.push(filter.state));
    const sql = `SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
    const rows = this.db.prepare<(string | number)[], Row>(sql).all(...args, filter.limit ?? 10_000);
    return rows.map((r) => ({
      id: r.id,
      notificationId: r.notification,
      alertId: r.alert,
      kind: r.kind as Notification['kind'],
      site: r.site,
      channel: r.channel,
      recipient: r.recipient,
      recipientName: r.recipient_name,
      state: r.state as DeliveryState,
      attempts: r.attempts,
      enqueuedAt: r.enqueued_at,
      nextAt: r.next_at,
      settledAt: r.settled_at,
      lastReason: r.last_reason,
      tries: this.q.tries.all(r.id).map((t) => ({ at: t.at, durationMs: t.duration_ms, outcome: t.outcome as AttemptOutcome, reason: t.reason })),
    }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
