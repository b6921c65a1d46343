import { toTagValue, type Device, type FieldValue, type Sample } from '../../../contract/index.ts';
import { counterRate, type CounterObservation } from '../../rates/counter.ts';
import { deviceTags } from '../check.ts';
import type { Counter, InterfaceRow } from './interfaces.ts';

/** The counters of one interface kept from one poll to the next, for rates. */
export type InterfaceReading = Partial<Record<CounterName, CounterObservation>>;
type CounterName = 'in_octets' | 'out_octets' | 'in_errors' | 'out_errors' | 'in_discards' | 'out_discards';

const IF_SPEED_MAX = 4_294_967_295;

export interface InterfacePoll {
  device: Device;
  rows: readonly InterfaceRow[];
  /** When the counters were read (ms since epoch). */
  at: number;
  /** sysUpTime from the same poll, for reboot detection. */
  uptimeCs: number | undefined;
  /** The previous poll's readings by ifIndex; undefined on the first poll. */
  previous: ReadonlyMap<number, InterfaceReading> | undefined;
  /** Tags of every sample of the device; defaults to the device's own (device, role). */
  tags?: Readonly<Record<string, string>>;
}

/**
 * One `interface` sample per row, and the readings to keep for the next poll. Octets come from the
 * 64-bit ifHC columns where the device has them (RFC 2863 §3.1.6), else from the 32-bit ifTable ones.
 */
export function interfaceSamples(poll: InterfacePoll): { samples: Sample[]; readings: Map<number, InterfaceReading> } {
  const samples: Sample[] = [];
  const readings = new Map<number, InterfaceReading>();
  for (const row of poll.rows) {
    const octets = row.hcInOctets !== undefined && row.hcOutOctets !== undefined
      ? { in: row.hcInOctets, out: row.hcOutOctets }
      : { in: row.inOctets ?? row.hcInOctets, out: row.outOctets ?? row.hcOutOctets };
    const counters: Partial<Record<CounterName, Counter>> = {
      in_octets: octets.in,
      out_octets: octets.out,
      in_errors: row.inErrors,
      out_errors: row.outErrors,
      in_discards: row.inDiscards,
      out_discards: row.outDiscards,
    };
    const reading: InterfaceReading = {};
    for (const [name, counter] of Object.entries(counters) as [CounterName, Counter | undefined][]) {
      if (counter !== undefined) {
        reading[name] = { ...counter, at: poll.at, uptimeCs: poll.uptimeCs, discontinuityCs: row.discontinuityCs };
      }
    }
    readings.set(row.index, reading);

    const fields: Record<string, FieldValue> = {};
    if (row.operStatus !== undefined) fields.oper_status = row.operStatus;
    if (row.adminStatus !== undefined) fields.admin_status = row.adminStatus;
    const speed = speedBps(row);
    if (speed !== undefined) fields.speed_bps = speed;
    if (octets.in !== undefined) fields.in_octets = Number(octets.in.value);
    if (octets.out !== undefined) fields.out_octets = Number(octets.out.value);
    const bits = octets.in?.bits ?? octets.out?.bits;
    if (bits !== undefined) fields.counter_bits = bits;
    Object.assign(fields, rateFields(poll.previous?.get(row.index), reading, speed));
    // A row the device lists but says nothing usable about still counts as an interface, but has no sample.
    if (Object.keys(fields).length === 0) continue;
    const tags: Record<string, string> = { ...(poll.tags ?? deviceTags(poll.device)), interface: interfaceName(row), if_index: String(row.index) };
    // ifAlias (RFC 2863 §3.1.4) is the label a tech gave the port ("Hall AP 3"): the name people search for.
    const alias = row.alias === undefined ? '' : toTagValue(row.alias, '');
    if (alias !== '') tags.alias = alias;
    samples.push({
      measurement: 'interface',
      tags,
      fields,
      time: poll.at,
    });
  }
  return { samples, readings };
}

/** ifName, else ifDescr, else "if<index>" (RFC 2863: ifName is the device's own name for the port). */
export function interfaceName(row: InterfaceRow): string {
  const name = [row.name, row.descr].map((s) => (s === undefined ? '' : toTagValue(s, ''))).find((s) => s !== '');
  return name ?? `if${row.index}`;
}

/**
 * RFC 2863: ifSpeed (bit/s, Gauge32) is exact but saturates at 4,294,967,295 for faster links, where
 * ifHighSpeed (units of 1,000,000 bit/s, rounded) must be used instead. Some devices leave ifSpeed 0 on
 * aggregates while ifHighSpeed has the figure.
 */
export function speedBps(row: InterfaceRow): number | undefined {
  const saturated = row.speed === IF_SPEED_MAX;
  if (row.speed !== undefined && row.speed > 0 && !saturated) return row.speed;
  if (row.highSpeed !== undefined && (row.highSpeed > 0 || row.speed === undefined || saturated)) return row.highSpeed * 1_000_000;
  return row.speed;
}

function rateFields(prev: InterfaceReading | undefined, cur: InterfaceReading, speed: number | undefined): Record<string, number> {
  if (prev === undefined) return {};
  const out: Record<string, number> = {};
  const maxOctetsPerSecond = speed !== undefined && speed > 0 ? speed / 8 : undefined;
  const rate = (name: CounterName, limit?: number) => {
    const c = cur[name];
    return c === undefined ? undefined : counterRate(prev[name], c, { maxPerSecond: limit }).rate;
  };
  const inBps = times8(rate('in_octets', maxOctetsPerSecond));
  const outBps = times8(rate('out_octets', maxOctetsPerSecond));
  if (inBps !== undefined) out.in_bps = inBps;
  if (outBps !== undefined) out.out_bps = outBps;
  for (const name of ['in_errors', 'out_errors', 'in_discards', 'out_discards'] as const) {
    const r = rate(name);
    if (r !== undefined) out[`${name}_ps`] = r;
  }
  if (speed !== undefined && speed > 0 && (inBps !== undefined || outBps !== undefined)) {
    out.utilisation_pct = (Math.max(inBps ?? 0, outBps ?? 0) / speed) * 100;
  }
  return out;
}

function times8(octetsPerSecond: number | undefined): number | undefined {
  return octetsPerSecond === undefined ? undefined : octetsPerSecond * 8;
}
