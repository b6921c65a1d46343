import { chmodSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Logger } from '../../contract/index.ts';
import { openDurableDatabase } from '../../contract/durable-sqlite.ts';
import type { KeyKind } from './field-types.ts';

/**
 * What the ingest learned and must not forget at a restart: the kind of every undeclared key (field-types.ts)
 * and the series each site created (series-budget.ts), with the hash seed that names them. Held in memory
 * only, a restart would give every site a fresh series budget and let a first sample fix a key's type anew,
 * against what InfluxDB already holds. One SQLite file in the data folder, 0600 like every database there.
 *
 * New entries are staged as samples are screened and committed once per message, before its points are
 * stored, so nothing stored was learned only in memory. synchronous=NORMAL: a power cut may lose the last
 * commits (a few series counted again, never a type refused that InfluxDB holds), no fsync per message.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS series (site TEXT NOT NULL, hash INTEGER NOT NULL, PRIMARY KEY (site, hash)) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS key_kinds (measurement TEXT NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (measurement, key)) STRICT, WITHOUT ROWID;
`;

export interface SeriesMemory {
  /** The hash seed, the same for the life of the file. */
  seed: number;
  /** Series known per site at start. */
  sites: Map<string, Set<number>>;
  remember(site: string, hash: number): void;
}

export interface KeyKindMemory {
  /** Kinds known at start: [measurement, key, kind]. */
  kinds: Array<[string, string, KeyKind]>;
  remember(measurement: string, key: string, kind: KeyKind): void;
}

export interface LearnedState {
  series: SeriesMemory;
  keys: KeyKindMemory;
  /** Writes what was staged since the last commit; a failure is logged, never thrown (data still flows). */
  commit(): void;
  close(): void;
}

const KINDS: ReadonlySet<string> = new Set(['number', 'string', 'boolean', 'tag']);

export function openLearnedState(file: string, log: Logger): LearnedState {
  const db: Database.Database = openDurableDatabase(file, SCHEMA);
  db.pragma('synchronous = NORMAL');
  chmodSync(file, 0o600);
  let seed = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'seed'").get()?.value;
  if (seed === undefined) {
    seed = Math.floor(Math.random() * 0x7fffffff);
    db.prepare("INSERT INTO meta (key, value) VALUES ('seed', ?)").run(seed);
  }
  const sites = new Map<string, Set<number>>();
  for (const row of db.prepare<[], { site: string; hash: number }>('SELECT site, hash FROM series').iterate()) {
    let set = sites.get(row.site);
    if (set === undefined) sites.set(row.site, (set = new Set()));
    set.add(row.hash);
  }
  const kinds: Array<[string, string, KeyKind]> = [];
  for (const row of db.prepare<[], { measurement: string; key: string; kind: string }>('SELECT measurement, key, kind FROM key_kinds').iterate()) {
    if (KINDS.has(row.kind)) kinds.push([row.measurement, row.key, row.kind as KeyKind]);
  }
  const insertSeries = db.prepare('INSERT OR IGNORE INTO series (site, hash) VALUES (?, ?)');
  const insertKind = db.prepare('INSERT OR IGNORE INTO key_kinds (measurement, key, kind) VALUES (?, ?, ?)');
  let stagedSeries: Array<[string, number]> = [];
  let stagedKinds: Array<[string, string, KeyKind]> = [];
  const write = db.transaction((series: Array<[string, number]>, keys: Array<[string, string, KeyKind]>) => {
    for (const [site, hash] of series) insertSeries.run(site, hash);
    for (const [m, k, kind] of keys) insertKind.run(m, k, kind);
  });
  let failing = false;
  return {
    series: { seed, sites, remember: (site, hash) => void stagedSeries.push([site, hash]) },
    keys: { kinds, remember: (m, k, kind) => void stagedKinds.push([m, k, kind]) },
    commit() {
      if (stagedSeries.length === 0 && stagedKinds.length === 0) return;
      const series = stagedSeries;
      const keys = stagedKinds;
      stagedSeries = [];
      stagedKinds = [];
      try {
        write(series, keys);
        failing = false;
      } catch (err) {
        // Memory still holds it: this run keeps its budgets and types; only the next start would not know.
        if (!failing) log.error({ err: (err as Error).message, file }, 'learned series and field types not saved');
        failing = true;
      }
    },
    close: () => db.close(),
  };
}
