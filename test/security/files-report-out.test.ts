import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../collector/reports/outputs.ts';
import { makeTempDir } from '../harness/index.ts';

/**
 * Issue 11 item 12: `report --out` followed a symlink planted in the output folder, so whoever could write
 * that folder could make the collector's user overwrite any file it can write.
 */
const dir = makeTempDir('report-out');
afterAll(() => dir.remove());

describe('report --out does not follow symlinks', () => {
  it('a planted symlink is replaced by the report; the file it pointed at is untouched', () => {
    const out = join(dir.path, 'out');
    mkdirSync(out);
    const victim = join(dir.path, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(out, 'north-2026-01.csv'));
    symlinkSync(join(dir.path, 'nowhere'), join(out, 'north-2026-01.html')); // dangling: would be created
    const files = writeReport(out, { name: 'north-2026-01', html: '<p>report</p>', pdf: Buffer.from('%PDF'), csv: 'a,b\n' });
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(() => lstatSync(join(dir.path, 'nowhere'))).toThrow();
    for (const f of files) expect([f, lstatSync(f).isFile()]).toEqual([f, true]);
    expect(readFileSync(join(out, 'north-2026-01.csv'), 'utf8')).toBe('a,b\n');
  });

  it('quiet side: an ordinary existing report is overwritten in place', () => {
    const out = join(dir.path, 'plain');
    mkdirSync(out);
    writeFileSync(join(out, 'south-2026-01.csv'), 'old');
    writeReport(out, { name: 'south-2026-01', html: 'h', pdf: Buffer.from('p'), csv: 'new' });
    expect(readFileSync(join(out, 'south-2026-01.csv'), 'utf8')).toBe('new');
  });
});
