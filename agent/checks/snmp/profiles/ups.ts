import type { FieldValue, Sample } from '../../../../contract/index.ts';
import type { Varbind } from '../session.ts';
import type { Profile } from './profile.ts';
import { CellReader, readScalars, readTable } from './table.ts';

/**
 * One `ups` sample per UPS, the same fields whichever MIB it speaks:
 * on_battery (0/1), battery_pct, runtime_min, load_pct, input_voltage_v, output_voltage_v,
 * battery_status ("normal", "low", "depleted", "fault", "unknown"), battery_temp_c, seconds_on_battery,
 * battery_replace (0/1, PowerNet only), and `mib` ("ups_mib" or "powernet"); output_source, the
 * string of RFC 1628 upsOutputSource ("other", "none", "normal", "bypass", "battery", "booster",
 * "reducer"; PowerNet's upsBasicOutputStatus is mapped onto the same words), so that "bypass" (the
 * load is unprotected) and "none" (no output) can alert whatever the make; input_frequency_hz,
 * output_frequency_hz, battery_voltage_v, output_current_a (first line), manufacturer.
 */
export type UpsFields = Record<string, FieldValue>;

// UPS-MIB (RFC 1628), upsMIB = 1.3.6.1.2.1.33.
const UPS = '1.3.6.1.2.1.33.1';
const UPS_MIB = {
  batteryStatus: `${UPS}.2.1.0`,
  secondsOnBattery: `${UPS}.2.2.0`,
  minutesRemaining: `${UPS}.2.3.0`,
  chargeRemaining: `${UPS}.2.4.0`,
  batteryTemperature: `${UPS}.2.7.0`,
  batteryVoltage: `${UPS}.2.5.0`,
  outputSource: `${UPS}.4.1.0`,
  outputFrequency: `${UPS}.4.2.0`,
  manufacturer: `${UPS}.1.1.0`,
} as const;
const UPS_INPUT_VOLTAGE = `${UPS}.3.3.1.3`;
const UPS_INPUT_FREQUENCY = `${UPS}.3.3.1.2`;
const UPS_OUTPUT_CURRENT = `${UPS}.4.4.1.3`;
const UPS_OUTPUT_VOLTAGE = `${UPS}.4.4.1.2`;
const UPS_OUTPUT_LOAD = `${UPS}.4.4.1.5`;

/** upsBatteryStatus (RFC 1628): 1 unknown, 2 batteryNormal, 3 batteryLow, 4 batteryDepleted. */
const UPS_MIB_BATTERY: Readonly<Record<number, string>> = { 1: 'unknown', 2: 'normal', 3: 'low', 4: 'depleted' };
/** upsOutputSource (RFC 1628): 5 = battery. */
const OUTPUT_SOURCE_BATTERY = 5;
/** upsOutputSource (RFC 1628 §upsOutput): other(1), none(2), normal(3), bypass(4), battery(5), booster(6), reducer(7). */
export const OUTPUT_SOURCES: Readonly<Record<number, string>> = { 1: 'other', 2: 'none', 3: 'normal', 4: 'bypass', 5: 'battery', 6: 'booster', 7: 'reducer' };

type UpsMibScalars = Partial<Record<keyof typeof UPS_MIB, Varbind>>;
/**
 * An RFC 1628 line voltage in volts. The MIB says whole volts, but some cards (MGE/Galaxy, CXC among the
 * recordings) send tenths: 2303 for 230.3 V. A UPS on this MIB feeds low-voltage equipment (below 1,000 V
 * AC by definition, IEC 60038), so a reading of 1,000 or more can only be tenths and is read as such.
 */
export function lineVolts(raw: number): number {
  return raw >= 1_000 ? Math.round(raw) / 10 : raw;
}

type LineRow = { index: string; voltage?: Varbind; load?: Varbind; frequency?: Varbind; current?: Varbind };

/**
 * RFC 1628. On battery when upsOutputSource is battery(5); without that object, when upsSecondsOnBattery
 * is above zero (it "shall be zero" on mains). Input voltage is the first input line's; load is the
 * highest of the output lines', since the most loaded phase is the one that trips.
 */
export function upsMibFields(scalars: UpsMibScalars, inputs: readonly LineRow[], outputs: readonly LineRow[]): UpsFields {
  const cells = new CellReader();
  const fields: UpsFields = { mib: 'ups_mib' };
  const source = cells.number(scalars.outputSource, 'upsOutputSource');
  const seconds = cells.number(scalars.secondsOnBattery, 'upsSecondsOnBattery');
  if (source !== undefined) {
    fields.on_battery = source === OUTPUT_SOURCE_BATTERY ? 1 : 0;
    fields.output_source = OUTPUT_SOURCES[source] ?? 'other';
  } else if (seconds !== undefined) fields.on_battery = seconds > 0 ? 1 : 0;
  if (seconds !== undefined) fields.seconds_on_battery = seconds;
  const status = cells.number(scalars.batteryStatus, 'upsBatteryStatus');
  if (status !== undefined) fields.battery_status = UPS_MIB_BATTERY[status] ?? 'unknown';
  const charge = cells.number(scalars.chargeRemaining, 'upsEstimatedChargeRemaining');
  if (charge !== undefined) fields.battery_pct = charge;
  const minutes = cells.number(scalars.minutesRemaining, 'upsEstimatedMinutesRemaining');
  if (minutes !== undefined) fields.runtime_min = minutes;
  const temp = cells.number(scalars.batteryTemperature, 'upsBatteryTemperature');
  if (temp !== undefined) fields.battery_temp_c = temp;
  const inputVoltage = inputs.map((r) => cells.number(r.voltage, 'upsInputVoltage')).find((v) => v !== undefined);
  if (inputVoltage !== undefined) fields.input_voltage_v = lineVolts(inputVoltage);
  const outputVoltage = outputs.map((r) => cells.number(r.voltage, 'upsOutputVoltage')).find((v) => v !== undefined);
  if (outputVoltage !== undefined) fields.output_voltage_v = lineVolts(outputVoltage);
  // RFC 1628 units: upsInputFrequency and upsOutputFrequency in 0.1 Hz, upsBatteryVoltage in 0.1 V,
  // upsOutputCurrent in 0.1 A; voltages in whole volts.
  const inputFrequency = inputs.map((r) => cells.number(r.frequency, 'upsInputFrequency')).find((v) => v !== undefined);
  if (inputFrequency !== undefined) fields.input_frequency_hz = inputFrequency / 10;
  const outputFrequency = cells.number(scalars.outputFrequency, 'upsOutputFrequency');
  if (outputFrequency !== undefined) fields.output_frequency_hz = outputFrequency / 10;
  const batteryVoltage = cells.number(scalars.batteryVoltage, 'upsBatteryVoltage');
  if (batteryVoltage !== undefined) fields.battery_voltage_v = batteryVoltage / 10;
  const current = outputs.map((r) => cells.number(r.current, 'upsOutputCurrent')).find((v) => v !== undefined);
  if (current !== undefined) fields.output_current_a = current / 10;
  const manufacturer = cells.text(scalars.manufacturer, 'upsIdentManufacturer')?.trim();
  if (manufacturer !== undefined && manufacturer !== '') fields.manufacturer = manufacturer.slice(0, 64);
  const loads = outputs.map((r) => cells.number(r.load, 'upsOutputPercentLoad')).filter((v): v is number => v !== undefined);
  if (loads.length > 0) fields.load_pct = Math.max(...loads);
  const error = cells.error();
  if (error !== undefined) fields.error = error;
  return fields;
}

// PowerNet-MIB (APC), upsBasic/upsAdv/upsHighPrec under 1.3.6.1.4.1.318.1.1.1.
const APC = '1.3.6.1.4.1.318.1.1.1';
const POWERNET = {
  batteryStatus: `${APC}.2.1.1.0`,
  timeOnBattery: `${APC}.2.1.2.0`,
  capacity: `${APC}.2.2.1.0`,
  temperature: `${APC}.2.2.2.0`,
  runtime: `${APC}.2.2.3.0`,
  replace: `${APC}.2.2.4.0`,
  capacityHigh: `${APC}.2.3.1.0`,
  temperatureHigh: `${APC}.2.3.2.0`,
  inputVoltage: `${APC}.3.2.1.0`,
  inputVoltageHigh: `${APC}.3.3.1.0`,
  outputStatus: `${APC}.4.1.1.0`,
  inputFrequency: `${APC}.3.2.4.0`,
  inputFrequencyHigh: `${APC}.3.3.4.0`,
  outputFrequency: `${APC}.4.2.2.0`,
  outputFrequencyHigh: `${APC}.4.3.2.0`,
  batteryVoltage: `${APC}.2.2.8.0`,
  batteryVoltageHigh: `${APC}.2.3.4.0`,
  outputCurrent: `${APC}.4.2.4.0`,
  outputCurrentHigh: `${APC}.4.3.4.0`,
  outputVoltage: `${APC}.4.2.1.0`,
  load: `${APC}.4.2.3.0`,
  outputVoltageHigh: `${APC}.4.3.1.0`,
  loadHigh: `${APC}.4.3.3.0`,
} as const;
type PowernetScalars = Partial<Record<keyof typeof POWERNET, Varbind>>;

/** upsBasicBatteryStatus: 1 unknown, 2 batteryNormal, 3 batteryLow, 4 batteryInFaultCondition. */
const POWERNET_BATTERY: Readonly<Record<number, string>> = { 1: 'unknown', 2: 'normal', 3: 'low', 4: 'fault' };
/** upsBasicOutputStatus: 3 = onBattery. */
const OUTPUT_ON_BATTERY = 3;
/**
 * upsBasicOutputStatus (PowerNet-MIB) in RFC 1628's words: onLine(2) normal, onBattery(3) battery,
 * onSmartBoost(4) booster, onSmartTrim(12) reducer, softwareBypass(6)/switchedBypass(9)/
 * hardwareFailureBypass(10) bypass, off(7) none, ecoMode(13) normal (mains through the bypass path by
 * choice, still protected); anything else (sleeping, rebooting, tests) other.
 */
const POWERNET_OUTPUT_SOURCE: Readonly<Record<number, string>> = { 2: 'normal', 3: 'battery', 4: 'booster', 6: 'bypass', 7: 'none', 9: 'bypass', 10: 'bypass', 12: 'reducer', 13: 'normal' };

/**
 * APC PowerNet-MIB. The upsHighPrec objects (tenths) are used where the card has them, else the
 * upsAdv ones (whole units). Runtime is TimeTicks (hundredths of a second).
 */
export function powernetFields(s: PowernetScalars): UpsFields {
  const cells = new CellReader();
  const fields: UpsFields = { mib: 'powernet' };
  const tenthsOr = (high: Varbind | undefined, highName: string, whole: Varbind | undefined, wholeName: string) => {
    const h = cells.number(high, highName);
    return h !== undefined ? h / 10 : cells.number(whole, wholeName);
  };
  const output = cells.number(s.outputStatus, 'upsBasicOutputStatus');
  if (output !== undefined) {
    fields.on_battery = output === OUTPUT_ON_BATTERY ? 1 : 0;
    fields.output_source = POWERNET_OUTPUT_SOURCE[output] ?? 'other';
  }
  fields.manufacturer = 'APC';
  const inputFrequency = tenthsOr(s.inputFrequencyHigh, 'upsHighPrecInputFrequency', s.inputFrequency, 'upsAdvInputFrequency');
  if (inputFrequency !== undefined) fields.input_frequency_hz = inputFrequency;
  const outputFrequency = tenthsOr(s.outputFrequencyHigh, 'upsHighPrecOutputFrequency', s.outputFrequency, 'upsAdvOutputFrequency');
  if (outputFrequency !== undefined) fields.output_frequency_hz = outputFrequency;
  const batteryVoltage = tenthsOr(s.batteryVoltageHigh, 'upsHighPrecBatteryActualVoltage', s.batteryVoltage, 'upsAdvBatteryActualVoltage');
  if (batteryVoltage !== undefined) fields.battery_voltage_v = batteryVoltage;
  const current = tenthsOr(s.outputCurrentHigh, 'upsHighPrecOutputCurrent', s.outputCurrent, 'upsAdvOutputCurrent');
  if (current !== undefined) fields.output_current_a = current;
  const onBatteryTicks = cells.number(s.timeOnBattery, 'upsBasicBatteryTimeOnBattery');
  if (onBatteryTicks !== undefined) fields.seconds_on_battery = onBatteryTicks / 100;
  const status = cells.number(s.batteryStatus, 'upsBasicBatteryStatus');
  if (status !== undefined) fields.battery_status = POWERNET_BATTERY[status] ?? 'unknown';
  const pct = tenthsOr(s.capacityHigh, 'upsHighPrecBatteryCapacity', s.capacity, 'upsAdvBatteryCapacity');
  if (pct !== undefined) fields.battery_pct = pct;
  const runtime = cells.number(s.runtime, 'upsAdvBatteryRunTimeRemaining');
  if (runtime !== undefined) fields.runtime_min = runtime / 6_000;
  const temp = tenthsOr(s.temperatureHigh, 'upsHighPrecBatteryTemperature', s.temperature, 'upsAdvBatteryTemperature');
  if (temp !== undefined) fields.battery_temp_c = temp;
  const input = tenthsOr(s.inputVoltageHigh, 'upsHighPrecInputLineVoltage', s.inputVoltage, 'upsAdvInputLineVoltage');
  if (input !== undefined) fields.input_voltage_v = input;
  const outputVoltage = tenthsOr(s.outputVoltageHigh, 'upsHighPrecOutputVoltage', s.outputVoltage, 'upsAdvOutputVoltage');
  if (outputVoltage !== undefined) fields.output_voltage_v = outputVoltage;
  const load = tenthsOr(s.loadHigh, 'upsHighPrecOutputLoad', s.load, 'upsAdvOutputLoad');
  if (load !== undefined) fields.load_pct = load;
  // upsAdvBatteryReplaceIndicator: 1 noBatteryNeedsReplacing, 2 batteryNeedsReplacing.
  const replace = cells.number(s.replace, 'upsAdvBatteryReplaceIndicator');
  if (replace !== undefined) fields.battery_replace = replace === 2 ? 1 : 0;
  const error = cells.error();
  if (error !== undefined) fields.error = error;
  return fields;
}

function upsSample(fields: UpsFields, tags: Readonly<Record<string, string>>, time: number): Sample {
  return { measurement: 'ups', tags: { ...tags }, fields, time };
}

export const upsMibProfile: Profile = {
  name: 'ups_mib',
  probes: [`${UPS}.2`, `${UPS}.4`, APC],
  // An APC card that also speaks UPS-MIB is read through PowerNet only: one `ups` series per UPS. A UPS
  // that fills only the output group (some MGE/APC Galaxy cards) is still a UPS-MIB UPS.
  detect: (_system, answered) => (answered(`${UPS}.2`) || answered(`${UPS}.4`)) && !answered(APC),
  async poll(session, ctx) {
    const scalars = await readScalars(session, UPS_MIB);
    const inputs = await readTable(session, { voltage: UPS_INPUT_VOLTAGE, frequency: UPS_INPUT_FREQUENCY });
    const outputs = await readTable(session, { voltage: UPS_OUTPUT_VOLTAGE, load: UPS_OUTPUT_LOAD, current: UPS_OUTPUT_CURRENT });
    return { samples: [upsSample(upsMibFields(scalars, inputs, outputs), ctx.tags, ctx.now())] };
  },
};

export const powernetProfile: Profile = {
  name: 'apc_powernet',
  probes: [APC],
  detect: (_system, answered) => answered(APC),
  async poll(session, ctx) {
    return { samples: [upsSample(powernetFields(await readScalars(session, POWERNET)), ctx.tags, ctx.now())] };
  },
};
