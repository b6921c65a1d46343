import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, ensurePrivateFile } from './private-files.ts';
import { SqliteSpool } from './sqlite.ts';
import type { SpoolLimits } from './spool.ts';

/** The agent.yaml `spool` section, as the schema gives it. */
export interface SpoolConfig {
  maxBytes: number;
  maxAgeHours: number;
}

export function spoolLimits(config: SpoolConfig): SpoolLimits {
  return { maxBytes: config.maxBytes, maxAgeMs: config.maxAgeHours * 3_600_000 };
}

/**
 * Opens `<dataDir>/spool.db`. Agents before the spool kept their sequence in `<dataDir>/sequence`; a new
 * spool carries on from it (the collector would count a reset as a restart), and the file goes once the
 * spool has its own.
 */
export function openAgentSpool(dataDir: string, config: SpoolConfig): SqliteSpool {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, 'spool.db');
  const legacy = join(dataDir, 'sequence');
  const firstSeq = existsSync(legacy) ? Number(readFileSync(legacy, 'utf8').trim()) : 0;
  if (!Number.isSafeInteger(firstSeq) || firstSeq < 0) throw new Error(`${legacy}: expected a non-negative integer`);
  let spool: SqliteSpool;
  try {
    ensurePrivateFile(file);
    spool = new SqliteSpool(file, spoolLimits(config), firstSeq);
  } catch (err) {
    // Not removed or recreated: it may hold the only copy of days of samples.
    throw new Error(`${file}: cannot open the spool: ${(err as Error).message}`);
  }
  rmSync(legacy, { force: true });
  return spool;
}
