import type { Sample } from '../../contract/index.ts';

// InfluxDB 1.x line protocol, written here independently of collector/storage/line.ts.
const escapeMeasurement = (s: string) => s.replace(/[, ]/g, '\\$&');
const escapeKey = (s: string) => s.replace(/[,= ]/g, '\\$&');
const quoteString = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

/**
 * The line the collector writes for this sample of this site: `site` set from the batch, tags sorted by
 * key, fields in the sample's order, every number a float, ms time. line-protocol.test.ts holds it to the
 * collector's own output.
 */
export function sampleLine(site: string, sample: Sample): string {
  let line = escapeMeasurement(sample.measurement);
  const tags: Record<string, string> = { ...sample.tags, site };
  for (const key of Object.keys(tags).sort()) line += `,${escapeKey(key)}=${escapeKey(tags[key]!)}`;
  let sep = ' ';
  for (const [key, value] of Object.entries(sample.fields)) {
    line += `${sep}${escapeKey(key)}=${typeof value === 'string' ? quoteString(value) : String(value)}`;
    sep = ',';
  }
  return `${line} ${sample.time}`;
}

/** /write bodies of at most `size` lines each. */
export function lineBodies(lines: readonly string[], size: number): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < lines.length; i += size) bodies.push(lines.slice(i, i + size).join('\n'));
  return bodies;
}
