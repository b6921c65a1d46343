import { dirname, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { openDurableDatabase } from '../../contract/durable-sqlite.ts';
import type { Alert } from './pipeline/alert.ts';
import type { FlapHistory } from './pipeline/flap.ts';
import type { Silence } from './pipeline/mute.ts';
import type { Decision } from './pipeline/plan.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY,
  key TEXT NOT NULL,
  site TEXT NOT NULL,
  rule TEXT NOT NULL,
  device TEXT,
  state TEXT NOT NULL,
  since INTEGER NOT NULL,
  open INTEGER NOT NULL,
  data TEXT NOT NULL,
  acked_by TEXT,
  acked_at INTEGER
);
CREATE INDEX IF NOT EXISTS alerts_open ON alerts (open);
CREATE INDEX IF NOT EXISTS alerts_since ON alerts (since);
CREATE TABLE IF NOT EXISTS notifications (
  id TEXT PRIMARY KEY,
  alert_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  decided_at INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notifications_decided ON notifications (decided_at);
CREATE TABLE IF NOT EXISTS acknowledgements (
  alert_id TEXT NOT NULL,
  by TEXT NOT NULL,
  at INTEGER NOT NULL,
  via TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS flap (
  key TEXT PRIMARY KEY,
  active INTEGER NOT NULL,
  changes TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS silences (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  site TEXT,
  device TEXT,
  rule TEXT,
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL,
  by TEXT NOT NULL,
  comment TEXT,
  created_at INTEGER NOT NULL
);
`;

/** Where the alert engine keeps its state: `<dataDir>/alerts.db`, beside the write-ahead log. */
export function alertsDbFile(config: { file: string; dataDir: string }): string {
  return resolve(dirname(resolve(config.file)), config.dataDir, 'alerts.db');
}

export type AcknowledgeResult = 'acknowledged' | 'already' | 'unknown' | 'resolved';

interface AlertRow {
  data: string;
  acked_by: string | null;
  acked_at: number | null;
}

interface SilenceRow {
  id: number;
  site: string | null;
  device: string | null;
  rule: string | null;
  starts_at: number;
  ends_at: number;
  by: string;
  comment: string | null;
}

const toAlert = (row: AlertRow): Alert => {
  const alert = JSON.parse(row.data) as Alert;
  delete alert.ackedBy;
  delete alert.ackedAt;
  return row.acked_at !== null ? { ...alert, ackedBy: row.acked_by!, ackedAt: row.acked_at } : alert;
};

const toSilence = (r: SilenceRow): Silence => ({
  id: r.id,
  ...(r.site !== null ? { site: r.site } : {}),
  ...(r.device !== null ? { device: r.device } : {}),
  ...(r.rule !== null ? { rule: r.rule } : {}),
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  by: r.by,
  ...(r.comment !== null ? { comment: r.comment } : {}),
});

/**
 * The alert engine's memory (`<dataDir>/alerts.db`): alerts, the messages decided, acknowledgements and
 * silences. The engine and the CLI share the file (SQLite WAL lets them): an acknowledgement is written in
 * its own columns, which the engine's saves never touch, so neither overwrites the other.
 */
export class AlertStore {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly decide: Database.Statement;

  constructor(file: string) {
    this.db = openDurableDatabase(file, SCHEMA);
    this.db.pragma('busy_timeout = 5000');
    this.upsert = this.db.prepare(
      `INSERT INTO alerts (id, key, site, rule, device, state, since, open, data) VALUES (@id, @key, @site, @rule, @device, @state, @since, @open, @data)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, open = excluded.open, data = excluded.data`,
    );
    this.remove = this.db.prepare('DELETE FROM alerts WHERE id = ?');
    this.decide = this.db.prepare('INSERT OR IGNORE INTO notifications (id, alert_id, kind, decided_at, data) VALUES (?, ?, ?, ?, ?)');
  }

  /** Alerts still open or owing their resolved message: the engine's working set after a restart. */
  working(): Alert[] {
    return (this.db.prepare('SELECT data, acked_by, acked_at FROM alerts WHERE open = 1').all() as AlertRow[]).map(toAlert);
  }

  /** One step's outcome, in one transaction: the alerts as they are now and the messages decided. */
  record(o: {
    alerts: readonly Alert[];
    dropped: readonly Alert[];
    decisions: readonly Decision[];
    open(a: Alert): boolean;
    now: number;
    flap?: { history: FlapHistory; changed: readonly string[] };
  }): void {
    this.db.transaction(() => {
      for (const key of o.flap?.changed ?? []) {
        const entry = o.flap!.history.get(key);
        if (entry === undefined) this.db.prepare('DELETE FROM flap WHERE key = ?').run(key);
        // `changes` holds { changes, flapping }; a file from before flapping was kept holds the bare array.
        else this.db.prepare('INSERT OR REPLACE INTO flap (key, active, changes) VALUES (?, ?, ?)').run(key, entry.active ? 1 : 0, JSON.stringify({ changes: entry.changes, flapping: entry.flapping }));
      }
      for (const a of o.alerts) {
        const { ackedBy: _b, ackedAt: _a, ...rest } = a;
        this.upsert.run({ id: a.id, key: a.key, site: a.site, rule: a.rule, device: a.device ?? null, state: a.state, since: a.since, open: o.open(a) ? 1 : 0, data: JSON.stringify(rest) });
      }
      for (const a of o.dropped) this.remove.run(a.id);
      for (const d of o.decisions) this.decide.run(d.notification.id, d.notification.alertId, d.notification.kind, o.now, JSON.stringify(d));
    })();
  }

  /** Flap damping's memory, so a restart in the middle of a flapping device does not page again. */
  flapHistory(): FlapHistory {
    const rows = this.db.prepare('SELECT key, active, changes FROM flap').all() as { key: string; active: number; changes: string }[];
    return new Map(
      rows.map((r) => {
        const saved = JSON.parse(r.changes) as number[] | { changes: number[]; flapping: boolean };
        return [r.key, Array.isArray(saved) ? { active: r.active === 1, changes: saved, flapping: false } : { active: r.active === 1, ...saved }];
      }),
    );
  }

  /** Messages decided since `from`, oldest first (handed to the dispatcher again after a restart; it drops repeats). */
  decisionsSince(from: number): Decision[] {
    return (this.db.prepare('SELECT data FROM notifications WHERE decided_at >= ? ORDER BY decided_at, rowid').all(from) as { data: string }[]).map(
      (r) => JSON.parse(r.data) as Decision,
    );
  }

  notifications(alertId: string): Decision[] {
    return (this.db.prepare('SELECT data FROM notifications WHERE alert_id = ? ORDER BY decided_at, rowid').all(alertId) as { data: string }[]).map(
      (r) => JSON.parse(r.data) as Decision,
    );
  }

  get(id: string): Alert | undefined {
    const row = this.db.prepare('SELECT data, acked_by, acked_at FROM alerts WHERE id = ?').get(id) as AlertRow | undefined;
    return row && toAlert(row);
  }

  /** Alerts, newest first: the open ones, or (all) every one since `from`. */
  list(o: { all?: boolean; from?: number } = {}): Alert[] {
    const rows = o.all
      ? this.db.prepare('SELECT data, acked_by, acked_at FROM alerts WHERE since >= ? ORDER BY since DESC').all(o.from ?? 0)
      : this.db.prepare('SELECT data, acked_by, acked_at FROM alerts WHERE open = 1 ORDER BY since DESC').all();
    return (rows as AlertRow[]).map(toAlert);
  }

  /** Records who acknowledged, once; the engine stops repeating and escalating it. */
  acknowledge(id: string, by: string, at: number, via: string): AcknowledgeResult {
    return this.db.transaction((): AcknowledgeResult => {
      const row = this.db.prepare('SELECT state, acked_at FROM alerts WHERE id = ?').get(id) as { state: string; acked_at: number | null } | undefined;
      if (row === undefined) return 'unknown';
      if (row.acked_at !== null) return 'already';
      if (row.state === 'resolved') return 'resolved';
      this.db.prepare('UPDATE alerts SET acked_by = ?, acked_at = ? WHERE id = ?').run(by, at, id);
      this.db.prepare('INSERT INTO acknowledgements (alert_id, by, at, via) VALUES (?, ?, ?, ?)').run(id, by, at, via);
      return 'acknowledged';
    })();
  }

  addSilence(s: Omit<Silence, 'id'>, now: number): Silence {
    const result = this.db
      .prepare('INSERT INTO silences (site, device, rule, starts_at, ends_at, by, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.site ?? null, s.device ?? null, s.rule ?? null, s.startsAt, s.endsAt, s.by, s.comment ?? null, now);
    return { ...s, id: Number(result.lastInsertRowid) };
  }

  /** Ends a silence now; false if there is none with that id still in force. */
  endSilence(id: number, now: number): boolean {
    return this.db.prepare('UPDATE silences SET ends_at = ? WHERE id = ? AND ends_at > ?').run(now, id, now).changes > 0;
  }

  /** Silences in force at `now` or starting later. */
  silences(now: number): Silence[] {
    return (this.db.prepare('SELECT * FROM silences WHERE ends_at > ? ORDER BY starts_at').all(now) as SilenceRow[]).map(toSilence);
  }

  close(): void {
    this.db.close();
  }
}
