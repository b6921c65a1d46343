import type { IPoint } from 'influx';
import type { SamplesBatch } from '../../contract/index.ts';

/**
 * One InfluxDB point per sample. The `site` tag is always the batch's site, so an agent cannot file data
 * under another school by setting its own `site` tag. `timestamp` is the measuring time in ms: the writer
 * writes with precision 'ms', and InfluxDB keys a point by measurement + tag set + time, so a replayed
 * sample overwrites itself instead of adding a second point.
 */
export function batchToPoints(batch: SamplesBatch): IPoint[] {
  return batch.samples.map((sample) => ({
    measurement: sample.measurement,
    tags: { ...sample.tags, site: batch.site },
    fields: { ...sample.fields },
    timestamp: sample.time,
  }));
}

/** The identity InfluxDB gives a point: a second point with the same key replaces the first. */
export function pointKey(point: IPoint): string {
  const tags = Object.entries(point.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([point.measurement, tags, point.timestamp]);
}
