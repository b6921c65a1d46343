import { BarGaugeDisplayMode, BarGaugeValueMode, MappingType, SpecialValueMatch, TableCellDisplayMode, type ValueMapping } from '@grafana/schema';
import { last, type Column, type Measurement, type Query } from './influxql.ts';
import { byName, colouredCell, steps, table, valueText, transform, type Override } from './panels.ts';
import { influx } from './target.ts';

/**
 * Panels over the SNMP profiles' measurements (printer_supply, ups, printer) that the school and the device
 * dashboards both show, the school's for every device of the site, the device's for one.
 */

/** A table cell drawn as a bar gauge against the field's min/max and thresholds. */
export const gaugeCell = {
  id: 'custom.cellOptions',
  value: { type: TableCellDisplayMode.Gauge, mode: BarGaugeDisplayMode.Basic, valueDisplayMode: BarGaugeValueMode.Text },
};

/** Shows `text` where a field has no value (null), instead of an empty cell or a zero. */
export const whenMissing = (text: string): ValueMapping => ({
  type: MappingType.SpecialValue,
  options: { match: SpecialValueMatch.Null, result: { text, index: 0 } },
});

/** The last value of each of `columns` per `groupBy` over the dashboard's range, as a table. */
export const lastPer = (from: Measurement, columns: Column[], where: string[], groupBy: string[]): Query => ({
  select: columns,
  from: [from],
  where,
  time: 'dashboard',
  groupBy,
});

/** Printer-MIB prtMarkerSuppliesLevel special values (RFC 3805): -3 some remaining, -2 unknown, -1 other. */
const LEVEL_STATE = valueText({
  percent: ['level known', 'text'],
  some_remaining: ['some remaining', 'blue'],
  unknown: ['unknown', 'text'],
  other: ['other', 'text'],
});

/**
 * Each supply's last level. A printer that reports only "some remaining" or "unknown" (RFC 3805 levels
 * -3 and -2) has no `level_pct`: the level cell then says "see state" and the state column says which,
 * rather than drawing an empty gauge that reads as 0.
 */
export function printerSupplies(o: { where: string[]; groupBy: string[]; w: number; h: number }) {
  return table({
    title: 'Printer supplies',
    description:
      'Toner, drums and other supplies: the last level reported in the selected range. "some remaining" and "unknown" are what the printer says when it cannot measure the level.',
    w: o.w,
    h: o.h,
    targets: [influx(lastPer('printer_supply', [last('level_pct', 'level'), last('level_state', 'state')], o.where, o.groupBy), { format: 'table' })],
    // supply_index tells apart two supplies of the same description (a Brother reports two "Black Toner Cartridge").
    transformations: [transform.organize(['Time', 'supply_index'])],
    sortBy: [{ displayName: 'level' }],
    overrides: [
      byName('level', [
        { id: 'unit', value: 'percent' },
        { id: 'min', value: 0 },
        { id: 'max', value: 100 },
        { id: 'thresholds', value: steps(['red', 0], ['orange', 10], ['green', 25]) },
        { id: 'mappings', value: [whenMissing('see state')] },
        gaugeCell,
      ]),
      byName('state', [{ id: 'mappings', value: [LEVEL_STATE] }, colouredCell]),
    ],
  });
}

/** UPS-MIB upsOutputSource battery (RFC 1628) and PowerNet's equivalent, as the agent reports them. */
export const ON_BATTERY = valueText({ 0: ['on mains', 'green'], 1: ['on battery', 'red'] });
const BATTERY_STATUS = valueText({
  normal: ['normal', 'green'],
  low: ['low', 'orange'],
  depleted: ['depleted', 'red'],
  fault: ['fault', 'red'],
  unknown: ['unknown', 'text'],
});

export const upsOverrides: Override[] = [
  byName('on_battery', [{ id: 'mappings', value: [ON_BATTERY] }, colouredCell]),
  byName('battery_pct', [
    { id: 'unit', value: 'percent' },
    { id: 'min', value: 0 },
    { id: 'max', value: 100 },
    { id: 'thresholds', value: steps(['red', 0], ['orange', 50], ['green', 90]) },
    gaugeCell,
  ]),
  byName('runtime_min', [{ id: 'unit', value: 'm' }]),
  byName('load_pct', [{ id: 'unit', value: 'percent' }, { id: 'thresholds', value: steps(['green', 0], ['orange', 80], ['red', 95]) }, colouredCell]),
  byName('input_voltage_v', [{ id: 'unit', value: 'volt' }]),
  byName('battery_status', [{ id: 'mappings', value: [BATTERY_STATUS] }, colouredCell]),
];

/** The UPS figures a tech reads first. */
export const UPS_COLUMNS = (): Column[] =>
  ['on_battery', 'battery_pct', 'runtime_min', 'load_pct', 'input_voltage_v', 'battery_status'].map((f) => last(f));

export function upsTable(o: { where: string[]; groupBy: string[]; w: number; h: number }) {
  return table({
    title: 'UPS',
    description: 'Each UPS\'s last state in the selected range: on mains or battery, charge, estimated runtime, load of its most loaded output, input voltage.',
    w: o.w,
    h: o.h,
    targets: [influx(lastPer('ups', UPS_COLUMNS(), o.where, o.groupBy), { format: 'table' })],
    transformations: [transform.organize(['Time'])],
    overrides: upsOverrides,
  });
}
