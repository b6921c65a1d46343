import type { ReportView } from './view-model.ts';

type Daily = readonly { internetPct: number | null; coreServicesPct: number | null }[];

/**
 * The daily chart's vertical axis. Bars always start at 0 %. When every day is high, the axis is broken
 * at a whole percent below the worst day: the lowest quarter of the chart holds 0 % to the break, the rest
 * the break to 100 %, so a day at 99.5 % is visibly short of one at 100 % and a low day still has most of a
 * quarter of the height. When a day is at or below 50 %, the axis runs straight from 0 to 100 %.
 */
export interface ChartAxis {
  /** The break (percent); 0: no break. */
  breakAt: number;
  /** The share (0..1) of the chart's height that holds 0 % to the break. */
  breakShare: number;
  /** What the axis is, in words, under the chart in every output. */
  text: string;
}

const BREAK_SHARE = 0.25;

/** The whole percent below the worst day (at least 1 point below 100, at most down to 0). */
export function chartFloor(daily: Daily): number {
  const values = daily.flatMap((d) => [d.internetPct, d.coreServicesPct]).filter((v): v is number => v !== null);
  const worst = Math.min(100, ...values);
  return Math.max(0, Math.min(99, Math.floor(worst) - (Number.isInteger(worst) && worst < 100 ? 1 : 0)));
}

export function chartAxis(daily: Daily): ChartAxis {
  const floor = chartFloor(daily);
  if (floor <= 50) return { breakAt: 0, breakShare: 0, text: 'Bars start at 0 %; the axis runs straight to 100 %.' };
  return {
    breakAt: floor,
    breakShare: BREAK_SHARE,
    text: `Bars start at 0 %. The axis is broken at ${floor} % (the red line): below it, the lowest quarter of the chart holds 0\u2013${floor} %; above it, ${floor}\u2013100 %, so a small dip shows and no day is too low to have a bar.`,
  };
}

/** Height of a bar as a share (0..1) of the chart's height; 0 for a day with no counted time. */
export function barShare(pct: number | null, axis: Pick<ChartAxis, 'breakAt' | 'breakShare'>): number {
  if (pct === null) return 0;
  const p = Math.max(0, Math.min(100, pct));
  if (axis.breakAt <= 0) return p / 100;
  if (p <= axis.breakAt) return (axis.breakShare * p) / axis.breakAt;
  return axis.breakShare + ((1 - axis.breakShare) * (p - axis.breakAt)) / (100 - axis.breakAt);
}

/** The axis's labelled marks as [percent, share of height]. */
export function axisMarks(axis: Pick<ChartAxis, 'breakAt' | 'breakShare'>): [number, number][] {
  if (axis.breakAt <= 0) return [0, 50, 100].map((p) => [p, p / 100]);
  return [0, axis.breakAt, 100].map((p) => [p, barShare(p, axis)]);
}

export type ChartDay = ReportView['daily'][number];

export const CHART_COLOURS = { internet: '#2b6cb0', core: '#2f855a', grid: '#cbd5e0', miss: '#c53030', met: '#2f855a', none: '#a0aec0' } as const;
