import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SequenceFile } from './sequence.ts';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'hm-seq-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('SequenceFile', () => {
  it('continues across restarts', () => {
    const d = dir();
    const a = new SequenceFile(d);
    expect([a.take(), a.take(), a.take()]).toEqual([0, 1, 2]);
    expect(new SequenceFile(d).take()).toBe(3);
  });
  it('refuses a corrupt file with its name', () => {
    const d = dir();
    writeFileSync(join(d, 'sequence'), 'banana');
    expect(() => new SequenceFile(d)).toThrow(/sequence: expected a non-negative integer, got "banana"/);
  });
});
