import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openAgentSpool } from './open.ts';
import { draft } from './spool-suite.ts';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'hm-open-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const config = { maxBytes: 1 << 20, maxAgeHours: 24 };

describe('openAgentSpool', () => {
  it('carries on the sequence an older agent kept in <dataDir>/sequence, then removes that file', () => {
    const d = dir();
    writeFileSync(join(d, 'sequence'), '317\n');
    const spool = openAgentSpool(d, config);
    expect(spool.append(draft(Date.UTC(2026, 0, 1))).batch.seq).toBe(317);
    spool.close();
    expect(existsSync(join(d, 'sequence'))).toBe(false);
    const again = openAgentSpool(d, config);
    expect(again.stats().nextSeq).toBe(318);
    again.close();
  });

  it('refuses a file that is not a spool, naming it, and leaves it alone', () => {
    const d = dir();
    writeFileSync(join(d, 'spool.db'), 'this is not an SQLite database, and it is longer than a header would be. '.repeat(10));
    expect(() => openAgentSpool(d, config)).toThrow(`${join(d, 'spool.db')}: cannot open the spool: file is not a database`);
    expect(existsSync(join(d, 'spool.db'))).toBe(true);
  });
});
