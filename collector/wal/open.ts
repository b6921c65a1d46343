import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteWal } from './sqlite.ts';

/** Opens `<dataDir>/wal.db`, creating the folder if needed. */
export function openCollectorWal(dataDir: string): SqliteWal {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'wal.db');
  try {
    return new SqliteWal(file);
  } catch (err) {
    // Not removed or recreated: it may hold acknowledged messages that are nowhere else.
    throw new Error(`${file}: cannot open the write-ahead log: ${(err as Error).message}`);
  }
}
