import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../contract/index.ts';
import { DEFAULT_ROLLUP_SCHEDULE } from '../storage/retention-cq.ts';
import { lastCqRunFor, lateSpan, startLateBacklog, type Span } from './late-backlog.ts';

const H = 3_600_000;
const T = Date.UTC(2026, 11, 7, 10, 7, 0); // 10:07 UTC
const schedule = DEFAULT_ROLLUP_SCHEDULE; // every 1 h, for 2 h
const log = createLogger('test', 'silent');

describe('what the hourly rollups miss', () => {
  it('a sample of 10:07 is last recomputed by the 12:00 run', () => {
    expect(new Date(lastCqRunFor(T, schedule)).toISOString()).toBe('2026-12-07T12:00:00.000Z');
  });

  it('late only when accepted after that run less a 2-minute margin: both sides of the edge', () => {
    const edge = Date.UTC(2026, 11, 7, 11, 58, 0);
    expect(lateSpan([{ time: T }], edge, schedule)).toBeUndefined();
    expect(lateSpan([{ time: T }], edge + 1, schedule)).toEqual({ from: T, to: T + 1 });
    // Live data, a minute old, and an empty batch are never late.
    expect(lateSpan([{ time: T }], T + 60_000, schedule)).toBeUndefined();
    expect(lateSpan([], T + 10 * H, schedule)).toBeUndefined();
  });

  it('the span is exactly the late samples\' times, whatever the mix (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 * H }), { maxLength: 50 }), fc.integer({ min: 0, max: 12 * H }), (offsets, at) => {
        const samples = offsets.map((o) => ({ time: T + o }));
        const acceptedAt = T + at;
        const late = samples.filter((s) => acceptedAt > lastCqRunFor(s.time, schedule) - 120_000).map((s) => s.time);
        const span = lateSpan(samples, acceptedAt, schedule);
        if (late.length === 0) expect(span).toBeUndefined();
        else expect(span).toEqual({ from: Math.min(...late), to: Math.max(...late) + 1 });
      }),
    );
  });
});

describe('the late-backlog rollups', () => {
  function rig(fail = false, outage: { since?: number } = {}) {
    let now = T + 5 * H;
    const runs: { site: string; span: Span; flushedBefore: boolean }[] = [];
    let flushed = false;
    const backlog = startLateBacklog({
      schedule,
      now: () => now,
      log,
      quietMs: 120_000,
      checkEveryMs: 3_600_000,
      writerOutageSince: () => outage.since,
      written: async () => {
        flushed = true;
      },
      backfill: async (site, span) => {
        runs.push({ site: site ?? 'ALL', span, flushedBefore: flushed });
        if (fail) throw new Error('InfluxDB said no');
      },
    });
    return { backlog, runs, advance: (ms: number) => (now += ms) };
  }

  it('rolls up each school once its replay is quiet, over its whole late span, after everything is written', async () => {
    const { backlog, runs, advance } = rig();
    try {
      backlog.observe('north', [{ time: T }, { time: T + 60_000 }]);
      backlog.observe('north', [{ time: T + H }]);
      backlog.observe('south', [{ time: T + 2 * H }]);
      // Live data of a third school is not late.
      backlog.observe('east', [{ time: T + 5 * H - 30_000 }]);
      await backlog.runDue();
      expect(runs).toEqual([]); // still replaying
      advance(120_000);
      await backlog.runDue();
      expect(runs).toEqual([
        { site: 'north', span: { from: T, to: T + H + 1 }, flushedBefore: true },
        { site: 'south', span: { from: T + 2 * H, to: T + 2 * H + 1 }, flushedBefore: true },
      ]);
      expect(backlog.pending().size).toBe(0);
      // Nothing runs twice.
      advance(600_000);
      await backlog.runDue();
      expect(runs).toHaveLength(2);
    } finally {
      backlog.stop();
    }
  });

  it('keeps a span whose rollup failed and tries again after another quiet spell, not at once', async () => {
    const { backlog, runs, advance } = rig(true);
    try {
      backlog.observe('north', [{ time: T }]);
      advance(120_000);
      await backlog.runDue();
      expect(runs).toHaveLength(1);
      expect(backlog.pending().get('north')).toMatchObject({ from: T, to: T + 1 });
      advance(60_000);
      await backlog.runDue();
      expect(runs).toHaveLength(1);
      advance(60_000);
      await backlog.runDue();
      expect(runs).toHaveLength(2);
    } finally {
      backlog.stop();
    }
  });

  it('after InfluxDB was unreachable, rolls up every school over the outage once writes recovered and went quiet', async () => {
    const outage: { since?: number } = {};
    const { backlog, runs, advance } = rig(false, outage);
    try {
      const start = T + 5 * H;
      outage.since = start;
      advance(3 * H);
      await backlog.runDue();
      expect(runs).toEqual([]); // still failing: nothing to roll up yet
      outage.since = undefined;
      advance(60_000);
      await backlog.runDue(); // recovery noticed here
      expect(runs).toEqual([]);
      advance(120_000);
      await backlog.runDue();
      expect(runs).toEqual([{ site: 'ALL', span: { from: start, to: start + 3 * H + 60_000 }, flushedBefore: true }]);
      advance(600_000);
      await backlog.runDue();
      expect(runs).toHaveLength(1);
    } finally {
      backlog.stop();
    }
  });
});
