import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteSpool } from './sqlite.ts';
import { describeSpool } from './spool-suite.ts';

describeSpool('SqliteSpool', {
  durable: true,
  make: () => {
    const dir = mkdtempSync(join(tmpdir(), 'hm-spool-'));
    return {
      open: (limits, firstSeq) => new SqliteSpool(join(dir, 'spool.db'), limits, firstSeq),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
