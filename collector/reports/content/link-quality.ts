import type { Interval } from '../../calendar/index.ts';
import type { LinkReading } from '../data/influx-source.ts';

/** Nearest-rank percentile (weights count as repeated values); undefined for no values. */
export function percentile(values: readonly { value: number; weight: number }[], p: number): number | undefined {
  const sorted = values.filter((v) => v.weight > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((s, v) => s + v.weight, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const v of sorted) {
    seen += v.weight;
    if (seen >= rank) return v.value;
  }
  return sorted[sorted.length - 1]!.value;
}

export interface LinkQuality {
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  /** Mean packet loss over every check in the month. */
  lossPct: number | undefined;
  readings: number;
}

/** Latency percentiles (of round-trip averages, over checks that got answers) and mean loss, within the month. */
export function linkQuality(readings: readonly LinkReading[], month: Interval): LinkQuality {
  const inMonth = readings.filter((r) => r.time >= month.start && r.time < month.end);
  const rtts = inMonth.flatMap((r) => (r.rttMs === undefined ? [] : [{ value: r.rttMs, weight: r.weight }]));
  const losses = inMonth.filter((r) => r.lossPct !== undefined);
  const lossWeight = losses.reduce((s, r) => s + r.weight, 0);
  return {
    p50Ms: percentile(rtts, 50),
    p95Ms: percentile(rtts, 95),
    lossPct: lossWeight === 0 ? undefined : losses.reduce((s, r) => s + r.lossPct! * r.weight, 0) / lossWeight,
    readings: inMonth.length,
  };
}
