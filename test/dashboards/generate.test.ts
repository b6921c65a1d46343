import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { defaultDashboard, type Panel } from '@grafana/schema';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS, JSON_DIRS, renderFiles } from '../../dashboards/index.ts';
import { DATASOURCE } from '../../dashboards/lib/target.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string) => (existsSync(new URL(path, root)) ? readFileSync(new URL(path, root), 'utf8') : undefined);

describe('npm run dashboards', () => {
  it('regenerating changes nothing: the committed files are what the builders produce', () => {
    const files = renderFiles();
    for (const [path, content] of files) expect(read(path), `${path} is stale: run npm run dashboards`).toBe(content);
    for (const dir of JSON_DIRS) {
      const stale = readdirSync(new URL(`${dir}/`, root)).filter((n) => n.endsWith('.json') && !files.has(`${dir}/${n}`));
      expect(stale, `${dir} has JSON no dashboard produces`).toEqual([]);
    }
  });

  it('the four dashboards have their fixed uids and the current schema version', () => {
    expect(DASHBOARDS.map((d) => d.uid)).toEqual(['hm-overview', 'hm-school', 'hm-device', 'hm-agents']);
    for (const d of DASHBOARDS) expect(d.schemaVersion).toBe(defaultDashboard.schemaVersion);
  });

  it('every panel, target and variable uses the hallmonitor InfluxDB data source', () => {
    for (const d of DASHBOARDS) {
      for (const v of d.templating?.list ?? []) expect(v.datasource, `${d.uid} $${v.name}`).toEqual(DATASOURCE);
      for (const p of (d.panels ?? []) as Panel[]) {
        expect(p.datasource, `${d.uid} ${p.title}`).toEqual(DATASOURCE);
        expect(p.targets?.length, `${d.uid} ${p.title} has no query`).toBeGreaterThan(0);
        for (const t of p.targets ?? []) expect(t['datasource'], `${d.uid} ${p.title}`).toEqual(DATASOURCE);
      }
    }
  });

  it('panels have unique ids and do not overlap on the 24-column grid', () => {
    for (const d of DASHBOARDS) {
      const panels = (d.panels ?? []) as Panel[];
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      const cells = new Set<string>();
      for (const p of panels) {
        const g = p.gridPos ?? { x: 0, y: 0, w: 0, h: 0 };
        expect(g.x + g.w, `${d.uid} ${p.title}`).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++) {
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`), `${d.uid} ${p.title} overlaps at ${x},${y}`).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
    }
  });

  it('every dashboard has long-range panels that read only the rollups, over a fixed window ending now, in 5-minute steps or coarser', () => {
    for (const d of DASHBOARDS) {
      const panels = (d.panels ?? []) as Panel[];
      const queries = (p: Panel) => (p.targets ?? []).map((t) => String(t['query']));
      const long = panels.filter((p) => queries(p).some((q) => q.includes('"rollup_5m".')));
      expect(long.length, `${d.uid} has no panel reading the rollups`).toBeGreaterThan(0);
      for (const p of long) {
        for (const q of queries(p)) {
          // A rollup target reads the panel's window ($timeFilter) or a fixed one of its own.
          if (!q.includes('"rollup_5m".')) continue;
          if (q.includes('$timeFilter')) {
            expect(p.timeFrom, `${d.uid} ${p.title}`).toMatch(/^\d+d$/);
            // The daily rollups (`…_1d`) in whole days: finer steps would be empty between their rows.
            expect(p.interval, `${d.uid} ${p.title}`).toBe(/"rollup_5m"\."\w+_1d"/.test(q) ? '1d' : '5m');
          } else expect(q, `${d.uid} ${p.title}`).toMatch(/time > now\(\) - \d+d/);
        }
      }
    }
  });

  it('the data source provisioning names the fixed uid and takes URL, database and credentials from the environment', () => {
    const yaml = renderFiles().get('deploy/grafana/provisioning/datasources/hallmonitor.yaml') ?? '';
    expect(yaml).toContain(`uid: ${DATASOURCE.uid}`);
    for (const v of ['HM_INFLUX_URL', 'HM_INFLUX_DATABASE', 'HM_INFLUX_USER', 'HM_INFLUX_PASSWORD']) expect(yaml).toContain(`\${${v}}`);
  });
});
