import Database from 'better-sqlite3';

/**
 * An SQLite file for data that must outlive a crash or a power cut: the agent's spool and the collector's
 * write-ahead log. WAL mode survives kill -9 on its own; synchronous=FULL also fsyncs each commit, so what
 * was acknowledged survives the school's or the server room's power going off.
 */
export function openDurableDatabase(file: string, schemaSql: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(schemaSql);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
