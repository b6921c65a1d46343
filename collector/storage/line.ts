import { Raw, type IPoint } from 'influx';

/**
 * Text already in line-protocol form. The `influx` library passes a Raw tag value through unescaped, and
 * turns a field value that is not a JS string into text with String(), so one class covers both.
 */
class LineText extends Raw {
  override toString(): string {
    return this.getValue();
  }
}

// InfluxDB 1.x line protocol: measurement escapes "," and " "; tag keys and values and field keys escape
// ",", "=" and " "; string field values are double-quoted with '"' and "\" escaped.
const escapeMeasurement = (s: string) => s.replace(/[, ]/g, '\\$&');
const escapeTag = (s: string) => s.replace(/[,= ]/g, '\\$&');
const quoteString = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

/**
 * The same point with its text escaped here rather than by the library. `influx` 5.12 does not escape
 * measurement names, and it rewrites the first `\'` in any tag value or string field to `\\'`, which
 * would store text different from what the agent sent. Numbers and booleans pass through: without a
 * schema the library writes every number as a float, which is what we want.
 */
export function toWirePoint(point: IPoint): IPoint {
  // A point the library cannot serialise would otherwise sit at the head of the queue for ever.
  if (typeof point.measurement !== 'string' || point.measurement === '') throw new Error('a point needs a measurement');
  if (typeof point.timestamp !== 'number' || !Number.isSafeInteger(point.timestamp)) {
    throw new Error(`point in "${point.measurement}": timestamp must be an integer number of ms, got ${String(point.timestamp)}`);
  }
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(point.tags ?? {})) {
    tags[key] = new LineText(escapeTag(value)) as unknown as string;
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(point.fields ?? {})) {
    fields[key] = typeof value === 'string' ? new LineText(quoteString(value)) : value;
  }
  return {
    measurement: escapeMeasurement(point.measurement),
    tags,
    fields,
    timestamp: point.timestamp,
  };
}
