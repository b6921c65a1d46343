import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/harness/index.ts';
import { openWatermarks } from './watermarks.ts';

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir('rollup-watermarks');
});
afterEach(() => dir.remove());

describe('rollups.json', () => {
  it('missing: starts empty without a complaint; written whole, 0600, no temp file left, never moved back', () => {
    const file = join(dir.path, 'rollups.json');
    const errors: Error[] = [];
    const marks = openWatermarks(file, (e) => errors.push(e));
    expect([...marks.get()]).toEqual([]);
    marks.set('north', 7_200_000);
    marks.set('north', 3_600_000);
    marks.set("o'brien", 3_600_000);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ v: 1, rolledUntil: { north: 7_200_000, "o'brien": 3_600_000 } });
    expect(readdirSync(dir.path)).toEqual(['rollups.json']);
    expect(errors).toEqual([]);
    expect([...openWatermarks(file, (e) => errors.push(e)).get()]).toEqual([['north', 7_200_000], ["o'brien", 3_600_000]]);
  });

  it('any other content: starts empty and says so once, never throws (property)', () => {
    const file = join(dir.path, 'rollups.json');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.constant('{"v":1,"rolledUntil":{"a":-1}}'), fc.constant('{"v":2,"rolledUntil":{}}')), (text) => {
        writeFileSync(file, text);
        let valid = false;
        try {
          const parsed = JSON.parse(text);
          valid = parsed?.v === 1 && typeof parsed.rolledUntil === 'object' && parsed.rolledUntil !== null && !Array.isArray(parsed.rolledUntil) && Object.keys(parsed).length === 2 && Object.values(parsed.rolledUntil).every((n) => Number.isInteger(n) && (n as number) >= 0);
        } catch {
          valid = false;
        }
        const errors: Error[] = [];
        const marks = openWatermarks(file, (e) => errors.push(e));
        expect(errors.length).toBe(valid ? 0 : 1);
        if (!valid) expect(marks.get().size).toBe(0);
      }),
    );
  });
});
