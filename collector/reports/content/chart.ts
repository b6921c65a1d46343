import type { ReportView } from './view-model.ts';

/**
 * The daily chart's vertical axis: from a whole percent below the worst day (at least 1 point below 100,
 * at most down to 0) to 100, so a day at 99.5 % is visibly short of a day at 100 %.
 */
export function chartFloor(daily: ReportView['daily']): number {
  const values = daily.flatMap((d) => [d.internetPct, d.coreServicesPct]).filter((v): v is number => v !== null);
  const worst = Math.min(100, ...values);
  return Math.max(0, Math.min(99, Math.floor(worst) - (Number.isInteger(worst) && worst < 100 ? 1 : 0)));
}

/** Height of a bar as a share (0..1) of the chart's height. */
export function barShare(pct: number | null, floor: number): number {
  if (pct === null) return 0;
  return Math.max(0, Math.min(1, (pct - floor) / (100 - floor)));
}

export const CHART_COLOURS = { internet: '#2b6cb0', core: '#2f855a', grid: '#cbd5e0', miss: '#c53030', met: '#2f855a' } as const;
