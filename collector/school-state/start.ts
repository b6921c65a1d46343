import type { LineSink } from '../ingest/index.ts';
import { toLine } from '../storage/line.ts';
import { SchoolResults, schoolStateFields, type ObservedSample } from './summary.ts';

export interface SchoolStateOptions {
  /** The configured schools: each gets a point every interval, also before its agent is heard from. */
  sites: () => Iterable<string>;
  writer: LineSink;
  now: () => number;
  /** How often the points are written: the collector's report interval (60 s by default, as the checks). */
  intervalMs: number;
}

export interface SchoolState {
  /** What the ingest accepted from a school's agent (the same samples InfluxDB gets). */
  observe(site: string, samples: readonly ObservedSample[]): void;
  /** Writes every school's point now (tests; the timer does it each interval). */
  write(): void;
  stop(): void;
}

/** Writes `school_state` (summary.ts) through the InfluxDB writer every interval. */
export function startSchoolState(o: SchoolStateOptions): SchoolState {
  const results = new SchoolResults();
  const write = () => {
    const now = o.now();
    const lines: string[] = [];
    for (const s of results.summarise(now, o.sites())) lines.push(toLine({ measurement: 'school_state', tags: {}, fields: schoolStateFields(s), time: now }, s.site));
    if (lines.length > 0) o.writer.write({ text: lines.join('\n'), points: lines.length });
  };
  const timer = setInterval(write, o.intervalMs);
  timer.unref();
  return { observe: (site, samples) => results.observe(site, samples), write, stop: () => clearInterval(timer) };
}
