import type { InfluxAnnotation } from './annotations.ts';
import {
  DashboardCursorSync,
  defaultDashboard,
  defaultDashboardLink,
  type Dashboard,
  type AnnotationQuery,
  type DashboardLink,
  type Panel,
  type VariableModel,
} from '@grafana/schema';

const TAG = 'hallmonitor';
const GRID_WIDTH = 24;

/** The dashboard JSON schema version of the installed @grafana/schema. */
export const SCHEMA_VERSION: number = defaultDashboard.schemaVersion ?? 0;

/** Places panels left to right, wrapping at the grid width, and numbers them. */
function layout(panels: readonly Panel[]): Panel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map((p, i) => {
    const { w, h } = p.gridPos ?? { w: GRID_WIDTH, h: 8 };
    if (x + w > GRID_WIDTH) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const placed: Panel = { ...p, id: i + 1, gridPos: { x, y, w, h } };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return placed;
  });
}

/** Links to the other hallmonitor dashboards, keeping the time range and the selected site. */
const related: DashboardLink = {
  ...defaultDashboardLink,
  type: 'dashboards',
  title: 'hallmonitor',
  icon: 'external link',
  tooltip: '',
  tags: [TAG],
  asDropdown: true,
  includeVars: true,
  keepTime: true,
  targetBlank: false,
};

export function dashboard(o: {
  uid: string;
  title: string;
  description: string;
  variables?: VariableModel[];
  panels: readonly Panel[];
  time?: { from: string; to: string };
  annotations?: readonly InfluxAnnotation[];
}): Dashboard {
  return {
    ...defaultDashboard,
    uid: o.uid,
    title: o.title,
    description: o.description,
    tags: [TAG],
    schemaVersion: SCHEMA_VERSION,
    editable: true,
    graphTooltip: DashboardCursorSync.Crosshair,
    refresh: '1m',
    time: o.time ?? { from: 'now-6h', to: 'now' },
    timezone: 'browser',
    links: [related],
    templating: { list: o.variables ?? [] },
    // InfluxQL annotations carry `query` and column options the schema's AnnotationQuery does not list.
    ...(o.annotations === undefined ? {} : { annotations: { list: o.annotations as unknown as AnnotationQuery[] } }),
    panels: layout(o.panels),
  };
}
