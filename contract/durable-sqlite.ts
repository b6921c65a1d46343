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

/**
 * Runs `forget` as one transaction committed without an fsync (synchronous=NORMAL for that commit only):
 * for deletions whose loss in a power cut costs nothing but a resend, such as batches already acknowledged
 * or entries InfluxDB already has. WAL mode keeps the file consistent either way (a torn tail of the WAL
 * is discarded on open), and the next synchronous=FULL commit fsyncs the WAL with this one in it.
 */
export function commitWithoutFsync<T>(db: Database.Database, forget: () => T): T {
  db.pragma('synchronous = NORMAL');
  try {
    return db.transaction(forget)();
  } finally {
    db.pragma('synchronous = FULL');
  }
}
