import { describe, expect, it } from 'vitest';
import type { ProcessHealth } from './agents-protocol.ts';
import { BENCH_BUDGET, benchCause, judgeBench, type ProcessFigures } from './bench-health.ts';

const spread = (p99: number) => ({ n: 10, p50: p99 / 2, p99, max: p99 });
const healthy: ProcessHealth = {
  schools: 250,
  seconds: 60,
  cpuSeconds: 6,
  eventLoopDelayMs: { p50: 10, p99: 40, max: 90 },
  buildMs: spread(20),
  lateMs: spread(30),
  ackMs: spread(500),
  pollsPerSecond: { max: 12, mean: 5 },
  unexpectedCloses: 0,
  closeReasons: {},
  rssMiB: 300,
};
const at = (over: Partial<ProcessFigures>): ProcessFigures => ({ pid: 1, cpuPercentOfOneCore: 10, ...healthy, ...over });

describe('the fleet bench judges its own agents', () => {
  it('is not bench-limited when every process is inside the budget, at the budget\'s edge too', () => {
    expect(judgeBench([at({}), at({ pid: 2, cpuPercentOfOneCore: BENCH_BUDGET.cpuPercentOfOneCore, eventLoopDelayMs: { p50: 1, p99: BENCH_BUDGET.eventLoopDelayP99Ms, max: 900 }, lateMs: spread(BENCH_BUDGET.lateP99Ms) })])).toEqual({ limited: false, reasons: [], connectionsLost: [] });
    expect(judgeBench([])).toEqual({ limited: false, reasons: [], connectionsLost: [] });
  });

  it('is bench-limited by any one process over any one budget, and names it', () => {
    const cases: Partial<ProcessFigures>[] = [
      { cpuPercentOfOneCore: BENCH_BUDGET.cpuPercentOfOneCore + 0.1 },
      { eventLoopDelayMs: { p50: 1, p99: BENCH_BUDGET.eventLoopDelayP99Ms + 1, max: 2000 } },
      { lateMs: spread(BENCH_BUDGET.lateP99Ms + 1) },
    ];
    for (const c of cases) {
      const v = judgeBench([at({}), at({ pid: 7, ...c })]);
      expect(v.limited).toBe(true);
      expect(v.reasons).toHaveLength(1);
      expect(v.reasons[0]).toContain('process 7');
    }
  });

  it('reports connections the broker\'s side let drop, without calling the bench limited', () => {
    const v = judgeBench([at({}), at({ pid: 7, unexpectedCloses: 3, closeReasons: { 'Keepalive timeout': 3 } })]);
    expect(v.limited).toBe(false);
    expect(v.connectionsLost).toEqual(['3 connections closed that the bench did not cut: {"Keepalive timeout":3}']);
  });

  it('blames the bench for a school\'s alert only when its agent fell silent or was late', () => {
    const fine = { maxPollGapMs: 60_000, maxLateMs: 500, unexpectedCloses: 0, maxAckMs: 90_000 };
    // A slow PUBACK is the collector's side: not the bench's.
    expect(benchCause(fine, 60_000, 180_000)).toBeUndefined();
    expect(benchCause({ ...fine, maxPollGapMs: 90_000 }, 60_000, 180_000)).toBeUndefined();
    expect(benchCause({ ...fine, maxPollGapMs: 90_001 }, 60_000, 180_000)).toMatch(/between two of its polls/);
    expect(benchCause({ ...fine, maxLateMs: 30_000 }, 60_000, 180_000)).toBeUndefined();
    expect(benchCause({ ...fine, maxLateMs: 30_001 }, 60_000, 180_000)).toMatch(/late/);
    expect(benchCause({ ...fine, unexpectedCloses: 1 }, 60_000, 180_000)).toBeUndefined();
    expect(benchCause(undefined, 60_000, 180_000)).toMatch(/no record/);
  });
});
