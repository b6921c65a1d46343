import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueTextMode,
  GraphDrawStyle,
  LegendDisplayMode,
  LineInterpolation,
  MappingType,
  SortOrder,
  TableCellDisplayMode,
  ThresholdsMode,
  TooltipDisplayMode,
  VisibilityMode,
  VizOrientation,
  defaultFieldConfig,
  defaultFieldConfigSource,
  defaultPanel,
  type DataTransformerConfig,
  type FieldConfigSource,
  type GraphFieldConfig,
  type Panel,
  type TableFieldOptions,
  type ThresholdsConfig,
  type ValueMap,
  type ValueMapping,
} from '@grafana/schema';
import {
  defaultOptions as defaultStatOptions,
  type Options as StatOptions,
} from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import {
  defaultOptions as defaultTableOptions,
  type Options as TableOptions,
} from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import {
  defaultTimeSeriesLegendOptions,
  type Options as TimeSeriesOptions,
} from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import { DATASOURCE, type InfluxQLTarget, type Target } from './target.ts';

export type Override = FieldConfigSource['overrides'][number];

/** What every panel builder takes. `w` and `h` are grid units (24 across); the dashboard places panels. */
export interface PanelInput {
  title: string;
  description?: string;
  targets: readonly Target[];
  w: number;
  h: number;
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  thresholds?: ThresholdsConfig;
  mappings?: ValueMapping[];
  /** Data links, e.g. to the school dashboard; `${__data.fields.site}` and friends are Grafana's. */
  links?: { title: string; url: string }[];
  displayName?: string;
  overrides?: Override[];
  transformations?: DataTransformerConfig[];
  /** Panel time override, e.g. `now/d` for "today so far", `90d` for a long-range panel. */
  timeFrom?: string;
  /** Lower bound of `$__interval`, e.g. `5m` for panels that read the 5-minute rollups. */
  minInterval?: string;
}

/** Threshold steps from `[color, from]` pairs; the first starts at -Infinity. */
export function steps(...pairs: [string, number][]): ThresholdsConfig {
  return { mode: ThresholdsMode.Absolute, steps: pairs.map(([color, value], i) => ({ color, value: i === 0 ? null : value })) };
}

/** Exact values shown as text in a colour, e.g. `{ 1: ['up', 'green'], 0: ['down', 'red'] }`. */
export function valueText(map: Record<string, [string, string]>): ValueMap {
  const options: ValueMap['options'] = {};
  Object.entries(map).forEach(([value, [text, color]], index) => (options[value] = { text, color, index }));
  return { type: MappingType.ValueToText, options };
}

export const UP_DOWN = valueText({ 1: ['up', 'green'], 0: ['down', 'red'] });

export const byName = (name: string, properties: Override['properties']): Override => ({ matcher: { id: 'byName', options: name }, properties });
export const byRegexp = (pattern: string, properties: Override['properties']): Override => ({ matcher: { id: 'byRegexp', options: pattern }, properties });

function panel(type: string, p: PanelInput, options: object, custom: object): Panel {
  const targets: InfluxQLTarget[] = p.targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), ...t }));
  return {
    ...defaultPanel,
    type,
    title: p.title,
    ...(p.description === undefined ? {} : { description: p.description }),
    datasource: DATASOURCE,
    gridPos: { x: 0, y: 0, w: p.w, h: p.h },
    targets: targets as unknown as Record<string, unknown>[],
    transformations: p.transformations ?? [],
    ...(p.timeFrom === undefined ? {} : { timeFrom: p.timeFrom }),
    ...(p.minInterval === undefined ? {} : { interval: p.minInterval }),
    options: options as Record<string, unknown>,
    fieldConfig: {
      ...defaultFieldConfigSource,
      defaults: {
        ...defaultFieldConfig,
        custom: custom as Record<string, unknown>,
        thresholds: p.thresholds ?? steps(['green', 0]),
        mappings: p.mappings ?? [],
        links: p.links ?? [],
        ...(p.unit === undefined ? {} : { unit: p.unit }),
        ...(p.min === undefined ? {} : { min: p.min }),
        ...(p.max === undefined ? {} : { max: p.max }),
        ...(p.decimals === undefined ? {} : { decimals: p.decimals }),
        ...(p.displayName === undefined ? {} : { displayName: p.displayName }),
      },
      overrides: p.overrides ?? [],
    },
  };
}

export function timeseries(p: PanelInput & { legendCalcs?: string[] }): Panel {
  const options: TimeSeriesOptions = {
    legend: { ...defaultTimeSeriesLegendOptions, calcs: p.legendCalcs ?? [], displayMode: LegendDisplayMode.List, placement: 'bottom', showLegend: true },
    tooltip: { mode: TooltipDisplayMode.Multi, sort: SortOrder.Descending },
  };
  const custom: GraphFieldConfig = {
    drawStyle: GraphDrawStyle.Line,
    lineInterpolation: LineInterpolation.Linear,
    lineWidth: 1,
    fillOpacity: 10,
    showPoints: VisibilityMode.Never,
    // Checks run every 60 s by default: join points across short gaps, show a break after 3 missed polls.
    spanNulls: 180_000,
  };
  return panel('timeseries', p, options, custom);
}

export function stat(
  p: PanelInput & { calc?: string; perRow?: { fields: string }; colorMode?: BigValueColorMode; textMode?: BigValueTextMode; sparkline?: boolean },
): Panel {
  const options: StatOptions = {
    ...defaultStatOptions,
    colorMode: p.colorMode ?? BigValueColorMode.Background,
    graphMode: p.sparkline ? BigValueGraphMode.Area : BigValueGraphMode.None,
    justifyMode: defaultStatOptions.justifyMode ?? ('auto' as StatOptions['justifyMode']),
    percentChangeColorMode: defaultStatOptions.percentChangeColorMode ?? ('standard' as StatOptions['percentChangeColorMode']),
    showPercentChange: false,
    textMode: p.textMode ?? BigValueTextMode.ValueAndName,
    wideLayout: true,
    orientation: VizOrientation.Auto,
    // perRow: one tile per table row (e.g. per school) instead of one per series.
    reduceOptions: p.perRow
      ? { values: true, calcs: [], fields: p.perRow.fields }
      : { values: false, calcs: [p.calc ?? 'lastNotNull'], fields: '' },
  };
  return panel('stat', p, options, {});
}

export function table(p: PanelInput & { sortBy?: { displayName: string; desc?: boolean }[] }): Panel {
  const options: TableOptions = { ...defaultTableOptions, frameIndex: 0, showHeader: true, sortBy: p.sortBy ?? [] };
  const custom: TableFieldOptions = { align: 'auto', cellOptions: { type: TableCellDisplayMode.Auto }, inspect: false };
  return panel('table', p, options, custom);
}

/** Table cells coloured by their thresholds or value mappings. */
export const colouredCell = { id: 'custom.cellOptions', value: { type: TableCellDisplayMode.ColorBackground } };

/** Transformations used by several panels (Grafana's transformation ids). */
export const transform = {
  /** Drops columns by name, renames others. */
  organize: (exclude: string[], rename: Record<string, string> = {}): DataTransformerConfig => ({
    id: 'organize',
    options: { excludeByName: Object.fromEntries(exclude.map((n) => [n, true])), renameByName: rename, indexByName: {} },
  }),
  /** Joins the queries' tables on the columns they share (rows with equal shared values become one). */
  merge: (): DataTransformerConfig => ({ id: 'merge', options: {} }),
  /** One row per value of `by`, reducing `fields` with `calc` (result named `<field> (<calc>)`). */
  groupBy: (by: string, fields: Record<string, string>): DataTransformerConfig => ({
    id: 'groupBy',
    options: {
      fields: {
        [by]: { aggregations: [], operation: 'groupby' },
        ...Object.fromEntries(Object.entries(fields).map(([f, calc]) => [f, { aggregations: [calc], operation: 'aggregate' }])),
      },
    },
  }),
};
