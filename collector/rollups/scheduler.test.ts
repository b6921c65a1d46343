import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir, type TempDir } from '../../test/harness/index.ts';
import { capturingLogger } from '../storage/test-support.ts';
import { HOUR_MS, type RollupTask } from './plan.ts';
import { startRollupScheduler } from './scheduler.ts';
import { openWatermarks } from './watermarks.ts';

const H = HOUR_MS;
const MIN = 60_000;
const BASE = Date.UTC(2026, 11, 7, 10, 0, 0);
const SITES = ['a', 'b', 'c', 'd', 'e'];

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir('rollup-scheduler');
  vi.useFakeTimers({ now: BASE + 2 * MIN });
  // Every school rolled up until 09:00, as a running collector would have it at 10:02.
  writeFileSync(join(dir.path, 'rollups.json'), JSON.stringify({ v: 1, rolledUntil: Object.fromEntries(SITES.map((s) => [s, BASE - H])) }));
});
afterEach(() => {
  vi.useRealTimers();
  dir.remove();
});

function rig(fail: (t: RollupTask, n: number) => boolean = () => false, rollMs = 1_000) {
  const file = join(dir.path, 'rollups.json');
  const { log, records } = capturingLogger();
  const rolls: (RollupTask & { at: number })[] = [];
  let active = 0;
  let maxActive = 0;
  const scheduler = startRollupScheduler({
    sites: () => SITES,
    async roll(t) {
      active++;
      maxActive = Math.max(maxActive, active);
      const at = Date.now();
      await new Promise((resolve) => setTimeout(resolve, rollMs));
      active--;
      const n = rolls.filter((r) => r.site === t.site).length;
      rolls.push({ ...t, at });
      if (fail(t, n)) throw new Error('InfluxDB timed out');
    },
    written: async () => undefined,
    watermarks: openWatermarks(file, () => undefined),
    log,
    now: Date.now,
    settleMs: 5 * MIN,
    spreadMs: 45 * MIN,
    rawMs: 45 * 86_400_000,
    checkEveryMs: MIN,
    retryBaseMs: 30_000,
  });
  return { scheduler, rolls, records, file, maxActive: () => maxActive };
}

describe('the hourly rollup scheduler', () => {
  it('rolls up every school\'s closed hour once, one at a time, spread over 45 minutes, then one info line', async () => {
    const { scheduler, rolls, records, file, maxActive } = rig();
    try {
      // 10:02: the 09:00 hour closed but is still settling until 10:05.
      await vi.advanceTimersByTimeAsync(2 * MIN);
      expect(rolls).toEqual([]);
      await vi.advanceTimersByTimeAsync(60 * MIN);
      const first = rolls.filter((r) => r.from === BASE - H);
      expect(rolls).toHaveLength(5);
      expect(first.map((r) => r.site)).toEqual(SITES);
      expect(first.every((r) => r.to === BASE)).toBe(true);
      // 45 minutes over 5 schools: one every 9 minutes from 10:05.
      expect(first.map((r) => (r.at - BASE) / MIN)).toEqual([5, 14, 23, 32, 41]);
      expect(maxActive()).toBe(1);
      const line = records.find((r) => r.msg === 'rollups: hour rolled up');
      expect(line).toMatchObject({ hour: new Date(BASE - H).toISOString(), schools: 5, failed: 0, behind: false, slowestSchoolMs: 1_000 });
      expect(line?.seconds).toBeCloseTo(36 * 60 + 1, 0);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ v: 1, rolledUntil: Object.fromEntries(SITES.map((s) => [s, BASE])) });
      // 11:05: the 10:00 hour, each school once more; nothing twice.
      await vi.advanceTimersByTimeAsync(60 * MIN);
      expect(rolls.filter((r) => r.from === BASE).map((r) => r.site)).toEqual(SITES);
      expect(rolls).toHaveLength(10);
      expect(scheduler.rolledUntil('c')).toBe(BASE + H);
      expect(scheduler.rolledUntil('unknown')).toBeUndefined();
    } finally {
      scheduler.stop();
    }
  });

  it('a failing school is counted, logged and retried with backoff while the others go on', async () => {
    const { scheduler, rolls, records, maxActive } = rig((t, n) => t.site === 'c' && n < 2);
    try {
      await vi.advanceTimersByTimeAsync(50 * MIN);
      expect(rolls.filter((r) => r.site !== 'c').map((r) => r.site)).toEqual(['a', 'b', 'd', 'e']);
      const warned = records.find((r) => r.msg === 'rollups: hour rolled up; some schools failed and stay due');
      expect(warned).toMatchObject({ schools: 5, failed: 1, err: 'InfluxDB timed out' });
      // Retried 30 s then 60 s after each failure, and rolled up by the third try.
      const tries = rolls.filter((r) => r.site === 'c');
      expect(tries).toHaveLength(3);
      expect(scheduler.rolledUntil('c')).toBe(BASE);
      expect(maxActive()).toBe(1);
    } finally {
      scheduler.stop();
    }
  });

  it('a round slower than its spread goes on without pacing and says so once', async () => {
    const { scheduler, rolls, records } = rig(() => false, 15 * MIN);
    try {
      await vi.advanceTimersByTimeAsync(90 * MIN);
      expect(rolls.filter((r) => r.from === BASE - H)).toHaveLength(5);
      expect(records.filter((r) => String(r.msg).startsWith('rollups: round behind'))).toHaveLength(1);
      expect(records.find((r) => r.msg === 'rollups: hour rolled up')).toMatchObject({ behind: true, schools: 5 });
    } finally {
      scheduler.stop();
    }
  });

  it('after a restart, the hours missed are rolled from the file\'s watermark, a new school from the last closed hour', async () => {
    const file = join(dir.path, 'rollups.json');
    writeFileSync(file, JSON.stringify({ v: 1, rolledUntil: { a: BASE - 3 * H } }));
    const { scheduler, rolls } = rig();
    try {
      // At 10:02 only hours to 09:00 are settled: a's 07:00 and 08:00, the others' 08:00 (their last closed hour).
      await vi.advanceTimersByTimeAsync(50 * MIN);
      expect(rolls.filter((r) => r.to === BASE - H).map((r) => [r.site, (r.from - BASE) / H, (r.to - BASE) / H])).toEqual([
        ['a', -3, -1],
        ['b', -2, -1],
        ['c', -2, -1],
        ['d', -2, -1],
        ['e', -2, -1],
      ]);
      // Then the 09:00 hour's round, once, for each.
      await vi.advanceTimersByTimeAsync(50 * MIN);
      expect(rolls.filter((r) => r.to === BASE).map((r) => [r.site, (r.from - BASE) / H])).toEqual(SITES.map((s) => [s, -1]));
      expect(rolls.filter((r) => r.to <= BASE)).toHaveLength(10);
    } finally {
      scheduler.stop();
    }
  });
});
