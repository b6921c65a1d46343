import type { IPoint } from 'influx';
import type { Sample, SamplesBatch } from '../../contract/index.ts';

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

// InfluxDB 1.x line protocol cannot carry these: a control character ends or corrupts the line, and a
// backslash before the separator that follows a tag value escapes the separator.
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Why a sample that passed the wire schema still cannot be stored faithfully, or undefined if it can.
 * `time` is InfluxDB's own column: a tag or field of that name is refused by the server.
 */
export function unstorableReason(sample: Sample, index: number): string | undefined {
  const where = `samples[${index}]`;
  for (const [key, value] of Object.entries(sample.tags)) {
    if (key === 'time') return `${where}.tags.time: "time" is reserved by InfluxDB`;
    if (CONTROL.test(value)) return `${where}.tags.${key}: a tag value without control characters`;
    if (value.endsWith('\\')) return `${where}.tags.${key}: a tag value that does not end in a backslash`;
  }
  if ('time' in sample.fields) return `${where}.fields.time: "time" is reserved by InfluxDB`;
  return undefined;
}

export function batchUnstorableReason(batch: SamplesBatch): string | undefined {
  for (let i = 0; i < batch.samples.length; i++) {
    const reason = unstorableReason(batch.samples[i]!, i);
    if (reason !== undefined) return reason;
  }
  return undefined;
}
