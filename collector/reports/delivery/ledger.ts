import type Database from 'better-sqlite3';
import { openDurableDatabase } from '../../../contract/durable-sqlite.ts';

/**
 * Which monthly reports went out, in SQLite beside the collector's other state. A report is claimed,
 * (site, month) atomically, before it is sent, so a restart or a second collector on the same file never
 * sends it twice: at most once. A send that fails with an answer from the mail server is retried; a claim
 * left `sending` by a collector that died mid-send is marked `interrupted` and reported, not re-sent,
 * since the mail may have gone.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS report_deliveries (
  site TEXT NOT NULL,
  month TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('sending', 'retry', 'sent', 'failed', 'interrupted')),
  attempts INTEGER NOT NULL,
  claimed_by TEXT NOT NULL,
  claimed_at INTEGER NOT NULL,
  next_attempt_at INTEGER,
  last_error TEXT,
  sent_at INTEGER,
  message_id TEXT,
  PRIMARY KEY (site, month)
);`;

export type DeliveryState = 'sending' | 'retry' | 'sent' | 'failed' | 'interrupted';

export interface DeliveryRecord {
  site: string;
  month: string;
  state: DeliveryState;
  attempts: number;
  claimedBy: string;
  claimedAt: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  sentAt: number | null;
  messageId: string | null;
}

export interface ReportLedger {
  /** Takes (site, month) for this sender: the first attempt, or a retry that is due. The attempt number, or undefined. */
  claim(site: string, month: string, owner: string, now: number): number | undefined;
  sent(site: string, month: string, owner: string, now: number, messageId: string): void;
  /** After a failed attempt: `retry` at now + delayMs while attempts remain, else `failed`. */
  failed(site: string, month: string, owner: string, error: string, retry: { now: number; delayMs: number; maxAttempts: number }): DeliveryState;
  /** Claims still `sending` after leaseMs (their sender died mid-send) become `interrupted`; returns them. */
  interruptStale(now: number, leaseMs: number): DeliveryRecord[];
  get(site: string, month: string): DeliveryRecord | undefined;
  close(): void;
}

interface Row {
  site: string;
  month: string;
  state: DeliveryState;
  attempts: number;
  claimed_by: string;
  claimed_at: number;
  next_attempt_at: number | null;
  last_error: string | null;
  sent_at: number | null;
  message_id: string | null;
}

const record = (r: Row): DeliveryRecord => ({
  site: r.site,
  month: r.month,
  state: r.state,
  attempts: r.attempts,
  claimedBy: r.claimed_by,
  claimedAt: r.claimed_at,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  sentAt: r.sent_at,
  messageId: r.message_id,
});

export function openReportLedger(file: string): ReportLedger {
  const db: Database.Database = openDurableDatabase(file, SCHEMA);
  // Another collector may hold the write lock for a moment.
  db.pragma('busy_timeout = 5000');
  const insert = db.prepare(
    "INSERT INTO report_deliveries (site, month, state, attempts, claimed_by, claimed_at) VALUES (?, ?, 'sending', 1, ?, ?) ON CONFLICT (site, month) DO NOTHING",
  );
  const retake = db.prepare(
    "UPDATE report_deliveries SET state = 'sending', attempts = attempts + 1, claimed_by = ?, claimed_at = ?, next_attempt_at = NULL WHERE site = ? AND month = ? AND state = 'retry' AND next_attempt_at <= ?",
  );
  const select = db.prepare('SELECT * FROM report_deliveries WHERE site = ? AND month = ?');
  const claim = db.transaction((site: string, month: string, owner: string, now: number): number | undefined => {
    if (insert.run(site, month, owner, now).changes === 1) return 1;
    if (retake.run(owner, now, site, month, now).changes === 1) return (select.get(site, month) as Row).attempts;
    return undefined;
  });
  const markSent = db.prepare("UPDATE report_deliveries SET state = 'sent', sent_at = ?, message_id = ?, last_error = NULL WHERE site = ? AND month = ? AND claimed_by = ? AND state = 'sending'");
  const markFailed = db.prepare(
    "UPDATE report_deliveries SET state = CASE WHEN attempts < ? THEN 'retry' ELSE 'failed' END, next_attempt_at = CASE WHEN attempts < ? THEN ? ELSE NULL END, last_error = ? WHERE site = ? AND month = ? AND claimed_by = ? AND state = 'sending'",
  );
  const stale = db.prepare("SELECT * FROM report_deliveries WHERE state = 'sending' AND claimed_at < ?");
  const interrupt = db.prepare("UPDATE report_deliveries SET state = 'interrupted' WHERE state = 'sending' AND claimed_at < ?");
  const interruptStale = db.transaction((before: number) => {
    const rows = (stale.all(before) as Row[]).map(record);
    interrupt.run(before);
    return rows.map((r) => ({ ...r, state: 'interrupted' as const }));
  });
  return {
    claim: (site, month, owner, now) => claim.immediate(site, month, owner, now),
    sent(site, month, owner, now, messageId) {
      markSent.run(now, messageId, site, month, owner);
    },
    failed(site, month, owner, error, retry) {
      markFailed.run(retry.maxAttempts, retry.maxAttempts, retry.now + retry.delayMs, error.slice(0, 1_000), site, month, owner);
      return (select.get(site, month) as Row).state;
    },
    interruptStale: (now, leaseMs) => interruptStale.immediate(now - leaseMs),
    get(site, month) {
      const row = select.get(site, month) as Row | undefined;
      return row === undefined ? undefined : record(row);
    },
    close: () => db.close(),
  };
}
