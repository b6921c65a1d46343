import { readFileSync } from 'node:fs';
import { sharedPath } from './shared.ts';

/**
 * Reads the snmpsim recordings in ../shared/snmprec so tests can compare what an agent polled with
 * what the recording holds. Format: one `oid|tag|value` per line; the tag is the BER type number, with an
 * `x` suffix when the value is hex-encoded and `:module` when a variation module computes the value.
 */
export const RECORDINGS_DIR = `${sharedPath('snmprec')}/`;

export function recordingPath(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`recording name ${JSON.stringify(name)}: expected a file name`);
  return `${RECORDINGS_DIR}${name}.snmprec`;
}

// BER tags as snmpsim writes them (RFC 2578 application types 64-70).
const TYPES = {
  2: 'Integer32',
  4: 'OctetString',
  5: 'Null',
  6: 'ObjectIdentifier',
  64: 'IpAddress',
  65: 'Counter32',
  66: 'Gauge32',
  67: 'TimeTicks',
  68: 'Opaque',
  70: 'Counter64',
} as const;

type TypeName = (typeof TYPES)[keyof typeof TYPES];

export type RecordingValue =
  | { type: 'OctetString'; bytes: Buffer; text: string }
  | { type: 'Integer32' | 'Counter32' | 'Gauge32' | 'TimeTicks'; value: number }
  | { type: 'Counter64'; value: bigint }
  | { type: 'ObjectIdentifier' | 'IpAddress'; value: string }
  | { type: 'Null' }
  | { type: 'Opaque'; bytes: Buffer }
  /** The value is computed by snmpsim at request time, e.g. `numeric` with `initial=…,rate=…`. */
  | { type: TypeName; variation: string; args: string };

export interface RecordingEntry {
  oid: string;
  tag: string;
  raw: string;
}

const parsed = new Map<string, RecordingEntry[]>();

/** All lines of a recording, in file order (snmpsim requires them sorted by OID). */
export function recordingEntries(name: string): readonly RecordingEntry[] {
  let entries = parsed.get(name);
  if (!entries) {
    entries = parseSnmprec(readFileSync(recordingPath(name), 'utf8'), `${name}.snmprec`);
    parsed.set(name, entries);
  }
  return entries;
}

export function parseSnmprec(text: string, source = 'snmprec'): RecordingEntry[] {
  const entries: RecordingEntry[] = [];
  text.split('\n').forEach((line, i) => {
    const trimmed = line.replace(/\r$/, '');
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const first = trimmed.indexOf('|');
    const second = trimmed.indexOf('|', first + 1);
    if (first < 0 || second < 0) throw new Error(`${source}:${i + 1}: expected oid|tag|value, got ${JSON.stringify(line)}`);
    entries.push({ oid: trimmed.slice(0, first), tag: trimmed.slice(first + 1, second), raw: trimmed.slice(second + 1) });
  });
  return entries;
}

export function decodeEntry(entry: RecordingEntry): RecordingValue {
  const match = /^(\d+)(x?)(?::(.+))?$/.exec(entry.tag);
  const type = match ? TYPES[Number(match[1]) as keyof typeof TYPES] : undefined;
  if (!match || !type) throw new Error(`OID ${entry.oid}: unknown snmprec tag ${JSON.stringify(entry.tag)}`);
  const [, , hex, variation] = match;
  if (variation) return { type, variation, args: entry.raw };
  const bytes = (): Buffer => (hex ? Buffer.from(entry.raw, 'hex') : Buffer.from(entry.raw, 'utf8'));
  switch (type) {
    case 'OctetString': {
      const b = bytes();
      return { type, bytes: b, text: b.toString('utf8') };
    }
    case 'Opaque':
      return { type, bytes: bytes() };
    case 'Null':
      return { type };
    case 'IpAddress':
      return { type, value: hex ? [...bytes()].join('.') : entry.raw };
    case 'ObjectIdentifier':
      return { type, value: entry.raw };
    case 'Counter64':
      return { type, value: BigInt(entry.raw) };
    default:
      return { type, value: Number(entry.raw) };
  }
}

/** The decoded value of one OID, or undefined if the recording does not have it. */
export function recordingValue(name: string, oid: string): RecordingValue | undefined {
  const entry = recordingEntries(name).find((e) => e.oid === oid);
  return entry && decodeEntry(entry);
}

/** The text of an OctetString OID (e.g. sysDescr 1.3.6.1.2.1.1.1.0), or undefined if absent. */
export function recordingText(name: string, oid: string): string | undefined {
  const value = recordingValue(name, oid);
  if (value === undefined) return undefined;
  if (value.type !== 'OctetString' || !('text' in value)) throw new Error(`${name}: ${oid} is ${value.type}, not a string`);
  return value.text;
}

/** Distinct row indexes (the OID suffix after the column) under one table column, in file order. */
export function recordingRowIndexes(name: string, columnOid: string): string[] {
  const prefix = `${columnOid}.`;
  const rows = new Set<string>();
  for (const { oid } of recordingEntries(name)) if (oid.startsWith(prefix)) rows.add(oid.slice(prefix.length));
  return [...rows];
}

export function recordingRowCount(name: string, columnOid: string): number {
  return recordingRowIndexes(name, columnOid).length;
}

/** Distinct row indexes under any column of a table entry OID (e.g. ifEntry 1.3.6.1.2.1.2.2.1). */
export function recordingTableIndexes(name: string, entryOid: string): string[] {
  const prefix = `${entryOid}.`;
  const rows = new Set<string>();
  for (const { oid } of recordingEntries(name)) {
    if (!oid.startsWith(prefix)) continue;
    const rest = oid.slice(prefix.length);
    const dot = rest.indexOf('.');
    if (dot > 0) rows.add(rest.slice(dot + 1));
  }
  return [...rows];
}

export const IF_ENTRY = '1.3.6.1.2.1.2.2.1';
export const IFX_ENTRY = '1.3.6.1.2.1.31.1.1.1';

/**
 * The interfaces a recording describes: ifIndex values seen in any ifTable or ifXTable column (RFC 2863).
 * Many recordings lack the ifIndex column itself (see MANIFEST.md), so the column cannot be used.
 */
export function recordingInterfaceIndexes(name: string): number[] {
  const indexes = new Set<number>();
  for (const entry of [IF_ENTRY, IFX_ENTRY]) {
    for (const index of recordingTableIndexes(name, entry)) indexes.add(Number(index));
  }
  return [...indexes].sort((a, b) => a - b);
}
