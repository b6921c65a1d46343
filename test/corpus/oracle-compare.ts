import type { Sample } from '../../contract/index.ts';
import { SENSOR_TABLES } from '../../agent/checks/snmp/profiles/environment.ts';
import { OUTPUT_SOURCES } from '../../agent/checks/snmp/profiles/ups.ts';
import type { Oracle } from './oracle-poll.ts';

/** One value compared with LibreNMS's: where, what it expected, what we read. */
export interface Mismatch {
  what: string;
  expected: unknown;
  got: unknown;
}

export interface Tally {
  compared: number;
  equal: number;
  mismatches: Mismatch[];
}

const tally = (): Tally => ({ compared: 0, equal: 0, mismatches: [] });
function check(t: Tally, what: string, expected: unknown, got: unknown, same: boolean): void {
  t.compared++;
  if (same) t.equal++;
  else t.mismatches.push({ what, expected, got });
}
const near = (a: unknown, b: unknown) => typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= Math.max(0.01, Math.abs(b) * 1e-6);

/** IF-MIB ifOperStatus (RFC 2863) numbers by the word LibreNMS stores. */
const OPER: Readonly<Record<string, number>> = { up: 1, down: 2, testing: 3, unknown: 4, dormant: 5, notPresent: 6, lowerLayerDown: 7 };

/**
 * LibreNMS's ports, found among our `interface` samples by ifIndex: the name (ifName, else ifDescr, as
 * LibreNMS shows it), the oper status and the speed in bit/s.
 */
export function compareInterfaces(
  oracle: Oracle,
  samples: readonly Sample[],
  hasValues: (ifIndex: number) => boolean,
): { found: Tally; name: Tally; oper: Tally; speed: Tally; nameOnly: number } {
  const out = { found: tally(), name: tally(), oper: tally(), speed: tally(), nameOnly: 0 };
  const byIndex = new Map(samples.filter((s) => s.measurement === 'interface').map((s) => [s.tags.if_index, s]));
  for (const port of oracle.ports ?? []) {
    const ours = byIndex.get(String(port.ifIndex));
    // A port the recording only names (no status, speed or counter) gives the agent nothing to store.
    if (ours === undefined && !hasValues(port.ifIndex)) {
      out.nameOnly++;
      continue;
    }
    check(out.found, `ifIndex ${port.ifIndex}`, 'present', ours === undefined ? 'absent' : 'present', ours !== undefined);
    if (ours === undefined) continue;
    const name = (port.ifName ?? '').trim() !== '' ? port.ifName!.trim() : (port.ifDescr ?? '').trim();
    if (name !== '') check(out.name, `ifIndex ${port.ifIndex} name`, name, ours.tags.interface, ours.tags.interface?.trim() === name);
    if (port.ifOperStatus != null) {
      // LibreNMS stores the word, or the number as text where the device's value has no name ("0").
      const expected = typeof port.ifOperStatus === 'number' || /^\d+$/.test(port.ifOperStatus) ? Number(port.ifOperStatus) : OPER[port.ifOperStatus];
      check(out.oper, `ifIndex ${port.ifIndex} oper`, port.ifOperStatus, ours.fields.oper_status, expected === ours.fields.oper_status);
    }
    if (port.ifSpeed != null) check(out.speed, `ifIndex ${port.ifIndex} speed`, port.ifSpeed, ours.fields.speed_bps, ours.fields.speed_bps === port.ifSpeed);
  }
  return out;
}

const SUPPLY_LEVEL = '1.3.6.1.2.1.43.11.1.1.9.';
const INPUT_LEVEL = '1.3.6.1.2.1.43.8.2.1.10.';

/**
 * LibreNMS's printer supplies and input trays that come from the Printer-MIB (RFC 3805), found by index
 * among our `printer_supply` and `printer_tray` samples: LibreNMS's whole-number percentage against ours
 * rounded to a whole number. A level we say has no percentage (-3 some remaining, -2 unknown) is compared
 * as that word, so LibreNMS's made-up 50 % shows as a mismatch that the test must justify.
 */
export function compareSupplies(oracle: Oracle, samples: readonly Sample[]): { supplies: Tally; trays: Tally; notReadVendorMib: number } {
  const out = { supplies: tally(), trays: tally(), notReadVendorMib: 0 };
  for (const supply of oracle.printer_supplies ?? []) {
    const oid = supply.supply_oid.replace(/^\./, '');
    const isTray = oid.startsWith(INPUT_LEVEL);
    if (!isTray && !oid.startsWith(SUPPLY_LEVEL)) {
      out.notReadVendorMib++;
      continue;
    }
    const index = oid.slice((isTray ? INPUT_LEVEL : SUPPLY_LEVEL).length);
    const ours = samples.find((s) => (isTray ? s.measurement === 'printer_tray' && s.tags.tray_index === index : s.measurement === 'printer_supply' && s.tags.supply_index === index));
    const got = ours === undefined ? 'absent' : typeof ours.fields.level_pct === 'number' ? Math.round(ours.fields.level_pct) : ours.fields.level_state;
    check(isTray ? out.trays : out.supplies, `${isTray ? 'tray' : 'supply'} ${index} "${supply.supply_descr}"`, supply.supply_current, got, got === supply.supply_current);
  }
  return out;
}

const UPS = '1.3.6.1.2.1.33.1.';
const APC = '1.3.6.1.4.1.318.1.1.1.';
/** Sensor OIDs LibreNMS reads for a UPS, and the `ups` field that holds the same reading. */
const UPS_FIELDS: readonly [string, string][] = [
  [`${UPS}2.4.0`, 'battery_pct'],
  [`${UPS}2.3.0`, 'runtime_min'],
  [`${UPS}2.7.0`, 'battery_temp_c'],
  [`${UPS}2.5.0`, 'battery_voltage_v'],
  [`${UPS}4.2.0`, 'output_frequency_hz'],
  [`${APC}2.3.1.0`, 'battery_pct'],
  [`${APC}2.2.1.0`, 'battery_pct'],
  [`${APC}2.2.3.0`, 'runtime_min'],
  [`${APC}2.3.2.0`, 'battery_temp_c'],
  [`${APC}2.2.2.0`, 'battery_temp_c'],
  [`${APC}2.3.4.0`, 'battery_voltage_v'],
  [`${APC}2.2.8.0`, 'battery_voltage_v'],
  [`${APC}3.3.1.0`, 'input_voltage_v'],
  [`${APC}3.2.1.0`, 'input_voltage_v'],
  [`${APC}3.3.4.0`, 'input_frequency_hz'],
  [`${APC}3.2.4.0`, 'input_frequency_hz'],
  [`${APC}4.3.1.0`, 'output_voltage_v'],
  [`${APC}4.2.1.0`, 'output_voltage_v'],
  [`${APC}4.3.2.0`, 'output_frequency_hz'],
  [`${APC}4.2.2.0`, 'output_frequency_hz'],
  [`${APC}4.3.3.0`, 'load_pct'],
  [`${APC}4.2.3.0`, 'load_pct'],
  [`${APC}4.3.4.0`, 'output_current_a'],
  [`${APC}4.2.4.0`, 'output_current_a'],
];
/** UPS-MIB line columns: the `ups` sample holds the first line's reading (load: the highest line's). */
const UPS_LINE_FIELDS: readonly [string, string][] = [
  [`${UPS}3.3.1.2.`, 'input_frequency_hz'],
  [`${UPS}3.3.1.3.`, 'input_voltage_v'],
  [`${UPS}4.4.1.2.`, 'output_voltage_v'],
  [`${UPS}4.4.1.3.`, 'output_current_a'],
];

/** LibreNMS's UPS sensors (UPS-MIB, PowerNet) against our `ups` sample's fields. */
export function compareUps(oracle: Oracle, samples: readonly Sample[]): Tally {
  const out = tally();
  const ups = samples.find((s) => s.measurement === 'ups');
  const sensors = (oracle.sensors ?? []).map((s) => ({ ...s, oid: s.sensor_oid.replace(/^\./, '') }));
  const field = (name: string) => ups?.fields[name];
  for (const s of sensors) {
    const direct = UPS_FIELDS.find(([oid]) => oid === s.oid);
    if (direct !== undefined && s.sensor_class !== 'state') check(out, `${s.sensor_class} ${s.oid}`, s.sensor_current, field(direct[1]), near(field(direct[1]), s.sensor_current));
    const line = UPS_LINE_FIELDS.find(([prefix]) => s.oid.startsWith(prefix));
    if (line !== undefined) {
      const first = sensors.filter((o) => o.oid.startsWith(line[0])).map((o) => o.oid).sort((a, b) => Number(a.slice(line[0].length)) - Number(b.slice(line[0].length)))[0];
      if (first === s.oid) check(out, `${s.sensor_class} ${s.oid}`, s.sensor_current, field(line[1]), near(field(line[1]), s.sensor_current));
    }
    if (s.oid.startsWith(`${UPS}4.4.1.5.`)) {
      const loads = sensors.filter((o) => o.oid.startsWith(`${UPS}4.4.1.5.`)).map((o) => o.sensor_current ?? 0);
      if (s.oid === sensors.find((o) => o.oid.startsWith(`${UPS}4.4.1.5.`))?.oid) check(out, `load ${s.oid}`, Math.max(...loads), field('load_pct'), near(field('load_pct'), Math.max(...loads)));
    }
    if (s.oid === `${UPS}4.1.0` && s.sensor_current !== null) {
      const word = OUTPUT_SOURCES[s.sensor_current] ?? 'other';
      check(out, `output source ${s.oid}`, word, field('output_source'), field('output_source') === word);
    }
  }
  return out;
}

// NET-SNMP-EXTEND-MIB: LibreNMS's OpenWrt/ASUSWRT client counts come from scripts the site installs.
const EXTEND_SCRIPT = '1.3.6.1.4.1.8072.1.3.';

/**
 * The device's connected Wi-Fi clients as LibreNMS counts them (wireless sensors of class clients), or
 * undefined where it has none we can read: its "Total" sensor; else its per-radio sensors summed; else its
 * per-SSID sensors summed (LibreNMS files the same clients under an SSID and a radio, so summing all of
 * them would count each twice). Sensors read from a site-installed extend script are left out.
 */
export function oracleClients(oracle: Oracle): number | undefined {
  const all = (oracle.wireless_sensors ?? []).filter((s) => s.sensor_class === 'clients' && s.sensor_current !== null);
  const clients = all.filter((s) => !(s.sensor_oids ?? s.sensor_oid ?? '').includes(EXTEND_SCRIPT));
  if (clients.length === 0) return undefined;
  const total = clients.find((s) => /total/i.test(s.sensor_descr));
  if (total !== undefined) return total.sensor_current ?? undefined;
  const ssid = clients.filter((s) => /^SSID/i.test(s.sensor_descr));
  const radios = clients.filter((s) => !ssid.includes(s));
  return (radios.length > 0 ? radios : ssid).reduce((sum, s) => sum + (s.sensor_current ?? 0), 0);
}

/**
 * LibreNMS's client count against the `wireless_clients` our profiles put on the device's `snmp` sample,
 * where both have one; `notRead` counts devices where LibreNMS has a count and we read none.
 */
export function compareClients(oracle: Oracle, ours: unknown): { clients: Tally; notRead: number } {
  const out = { clients: tally(), notRead: 0 };
  const expected = oracleClients(oracle);
  if (expected === undefined) return out;
  if (ours === undefined) out.notRead++;
  else check(out.clients, 'wifi clients', expected, ours, ours === expected);
  return out;
}

/** IF-MIB value columns (status, speed, counters) whose presence makes an `interface` sample. */
const VALUE_COLUMNS = [7, 8, 5, 10, 16, 13, 14, 19, 20].map((c) => `1.3.6.1.2.1.2.2.1.${c}.`).concat([6, 10, 15].map((c) => `1.3.6.1.2.1.31.1.1.1.${c}.`));

/** ifIndexes for which the recording has at least one value column. */
export function indexesWithValues(lines: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (const line of lines) {
    const oid = line.slice(0, line.indexOf('|'));
    const column = VALUE_COLUMNS.find((c) => oid.startsWith(c));
    if (column !== undefined) out.add(Number(oid.slice(column.length)));
  }
  return out;
}

/**
 * LibreNMS's temperature and humidity sensors read from a probe table this project reads
 * (profiles/environment.ts), against our `environment` sample of the same row.
 */
export function compareEnvironment(oracle: Oracle, samples: readonly Sample[]): Tally {
  const out = tally();
  for (const s of oracle.sensors ?? []) {
    if (s.sensor_class !== 'temperature' && s.sensor_class !== 'humidity') continue;
    const oid = s.sensor_oid.replace(/^\./, '');
    for (const t of SENSOR_TABLES) {
      const column = s.sensor_class === 'temperature' ? t.temperature : t.humidity;
      if (column === undefined || !oid.startsWith(`${column}.`)) continue;
      const index = `${t.name}.${oid.slice(column.length + 1)}`;
      const ours = samples.find((x) => x.measurement === 'environment' && x.tags.sensor_index === index);
      const got = ours?.fields[s.sensor_class === 'temperature' ? 'temperature_c' : 'humidity_pct'] ?? 'absent';
      check(out, `${s.sensor_class} ${oid}`, s.sensor_current, got, near(got, s.sensor_current));
    }
  }
  return out;
}
