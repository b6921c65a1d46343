import { describe, expect, it } from 'vitest';
import type { IngestRun } from './compare-runs.ts';
import { compareRuns } from './compare-runs.ts';

const run = (kind: IngestRun['kind'], writers: number, round: number, pointsPerSecond: number): IngestRun => ({
  kind,
  writers,
  round,
  pointsPerSecond,
  database: `${kind}${writers}_${round}`,
  points: 1,
  seconds: 1,
  cpuSeconds: {},
});

describe('compareRuns', () => {
  it('compares best with best at the same concurrency, beside the wider reference and the median of the rounds', () => {
    const runs = [
      run('raw', 2, 1, 100), run('raw', 4, 1, 120), run('ours', 2, 1, 60),
      run('raw', 2, 2, 50), run('raw', 4, 2, 60), run('ours', 2, 2, 45),
      run('raw', 2, 3, 80), run('raw', 4, 3, 90), run('ours', 2, 3, 56),
    ];
    expect(compareRuns(runs, { rounds: 3, writesInFlight: 2, rawWriters: 4 })).toEqual({
      raw: 100,
      ours: 60,
      ratio: 0.6,
      ratioMedian: 0.7,
      rawWide: 120,
      ratioWide: 0.5,
    });
  });
});
