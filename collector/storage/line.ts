import { TAG_VALUE_PATTERN, type FieldValue } from '../../contract/index.ts';
import type { Lane } from './lane.ts';

/** One point: what becomes one line of InfluxDB 1.x line protocol. */
export interface LinePoint {
  measurement: string;
  tags: Readonly<Record<string, string>>;
  fields: Readonly<Record<string, FieldValue>>;
  /** ms since the epoch; the writer posts with precision=ms. */
  time: number;
}

/** Lines of line protocol joined by "\n", and how many points (lines) they hold: what the writer queues. */export interface LineChunk {
  text: string;
  points: number;
  /** The collector's write-ahead log entry holding these points, removed once they are written. */
  walId?: number;
  /** The writer's queue it joins (lane.ts); without one, live (the collector's own fresh points). */
  lane?: Lane;
}

// InfluxDB 1.x line protocol (models/points.go): the measurement escapes "," and " "; tag keys and values and
// field keys escape ",", "=" and " "; a string field is double-quoted with '"' and "\\" escaped, and may hold
// a newline (the scanner does not end a line inside quotes). What cannot be escaped at all: a control
// character in a name, key or tag value (a newline there ends the line), and a backslash before ",", "=",
// " " or the end (the scanner skips the byte after any backslash; the unescaper restores only "\\,", "\\="
// and "\\ "). The contract refuses both (TAG_VALUE_PATTERN); the checks here make the serialiser refuse them
// too, so that no caller can make one line into two. Most text needs none of it, so a test (no allocation)
// comes before any replace.
const MEASUREMENT_SPECIAL = /[, ]/;
const KEY_SPECIAL = /[,= ]/;
const STRING_SPECIAL = /["\\]/;
const MAYBE_UNSTORABLE = /[\u0000-\u001f\u007f\\\ud800-\udfff]/;

/** Text that line protocol cannot carry unchanged: the point is refused, never written garbled. */
export class UnstorableText extends Error {}

function storable(s: string, what: string): string {
  if (s === '' || (MAYBE_UNSTORABLE.test(s) && !TAG_VALUE_PATTERN.test(s))) {
    throw new UnstorableText(`${what} ${JSON.stringify(s.slice(0, 64))} cannot be carried by line protocol unchanged`);
  }
  return s;
}

// A line that starts with "#" is a comment to influxd.
const measurementText = (s: string) => (s.startsWith('#') ? storable('', 'measurement') : storable(s, 'measurement'));
export const escapeMeasurement = (s: string): string => (MEASUREMENT_SPECIAL.test(measurementText(s)) ? s.replace(/[, ]/g, '\\$&') : s);
export const escapeKey = (s: string): string => (KEY_SPECIAL.test(storable(s, 'tag or key')) ? s.replace(/[,= ]/g, '\\$&') : s);
export const quoteString = (s: string): string => (STRING_SPECIAL.test(s) ? `"${s.replace(/["\\]/g, '\\$&')}"` : `"${s}"`);

/**
 * Tag and field keys repeat on every line, so `key=` is made once. Bounded: keys come from the network
 * (validated, but unbounded in variety), and a full cache simply starts again.
 */
const keyPrefixes = new Map<string, string>();
function keyPrefix(key: string): string {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    if (keyPrefixes.size >= 10_000) keyPrefixes.clear();
    prefix = `${escapeKey(key)}=`;
    keyPrefixes.set(key, prefix);
  }
  return prefix;
}

/** Tag keys but `site`, in byte order (InfluxDB's recommendation; one text per series). Insertion sort: they are few. */
function sortedTagKeys(tags: Readonly<Record<string, string>>): string[] {
  const out = Object.keys(tags);
  let n = 0;
  for (let i = 0; i < out.length; i++) {
    const key = out[i]!;
    if (key === 'site') continue;
    let j = n - 1;
    for (; j >= 0 && out[j]! > key; j--) out[j + 1] = out[j]!;
    out[j + 1] = key;
    n++;
  }
  out.length = n;
  return out;
}

/** A string or boolean field value, or a number that is not finite (which throws). */
function otherFieldText(key: string, value: FieldValue, measurement: string): string {
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  throw new Error(`point in "${measurement}": field "${key}" is ${String(value)}, not a finite number`);
}

/** The line, given the site tag already as text (`site=...`, escaped). */
function lineWithSite(point: LinePoint, siteTag: string): string {
  const { tags, fields, time } = point;
  if (!Number.isSafeInteger(time)) throw new Error(`point in "${point.measurement}": time must be an integer number of ms, got ${String(time)}`);
  let line = escapeMeasurement(point.measurement);
  const keys = sortedTagKeys(tags);
  let siteDone = false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (!siteDone && key > 'site') {
      line += siteTag;
      siteDone = true;
    }
    line += `,${keyPrefix(key)}${escapeKey(tags[key]!)}`;
  }
  if (!siteDone) line += siteTag;
  let sep = ' ';
  // for-in: points are plain objects (JSON.parse, literals); it is markedly cheaper than Object.keys here.
  for (const key in fields) {
    const value = fields[key]!;
    // Numbers first, inline: they are most fields. No "i" suffix: every number is written as a float, so
    // one field never has two types.
    line += sep + keyPrefix(key) + (typeof value === 'number' && Number.isFinite(value) ? String(value) : otherFieldText(key, value, point.measurement));
    sep = ',';
  }
  if (sep === ' ') throw new Error(`point in "${point.measurement}": at least one field is needed`);
  return `${line} ${time}`;
}

const siteTagText = (site: string) => `,site=${escapeKey(site)}`;

/**
 * One line for one point, with its `site` tag set to `site` whatever the point's own tags say (an agent cannot
 * file data under another school). Tags sorted by key; fields in the point's order; time as integer ms.
 * Throws on what InfluxDB could not parse (no fields, a time that is not an integer, a number that is not
 * finite): the contract already refuses these, so a throw means a bug upstream, not bad input.
 */
export function toLine(point: LinePoint, site: string): string {
  return lineWithSite(point, siteTagText(site));
}

/**
 * Where the series key (measurement and tags) of a line ends: at its first space not escaped by a backslash,
 * as influxd's scanner reads it.
 */
export function seriesKeyLength(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 92 /* \\ */) i++;
    else if (c === 32) return i;
  }
  return line.length;
}

/** Lines (from toLine) as one chunk for the writer. */
export function linesToChunk(lines: readonly string[]): LineChunk {
  const text = lines.join('\n');
  Buffer.byteLength(text);
  return { text, points: lines.length };
}

/** toLine for many points of one site: the site tag is escaped once. */
export function lineMaker(site: string): (point: LinePoint) => string {
  const siteTag = siteTagText(site);
  return (point) => lineWithSite(point, siteTag);
}

/** Points of one site as one chunk for the writer: their lines joined by "\n". */
export function toChunk(points: readonly LinePoint[], site: string): LineChunk {
  const siteTag = siteTagText(site);
  let text = '';
  for (let i = 0; i < points.length; i++) text += (i === 0 ? '' : '\n') + lineWithSite(points[i]!, siteTag);
  // Concatenation leaves a tree of tens of thousands of small strings (a V8 "rope"), several times the size of
  // the text. Measuring its length flattens it into one string now, while the pieces are still young garbage;
  // the writer needs that length anyway, and then finds the text flat.
  Buffer.byteLength(text);
  return { text, points: points.length };
}
