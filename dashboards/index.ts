import type { Dashboard } from '@grafana/schema';
import { agentsDashboard } from './agents.ts';
import { deviceDashboard } from './device.ts';
import { overview } from './overview.ts';
import { dashboardProviderYaml, datasourceYaml } from './provisioning.ts';
import { school } from './school.ts';

export const DASHBOARDS: readonly Dashboard[] = [overview, school, deviceDashboard, agentsDashboard];

/** Folders (relative to the repository) that hold nothing but generated dashboard JSON. */
export const JSON_DIRS = ['dashboards/json', 'deploy/grafana/provisioning/dashboards/hallmonitor'] as const;

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

/** Pretty-printed, keys sorted, so a regeneration changes a file only when its content changes. */
export const toJson = (value: unknown): string => `${JSON.stringify(sortKeys(value), null, 2)}\n`;

/** Every generated file: repository-relative path → content. */
export function renderFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const d of DASHBOARDS) {
    if (d.uid === undefined) throw new Error(`dashboard "${d.title}": no uid`);
    for (const dir of JSON_DIRS) files.set(`${dir}/${d.uid}.json`, toJson(d));
  }
  files.set('deploy/grafana/provisioning/datasources/hallmonitor.yaml', datasourceYaml());
  files.set('deploy/grafana/provisioning/dashboards/hallmonitor.yaml', dashboardProviderYaml());
  return files;
}
