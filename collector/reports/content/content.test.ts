import { describe, expect, it } from 'vitest';
import { csvField } from '../render/csv.ts';
import { axisMarks, barShare, chartAxis, chartFloor } from './chart.ts';
import { changeText, durationText, localTimeText, percentText } from './format.ts';
import { linkQuality, percentile } from './link-quality.ts';

describe('report formatting', () => {
  it('percent to three decimals, durations to the minute, local times across DST', () => {
    expect(percentText(99.99951)).toBe('100.000 %');
    expect(percentText(null)).toBe('no data');
    expect([0, 29_999, 30_000, 3_600_000 + 5 * 60_000, 2 * 86_400_000 + 61 * 60_000].map(durationText)).toEqual(['0 min', '0 min', '1 min', '1 h 05 min', '2 d 1 h 01 min']);
    expect(localTimeText(Date.parse('2026-10-25T00:30:00Z'), 'Europe/London')).toBe('Sun 25 Oct 01:30');
    expect(localTimeText(Date.parse('2026-10-25T01:30:00Z'), 'Europe/London')).toBe('Sun 25 Oct 01:30');
    expect([changeText(0.1234), changeText(-0.0004), changeText(-1)]).toEqual(['+0.123 pp', '+0.000 pp', '\u22121.000 pp']);
  });
  it('the chart axis starts a whole percent below the worst day', () => {
    expect(chartFloor([{ internetPct: 100, coreServicesPct: null }])).toBe(99);
    expect(chartFloor([{ internetPct: 91.9, coreServicesPct: 99 }])).toBe(91);
    expect(chartFloor([{ internetPct: 0, coreServicesPct: 99 }])).toBe(0);
  });
  it('bars start at 0 %: a low day keeps most of the quarter below the break, a day at 99.5 % is short of 100 %', () => {
    // The month: days at 100 % and one at 83.4 %: broken at 83 %.
    const axis = chartAxis([{ internetPct: 100, coreServicesPct: 99.5 }, { internetPct: 83.4, coreServicesPct: 100 }]);
    expect([axis.breakAt, axis.breakShare]).toEqual([83, 0.25]);
    expect(axis.text).toContain('broken at 83 %');
    // 0.25 + 0.75 × 0.4 / 17: over a quarter of the chart, not the 2 pixels of an 83-100 % axis.
    expect(barShare(83.4, axis)).toBeCloseTo(0.25 + (0.75 * 0.4) / 17, 12);
    expect(barShare(83.4, axis)).toBeGreaterThan(0.26);
    expect(barShare(50, axis)).toBeCloseTo((0.25 * 50) / 83, 12);
    expect(barShare(99.5, axis)).toBeLessThan(barShare(100, axis) - 0.02);
    expect([barShare(100, axis), barShare(0, axis), barShare(null, axis)]).toEqual([1, 0, 0]);
    expect(axisMarks(axis)).toEqual([[0, 0], [83, 0.25], [100, 1]]);
  });
  it('a day at or below 50 %: a straight axis from 0 to 100 %', () => {
    const axis = chartAxis([{ internetPct: 40.2, coreServicesPct: null }]);
    expect([axis.breakAt, barShare(40.2, axis), barShare(100, axis)]).toEqual([0, 0.402, 1]);
    expect(axis.text).toBe('Bars start at 0 %; the axis runs straight to 100 %.');
  });
  it('CSV fields quoted per RFC 4180; formulas defused', () => {
    expect(['plain', 'a,b', 'say "hi"', '=SUM(A1)', '-3', 12].map((v) => csvField(v))).toEqual(['plain', '"a,b"', '"say ""hi"""', "'=SUM(A1)", "'-3", '12']);
  });
});

describe('link quality', () => {
  it('nearest-rank percentiles, weighted; loss averaged over every check', () => {
    const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((value) => ({ value, weight: 1 }));
    expect([percentile(values, 50), percentile(values, 95), percentile(values, 100), percentile([], 50)]).toEqual([50, 100, 100, undefined]);
    expect(percentile([{ value: 5, weight: 19 }, { value: 80, weight: 1 }], 95)).toBe(5);
    const q = linkQuality(
      [
        { time: 0, rttMs: 10, lossPct: 0, weight: 1 },
        { time: 1, rttMs: undefined, lossPct: 100, weight: 1 },
        { time: 2, rttMs: 30, lossPct: 20, weight: 2 },
        { time: 99, rttMs: 500, lossPct: 100, weight: 1 },
      ],
      { start: 0, end: 10 },
    );
    expect(q).toEqual({ p50Ms: 30, p95Ms: 30, lossPct: 35, readings: 3 });
  });
});
