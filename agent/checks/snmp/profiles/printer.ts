import { toTagValue, type FieldValue, type Sample } from '../../../../contract/index.ts';
import type { Varbind } from '../session.ts';
import { SnmpType } from '../values.ts';
import type { Profile } from './profile.ts';
import { CellReader, readTable, type TableRow } from './table.ts';

// Printer-MIB (RFC 3805) prtMarkerSuppliesTable and prtMarkerColorantTable, indexed by
// hrDeviceIndex.prtMarkerSuppliesIndex and hrDeviceIndex.prtMarkerColorantIndex.
const SUPPLY_ENTRY = '1.3.6.1.2.1.43.11.1.1';
const SUPPLY_COLUMNS = {
  colorantIndex: `${SUPPLY_ENTRY}.3`,
  supplyClass: `${SUPPLY_ENTRY}.4`,
  type: `${SUPPLY_ENTRY}.5`,
  descr: `${SUPPLY_ENTRY}.6`,
  unit: `${SUPPLY_ENTRY}.7`,
  max: `${SUPPLY_ENTRY}.8`,
  level: `${SUPPLY_ENTRY}.9`,
} as const;
const COLORANT_VALUE = '1.3.6.1.2.1.43.12.1.1.4';
// HOST-RESOURCES-MIB (RFC 2790): hrDeviceTable and hrPrinterTable, indexed by hrDeviceIndex.
const HR_DEVICE_TYPE = '1.3.6.1.2.1.25.3.2.1.2';
const HR_DEVICE_STATUS = '1.3.6.1.2.1.25.3.2.1.5';
const HR_PRINTER_STATUS = '1.3.6.1.2.1.25.3.5.1.1';
const HR_PRINTER_ERRORS = '1.3.6.1.2.1.25.3.5.1.2';
const HR_DEVICE_PRINTER = '1.3.6.1.2.1.25.3.1.5';

export type SupplyRow = TableRow<keyof typeof SUPPLY_COLUMNS>;
export type ColorantRow = TableRow<'value'>;
export type PrinterRow = TableRow<'deviceType' | 'deviceStatus' | 'printerStatus' | 'errors'>;

/** How a supply's level reads (RFC 3805 prtMarkerSuppliesLevel and ...MaxCapacity special values). */
export type LevelState = 'percent' | 'some_remaining' | 'unknown' | 'other';

/**
 * RFC 3805: prtMarkerSuppliesLevel (and prtInputCurrentLevel) -1 means "other" (no restriction, e.g. a
 * refillable supply), -2 "unknown", -3 "some remaining" (at least one unit, no more is known); 0 is
 * empty whatever the capacity says, even an unknown one; prtMarkerSuppliesMaxCapacity -1 "other", -2
 * "unknown". A percentage needs a level >= 0 and a capacity > 0, and is rounded to 0.1 (a level of
 * 11 of 20 is 55 %, not 55.00000000000001).
 */
export function supplyLevel(level: number | undefined, max: number | undefined): { state: LevelState; pct?: number } {
  if (level === -3) return { state: 'some_remaining' };
  if (level === -1) return { state: 'other' };
  if (level === undefined || level < 0) return { state: 'unknown' };
  // State "percent" so that the low-supply alert, which reads level_pct where the state is percent, fires.
  if (level === 0) return { state: 'percent', pct: 0 };
  if (max === -1) return { state: 'other' };
  if (max === undefined || max <= 0) return { state: 'unknown' };
  return { state: 'percent', pct: roundTenth((level / max) * 100) };
}

/** To 0.1, without binary leftovers (Math.round(x * 10) / 10 is exact for the percentages we make). */
export function roundTenth(x: number): number {
  return Math.round(x * 10) / 10;
}

/**
 * hrPrinterDetectedErrorState (RFC 2790, extended by RFC 3805 §2.2.13.4): a BITS string, bit 0 the
 * most significant bit of the first octet. The fields are the conditions a tech acts on.
 */
const ERROR_BITS: readonly [number, string][] = [
  [0, 'low_paper'],
  [1, 'no_paper'],
  [2, 'low_toner'],
  [3, 'no_toner'],
  [4, 'door_open'],
  [5, 'jammed'],
  [6, 'offline'],
  [7, 'service_requested'],
  [8, 'input_tray_missing'],
  [9, 'output_tray_missing'],
  [10, 'marker_supply_missing'],
  [11, 'output_near_full'],
  [12, 'output_full'],
  [13, 'input_tray_empty'],
  [14, 'overdue_prevent_maint'],
];

export function printerErrorBits(bits: Buffer): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const [bit, name] of ERROR_BITS) {
    const octet = bits[bit >> 3];
    fields[name] = octet !== undefined && (octet & (0x80 >> (bit & 7))) !== 0 ? 1 : 0;
  }
  return fields;
}

/**
 * `printer_supply` per supply (tags `supply` = description, `supply_index`, `colour` where the colorant
 * table names it): level_state, and level_pct, level, max_capacity where known; supply_type and
 * supply_class as RFC 3805 numbers (type 3 toner, 4 waste toner, 9 opc; class 3 consumed, 4 filled).
 */
export function supplySamples(
  supplies: readonly SupplyRow[],
  colorants: readonly ColorantRow[],
  tags: Readonly<Record<string, string>>,
  time: number,
): Sample[] {
  const colour = new Map(colorants.map((c) => [c.index, new CellReader().text(c.value, 'prtMarkerColorantValue')]));
  const samples: Sample[] = [];
  for (const row of supplies) {
    const cells = new CellReader();
    const descr = cells.text(row.descr, 'prtMarkerSuppliesDescription');
    const level = cells.number(row.level, 'prtMarkerSuppliesLevel');
    const max = cells.number(row.max, 'prtMarkerSuppliesMaxCapacity');
    const type = cells.number(row.type, 'prtMarkerSuppliesType');
    const supplyClass = cells.number(row.supplyClass, 'prtMarkerSuppliesClass');
    const colorantIndex = cells.number(row.colorantIndex, 'prtMarkerSuppliesColorantIndex');
    const fields: Record<string, FieldValue> = {};
    const reading = supplyLevel(level, max);
    fields.level_state = reading.state;
    if (reading.pct !== undefined) fields.level_pct = reading.pct;
    if (level !== undefined && level >= 0) fields.level = level;
    if (max !== undefined && max >= 0) fields.max_capacity = max;
    if (type !== undefined) fields.supply_type = type;
    if (supplyClass !== undefined) fields.supply_class = supplyClass;
    const error = cells.error();
    if (error !== undefined) fields.error = error;

    const rowTags: Record<string, string> = {
      ...tags,
      supply: toTagValue(descr ?? '', `supply ${row.index}`),
      supply_index: row.index,
    };
    // prtMarkerSuppliesColorantIndex 0 means "no colorant" (RFC 3805); the colorant row shares the hrDeviceIndex.
    const device = row.index.split('.')[0];
    const name = colorantIndex !== undefined && colorantIndex > 0 ? colour.get(`${device}.${colorantIndex}`) : undefined;
    if (name !== undefined && name.trim() !== '') rowTags.colour = toTagValue(name.toLowerCase(), 'unknown');
    samples.push({ measurement: 'printer_supply', tags: rowTags, fields, time });
  }
  return samples;
}

/**
 * `printer` per printer device (tag `printer_index` = hrDeviceIndex): device_status (hrDeviceStatus:
 * 1 unknown, 2 running, 3 warning, 4 testing, 5 down), printer_status (hrPrinterStatus: 1 other,
 * 2 unknown, 3 idle, 4 printing, 5 warmup) and one 0/1 field per hrPrinterDetectedErrorState condition.
 */
export function printerSamples(rows: readonly PrinterRow[], tags: Readonly<Record<string, string>>, time: number): Sample[] {
  const samples: Sample[] = [];
  for (const row of rows) {
    const cells = new CellReader();
    const type = cells.oid(row.deviceType, 'hrDeviceType');
    if (row.printerStatus === undefined && row.errors === undefined && type !== HR_DEVICE_PRINTER) continue;
    const fields: Record<string, FieldValue> = {};
    const deviceStatus = cells.number(row.deviceStatus, 'hrDeviceStatus');
    const printerStatus = cells.number(row.printerStatus, 'hrPrinterStatus');
    if (deviceStatus !== undefined) fields.device_status = deviceStatus;
    if (printerStatus !== undefined) fields.printer_status = printerStatus;
    const bits = errorStateBytes(row.errors);
    if (bits !== undefined) Object.assign(fields, printerErrorBits(bits));
    else if (row.errors !== undefined) cells.bad.push('hrPrinterDetectedErrorState');
    const error = cells.error();
    if (error !== undefined) fields.error = error;
    if (Object.keys(fields).length === 0) continue;
    samples.push({ measurement: 'printer', tags: { ...tags, printer_index: row.index }, fields, time });
  }
  return samples;
}

function errorStateBytes(vb: Varbind | undefined): Buffer | undefined {
  if (vb === undefined || vb.type !== SnmpType.OctetString) return undefined;
  return Buffer.isBuffer(vb.value) ? vb.value : typeof vb.value === 'string' ? Buffer.from(vb.value, 'latin1') : undefined;
}

// Printer-MIB (RFC 3805) prtInputTable, indexed by hrDeviceIndex.prtInputIndex.
const INPUT_ENTRY = '1.3.6.1.2.1.43.8.2.1';
const INPUT_COLUMNS = {
  type: `${INPUT_ENTRY}.2`,
  max: `${INPUT_ENTRY}.9`,
  level: `${INPUT_ENTRY}.10`,
  status: `${INPUT_ENTRY}.11`,
  media: `${INPUT_ENTRY}.12`,
  name: `${INPUT_ENTRY}.13`,
  descr: `${INPUT_ENTRY}.18`,
} as const;
export type InputRow = TableRow<keyof typeof INPUT_COLUMNS>;

/**
 * `printer_tray` per input (tags `tray` = prtInputName, else prtInputDescription, and `tray_index`):
 * level_state and level_pct as for supplies (prtInputCurrentLevel has the same -1/-2/-3 values), level,
 * max_capacity, paper_out (1 when the level is 0: "no media" per RFC 3805, or when prtInputStatus has
 * no media available), status (prtInputStatus, a PrtSubUnitStatusTC), media (prtInputMediaName).
 */
export function traySamples(rows: readonly InputRow[], tags: Readonly<Record<string, string>>, time: number): Sample[] {
  const samples: Sample[] = [];
  for (const row of rows) {
    const cells = new CellReader();
    const name = cells.text(row.name, 'prtInputName')?.trim();
    const descr = cells.text(row.descr, 'prtInputDescription')?.trim();
    const level = cells.number(row.level, 'prtInputCurrentLevel');
    const max = cells.number(row.max, 'prtInputMaxCapacity');
    const status = cells.number(row.status, 'prtInputStatus');
    const media = cells.text(row.media, 'prtInputMediaName')?.trim();
    const fields: Record<string, FieldValue> = {};
    const reading = supplyLevel(level, max);
    fields.level_state = reading.state;
    if (reading.pct !== undefined) fields.level_pct = reading.pct;
    if (level !== undefined && level >= 0) fields.level = level;
    if (max !== undefined && max >= 0) fields.max_capacity = max;
    // -3 (some remaining) is not out; -1/-2 (other, unknown) say nothing either way.
    if (level !== undefined && (level >= 0 || level === -3)) fields.paper_out = level === 0 ? 1 : 0;
    if (status !== undefined) fields.status = status;
    if (media !== undefined && media !== '') fields.media = media.slice(0, 128);
    const error = cells.error();
    if (error !== undefined) fields.error = error;
    const label = name !== undefined && name !== '' ? name : descr !== undefined && descr !== '' ? descr : `tray ${row.index}`;
    samples.push({ measurement: 'printer_tray', tags: { ...tags, tray: toTagValue(label, `tray ${row.index}`), tray_index: row.index }, fields, time });
  }
  return samples;
}

export const printerProfile: Profile = {
  name: 'printer',
  probes: [SUPPLY_COLUMNS.level, SUPPLY_COLUMNS.descr, HR_PRINTER_ERRORS],
  detect: (_system, answered) => answered(SUPPLY_COLUMNS.level) || answered(SUPPLY_COLUMNS.descr) || answered(HR_PRINTER_ERRORS),
  async poll(session, ctx) {
    const printers = await readTable(session, {
      deviceType: HR_DEVICE_TYPE,
      deviceStatus: HR_DEVICE_STATUS,
      printerStatus: HR_PRINTER_STATUS,
      errors: HR_PRINTER_ERRORS,
    });
    const supplies = await readTable(session, SUPPLY_COLUMNS);
    const colorants = supplies.some((s) => s.colorantIndex !== undefined) ? await readTable(session, { value: COLORANT_VALUE }) : [];
    const inputs = await readTable(session, INPUT_COLUMNS);
    const time = ctx.now();
    return { samples: [...printerSamples(printers, ctx.tags, time), ...supplySamples(supplies, colorants, ctx.tags, time), ...traySamples(inputs, ctx.tags, time)] };
  },
};
