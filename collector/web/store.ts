import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { openDurableDatabase } from '../../contract/durable-sqlite.ts';
import { maintenanceWindowSchema, type MaintenanceWindow } from '../calendar/index.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS links (
  site TEXT PRIMARY KEY,
  nonce TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notes (
  alert_id TEXT PRIMARY KEY,
  site TEXT NOT NULL,
  text TEXT NOT NULL,
  by TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS maintenance (
  id TEXT PRIMARY KEY,
  site TEXT NOT NULL,
  spec TEXT NOT NULL,
  by TEXT NOT NULL,
  at INTEGER NOT NULL
);
`;

/** Planned windows one school may have from the API at once (the YAML's own are not counted). */
export const API_WINDOWS_MAX = 100;

/** A public note is a sentence or two for the school, not a log. */
export const NOTE_MAX = 500;

/** Where the web pages keep their state: `<dataDir>/web.db` and the link key `<dataDir>/web.key`. */
export function webFiles(config: { file: string; dataDir: string }): { db: string; key: string } {
  const dir = resolve(dirname(resolve(config.file)), config.dataDir);
  return { db: join(dir, 'web.db'), key: join(dir, 'web.key') };
}

export interface LinkRecord {
  site: string;
  createdAt: number;
  revokedAt?: number;
}

export interface PublicNote {
  alertId: string;
  site: string;
  text: string;
  by: string;
  at: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** An API token as handed out: `hmapi.<16 hex id>.<43 base64url secret>` (256 random bits). */
const API_TOKEN = /^hmapi\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;
/** Compared against when the id is unknown, so an unknown id costs what a wrong secret costs. */
const NO_SECRET = sha256('no such token');

/** A planned window added through the API, with who added it and when. */
export interface ApiWindow {
  id: string;
  site: string;
  window: MaintenanceWindow;
  by: string;
  at: number;
}

/**
 * The link key: 256 random bits, made once, readable by the collector's user only. A school's link is an HMAC of
 * the site and a random nonce under it, so the database holds only the link's hash (a copy of web.db gives no
 * link), while the collector and the report mail can still print the link again.
 */
function loadKey(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length < 32) throw new Error(`${file}: expected 64 hex digits (the status link key)`);
  return key;
}

/**
 * Status links, staff logins and public notes. The collector and the CLI share the file (SQLite WAL), so a
 * link revoked from the CLI is refused by the running collector at its next request.
 */
export class WebStore {
  private readonly db: Database.Database;
  private readonly key: Buffer;

  constructor(files: { db: string; key: string }) {
    mkdirSync(dirname(files.db), { recursive: true });
    this.db = openDurableDatabase(files.db, SCHEMA);
    this.db.pragma('busy_timeout = 5000');
    this.key = loadKey(files.key);
  }

  private token(site: string, nonce: string): string {
    // 256 bits of HMAC-SHA-256 (RFC 2104), base64url: 43 characters that need no quoting in a URL.
    return createHmac('sha256', this.key).update(`hallmonitor status link v1\0${site}\0${nonce}`).digest('base64url');
  }

  /** The site's link token: made on first call; a revoked link stays revoked (undefined) until rotated. */
  ensureLink(site: string, now: number): string | undefined {
    const row = this.db.prepare('SELECT nonce, revoked_at FROM links WHERE site = ?').get(site) as { nonce: string; revoked_at: number | null } | undefined;
    if (row === undefined) return this.rotateLink(site, now);
    return row.revoked_at === null ? this.token(site, row.nonce) : undefined;
  }

  /** The site's current token without making one; undefined when there is none or it is revoked. */
  currentLink(site: string): string | undefined {
    const row = this.db.prepare('SELECT nonce FROM links WHERE site = ? AND revoked_at IS NULL').get(site) as { nonce: string } | undefined;
    return row && this.token(site, row.nonce);
  }

  /** A new token for the site; the old one stops working at once. */
  rotateLink(site: string, now: number): string {
    const nonce = randomBytes(16).toString('hex');
    const token = this.token(site, nonce);
    this.db
      .prepare(
        `INSERT INTO links (site, nonce, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, NULL)
         ON CONFLICT (site) DO UPDATE SET nonce = excluded.nonce, token_hash = excluded.token_hash, created_at = excluded.created_at, revoked_at = NULL`,
      )
      .run(site, nonce, sha256(token), now);
    return token;
  }

  /** false if the site had no link in force. */
  revokeLink(site: string, now: number): boolean {
    return this.db.prepare('UPDATE links SET revoked_at = ? WHERE site = ? AND revoked_at IS NULL').run(now, site).changes > 0;
  }

  /** The site a presented token opens, if it is in force. Looked up by its hash: the token itself is never stored. */
  siteOfToken(token: string): string | undefined {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const row = this.db.prepare('SELECT site FROM links WHERE token_hash = ? AND revoked_at IS NULL').get(sha256(token)) as { site: string } | undefined;
    return row?.site;
  }

  links(): LinkRecord[] {
    return (this.db.prepare('SELECT site, created_at, revoked_at FROM links ORDER BY site').all() as { site: string; created_at: number; revoked_at: number | null }[]).map((r) => ({
      site: r.site,
      createdAt: r.created_at,
      ...(r.revoked_at !== null ? { revokedAt: r.revoked_at } : {}),
    }));
  }

  setUser(name: string, passwordHash: string, now: number): void {
    this.db.prepare('INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash').run(name, passwordHash, now);
  }

  removeUser(name: string): boolean {
    return this.db.prepare('DELETE FROM users WHERE name = ?').run(name).changes > 0;
  }

  user(name: string): { name: string; passwordHash: string } | undefined {
    const row = this.db.prepare('SELECT name, password_hash FROM users WHERE name = ?').get(name) as { name: string; password_hash: string } | undefined;
    return row && { name: row.name, passwordHash: row.password_hash };
  }

  users(): string[] {
    return (this.db.prepare('SELECT name FROM users ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  }

  /** Sets (or with empty text, clears) the note the school sees on an incident. */
  setNote(note: PublicNote): void {
    if (note.text.trim() === '') this.db.prepare('DELETE FROM notes WHERE alert_id = ?').run(note.alertId);
    else
      this.db
        .prepare('INSERT INTO notes (alert_id, site, text, by, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (alert_id) DO UPDATE SET text = excluded.text, by = excluded.by, at = excluded.at')
        .run(note.alertId, note.site, note.text.slice(0, NOTE_MAX), note.by, note.at);
  }

  notes(site: string): Map<string, PublicNote> {
    const rows = this.db.prepare('SELECT alert_id, site, text, by, at FROM notes WHERE site = ?').all(site) as { alert_id: string; site: string; text: string; by: string; at: number }[];
    return new Map(rows.map((r) => [r.alert_id, { alertId: r.alert_id, site: r.site, text: r.text, by: r.by, at: r.at }]));
  }

  /**
   * A new API token for `name` (replacing its old one): printed once, stored as the SHA-256 of its secret. A
   * 256-bit random secret needs no key stretching (unlike a password a person chose), and a hash lookup keeps
   * every API request cheap.
   */
  addApiToken(name: string, now: number): string {
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM api_tokens WHERE name = ?').run(name);
      this.db.prepare('INSERT INTO api_tokens (id, name, secret_hash, created_at) VALUES (?, ?, ?, ?)').run(id, name, sha256(secret), now);
    })();
    return `hmapi.${id}.${secret}`;
  }

  removeApiToken(name: string): boolean {
    return this.db.prepare('DELETE FROM api_tokens WHERE name = ?').run(name).changes > 0;
  }

  apiTokens(): { name: string; createdAt: number }[] {
    return (this.db.prepare('SELECT name, created_at FROM api_tokens ORDER BY name').all() as { name: string; created_at: number }[]).map((r) => ({ name: r.name, createdAt: r.created_at }));
  }

  /** The name a presented API token belongs to; the secret's hash is compared in constant time. */
  apiTokenName(token: string): string | undefined {
    const m = API_TOKEN.exec(token);
    const row = m === null ? undefined : (this.db.prepare('SELECT name, secret_hash FROM api_tokens WHERE id = ?').get(m[1]) as { name: string; secret_hash: string } | undefined);
    const same = timingSafeEqual(Buffer.from(sha256(m?.[2] ?? ''), 'hex'), Buffer.from(row?.secret_hash ?? NO_SECRET, 'hex'));
    return same && row !== undefined ? row.name : undefined;
  }

  /** false when the site has API_WINDOWS_MAX already. */
  addWindow(w: ApiWindow): boolean {
    const count = (this.db.prepare('SELECT COUNT(*) AS n FROM maintenance WHERE site = ?').get(w.site) as { n: number }).n;
    if (count >= API_WINDOWS_MAX) return false;
    this.db.prepare('INSERT INTO maintenance (id, site, spec, by, at) VALUES (?, ?, ?, ?, ?)').run(w.id, w.site, JSON.stringify(w.window), w.by, w.at);
    return true;
  }

  removeWindow(site: string, id: string): boolean {
    return this.db.prepare('DELETE FROM maintenance WHERE site = ? AND id = ?').run(site, id).changes > 0;
  }

  /** The site's API windows, oldest first; a row that no longer parses (edited by hand) is left out. */
  windows(site: string): ApiWindow[] {
    const rows = this.db.prepare('SELECT id, site, spec, by, at FROM maintenance WHERE site = ? ORDER BY at, rowid').all(site) as { id: string; site: string; spec: string; by: string; at: number }[];
    return rows.flatMap((r) => {
      try {
        const parsed = maintenanceWindowSchema.safeParse(JSON.parse(r.spec));
        return parsed.success ? [{ id: r.id, site: r.site, window: parsed.data, by: r.by, at: r.at }] : [];
      } catch {
        return [];
      }
    });
  }

  close(): void {
    this.db.close();
  }
}

/** The school's status page address under the public URL. */
export function statusUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/s/${token}`;
}
