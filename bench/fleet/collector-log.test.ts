import { describe, expect, it } from 'vitest';
import { collectorLogByPhase, lateRerollsIn, rollupRoundsIn } from './collector-log.ts';

const line = (time: number, msg: string, extra: Record<string, unknown> = {}) => JSON.stringify({ level: 30, time, msg, ...extra });
const vitals = (time: number, max: number, heap = 100) =>
  line(time, 'collector vitals', { eventLoopDelayMs: { p50: 10, p99: max / 2, max }, rssMiB: 400, heapUsedMiB: heap, heapLimitMiB: 640, pendingPoints: max * 10, walMiB: 1.5 });

describe('the collector log by phase', () => {
  it('files each line under the first phase that ended after it, the rest under "after"', () => {
    const text = [
      vitals(1_000, 50),
      vitals(2_000, 30_000, 500),
      line(2_100, 'agent connection closed: nothing read from it within 1.5 × its keepalive', { agent: 'a' }),
      line(2_200, 'client connection closed on error', { err: 'drain timeout' }),
      line(2_300, 'client connection closed on error', { err: 'drain timeout' }),
      line(2_400, 'agent disconnected', { agent: 'a' }),
      line(2_500, 'something else'),
      'not json',
      vitals(9_000, 20),
    ].join('\n');
    const byPhase = collectorLogByPhase(text, [
      { phase: 'steady', at: 1_500 },
      { phase: 'outage', at: 5_000 },
    ]);
    expect(byPhase['steady']).toMatchObject({ intervals: 1, eventLoopMaxMs: 50, keepaliveTimeouts: 0 });
    expect(byPhase['outage']).toMatchObject({ intervals: 1, eventLoopMaxMs: 30_000, heapUsedMaxMiB: 500, pendingPointsMax: 300_000, keepaliveTimeouts: 1, agentsDisconnected: 1, clientErrors: { 'drain timeout': 2 } });
    expect(byPhase['outage']!.worstAt).toBe(new Date(2_000).toISOString());
    expect(byPhase['after']).toMatchObject({ intervals: 1, eventLoopMaxMs: 20 });
  });

  it('an empty or foreign log gives no phases', () => {
    expect(collectorLogByPhase('', [{ phase: 'steady', at: 1 }])).toEqual({});
    expect(collectorLogByPhase('{"msg":"collector vitals" broken', [])).toEqual({});
  });
});

describe('the rollup rounds in the collector log', () => {
  it('keeps each round line of the rollups component with its own fields, and nothing else', () => {
    const text = [
      line(3_600_000, 'rollups: hour rolled up', { component: 'rollups', hour: '1970-01-01T00:00:00.000Z', schools: 1000, failed: 0, seconds: 2400 }),
      line(3_600_100, 'rollups: school rolled up', { component: 'other' }),
      line(3_600_200, 'rollups: a school failed', { component: 'rollups', site: 'x' }),
      line(3_600_300, 'collector vitals', { component: 'vitals' }),
      '{"component":"rollups" broken',
    ].join('\n');
    expect(rollupRoundsIn(text)).toEqual([
      { at: new Date(3_600_000).toISOString(), msg: 'rollups: hour rolled up', hour: '1970-01-01T00:00:00.000Z', schools: 1000, failed: 0, seconds: 2400 },
    ]);
    expect(rollupRoundsIn('')).toEqual([]);
  });
});

describe('the late backlog\'s re-rolls in the collector log', () => {
  it('counts each re-roll from `since` on, with its duration, and nothing else', () => {
    const text = [
      line(1_000, 'late backlog rolled up', { component: 'rollups', site: 'a', ms: 900 }),
      line(5_000, 'late backlog rolled up', { component: 'rollups', site: 'b', ms: 1_200 }),
      line(6_000, 'late backlog rolled up', { component: 'rollups', site: 'c', ms: 3_100 }),
      line(6_500, 'late backlog not rolled up yet; trying again', { component: 'rollups', site: 'd' }),
      '{"msg":"late backlog rolled up" broken',
    ].join('\n');
    expect(lateRerollsIn(text, 2_000)).toEqual({ schools: 2, lastAt: 6_000, msTotal: 4_300, msMax: 3_100 });
    // Before any: none, and no last time.
    expect(lateRerollsIn(text, 7_000)).toEqual({ schools: 0, msTotal: 0, msMax: 0 });
    expect(lateRerollsIn('', 0)).toEqual({ schools: 0, msTotal: 0, msMax: 0 });
  });
});
