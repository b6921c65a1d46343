import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteWal } from './sqlite.ts';
import { describeWal } from './wal-suite.ts';

describeWal('SqliteWal', {
  durable: true,
  make: () => {
    const dir = mkdtempSync(join(tmpdir(), 'hm-wal-'));
    return { open: () => new SqliteWal(join(dir, 'wal.db')), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  },
});
