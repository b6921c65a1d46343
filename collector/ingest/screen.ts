import type { Sample } from '../../contract/index.ts';
import { lineMaker, seriesKeyLength, UnstorableText } from '../storage/line.ts';
import type { SampleRejectReason } from './counters.ts';
import { COLLECTOR_MEASUREMENTS, type FieldTypes } from './field-types.ts';
import type { SeriesBudgets } from './series-budget.ts';

/**
 * Sample times the collector stores. Later than now + maxSkewMs is a wrong clock or an attack (each future
 * day is a new shard in InfluxDB, and a wrong type there would refuse that day's real points); earlier than
 * now - maxAgeMs is older than anything an agent's spool keeps or InfluxDB's raw retention holds.
 */
export interface SampleWindow {
  maxSkewMs: number;
  maxAgeMs: number;
}

export interface ScreenContext {
  window: SampleWindow;
  fieldTypes: FieldTypes;
  budgets: SeriesBudgets;
}

export interface ScreenRejection {
  reason: SampleRejectReason;
  samples: number;
  /** The first such sample's problem. */
  detail: string;
}

export interface Screened {
  /** Line protocol of the accepted samples, in order. */
  lines: string[];
  kept: Sample[];
  rejected: ScreenRejection[];
}

/**
 * Sorts one valid batch's samples into those stored and those refused, each refusal with its reason. Order of
 * the checks: what the sample is (measurement, time, field types, storable text) before the series budget,
 * so that a refused sample spends none of it; field types are learned only from samples that are kept.
 */
export function screenSamples(samples: readonly Sample[], site: string, now: number, ctx: ScreenContext): Screened {
  const lines: string[] = [];
  const kept: Sample[] = [];
  const rejected = new Map<SampleRejectReason, ScreenRejection>();
  const reject = (reason: SampleRejectReason, detail: () => string) => {
    const r = rejected.get(reason);
    if (r !== undefined) r.samples += 1;
    else rejected.set(reason, { reason, samples: 1, detail: detail() });
  };
  const toLine = lineMaker(site);
  const latest = now + ctx.window.maxSkewMs;
  const earliest = now - ctx.window.maxAgeMs;
  for (const sample of samples) {
    const { measurement, fields, time } = sample;
    if (COLLECTOR_MEASUREMENTS.has(measurement)) {
      reject('reserved-measurement', () => `"${measurement}" is written by the collector itself`);
      continue;
    }
    if (time > latest) {
      reject('time-future', () => `${measurement} at ${new Date(time).toISOString()}, later than the collector's clock allows (${new Date(latest).toISOString()})`);
      continue;
    }
    if (time < earliest) {
      reject('time-past', () => `${measurement} at ${new Date(time).toISOString()}, older than ${new Date(earliest).toISOString()}`);
      continue;
    }
    const types = ctx.fieldTypes.check(measurement, fields, sample.tags);
    if (!types.ok) {
      reject(types.reason, () => `${measurement}.${types.key} is ${types.expected === 'tag' ? 'a tag' : types.expected}, got ${types.got === 'tag' ? 'a tag' : `a ${types.got}`}`);
      continue;
    }
    let line: string;
    try {
      line = toLine(sample);
    } catch (err) {
      if (!(err instanceof UnstorableText)) throw err;
      reject('unstorable', () => err.message);
      continue;
    }
    if (!ctx.budgets.admit(site, line, seriesKeyLength(line))) {
      reject('series-budget', () => `a new ${measurement} series beyond site "${site}"'s budget of series`);
      continue;
    }
    if (types.learns) ctx.fieldTypes.learn(measurement, fields, sample.tags);
    lines.push(line);
    kept.push(sample);
  }
  return { lines, kept, rejected: [...rejected.values()] };
}
