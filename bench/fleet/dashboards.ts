import { readdirSync, readFileSync } from 'node:fs';
import { interpolate, panelMacros, timeFilterFrom } from '../../test/dashboards/grafana-macros.ts';

const JSON_DIR = new URL('../../dashboards/json/', import.meta.url);

interface Panel { title?: string; timeFrom?: string; interval?: string; targets?: { refId?: string; query?: string }[]; panels?: Panel[] }
interface Dashboard { uid?: string; panels?: Panel[]; templating?: { list?: { name: string; query?: unknown; includeAll?: boolean }[] } }

/**
 * The overview's and the school dashboard's queries as Grafana sends them (macros substituted as in
 * test/dashboards), for the last hour and the last 30 days, each timed against the fleet's InfluxDB. A panel
 * with its own window (`timeFrom`: the last hour, today, 90 days) gets that window in both, as Grafana
 * gives it. The school is `site`; "All" variables get every value the variable's own query returns. `jsonDir`:
 * the dashboards to run (a URL ending in `/`), by default the committed ones.
 */
export async function runDashboardQueries(url: string, db: string, site: string, jsonDir: URL = JSON_DIR): Promise<Record<string, unknown>> {
  const dashboards = readdirSync(jsonDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(new URL(f, jsonDir), 'utf8')) as Dashboard);
  const chosen = dashboards.filter((d) => d.uid === 'hm-overview' || d.uid === 'hm-school');
  const out: Record<string, unknown> = {};
  for (const [range, ms, interval] of [['1h', 3_600_000, '10s'], ['30d', 30 * 86_400_000, '1h']] as const) {
    const times: { dashboard: string; panel: string; ms: number; error?: string }[] = [];
    for (const d of chosen) {
      const variables: Record<string, string[]> = {};
      for (const v of d.templating?.list ?? []) {
        if (v.name === 'site') {
          variables.site = [site];
          continue;
        }
        const text = interpolate(String(v.query), { timeFilter: timeFilterFrom(Date.now() - ms), interval, variables });
        const r = await query(url, db, text);
        const values = [...new Set((r.series ?? []).flatMap((s) => s.values.map((row) => String(row[1]))))];
        variables[v.name] = v.includeAll ? values : values.slice(0, 1);
        if (variables[v.name]!.length === 0) variables[v.name] = ['none'];
      }
      const panels = (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
      for (const p of panels) {
        for (const t of p.targets ?? []) {
          if (typeof t.query !== 'string') continue;
          const now = Date.now();
          const own = p.timeFrom === undefined ? { fromMs: now - ms, interval } : panelMacros(p, now - ms, now);
          const text = interpolate(t.query, { timeFilter: timeFilterFrom(own.fromMs), interval: own.interval, variables });
          const start = performance.now();
          const r = await query(url, db, text).catch((err: Error) => ({ error: err.message, series: [] }));
          times.push({ dashboard: d.uid ?? '', panel: `${p.title ?? ''} ${t.refId ?? ''}`.trim(), ms: Math.round(performance.now() - start), ...('error' in r && r.error ? { error: String(r.error).slice(0, 200) } : {}) });
        }
      }
    }
    const sorted = times.map((t) => t.ms).sort((a, b) => a - b);
    out[range] = { queries: times.length, maxMs: sorted.at(-1) ?? 0, medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0, totalMs: sorted.reduce((a, b) => a + b, 0), errors: times.filter((t) => t.error).length, slowest: [...times].sort((a, b) => b.ms - a.ms).slice(0, 5) };
  }
  return out;
}

async function query(url: string, db: string, q: string): Promise<{ series?: { values: unknown[][] }[]; error?: string }> {
  const r = await fetch(`${url}/query?${new URLSearchParams({ q, db, epoch: 'ms' })}`, { signal: AbortSignal.timeout(120_000) });
  const body = (await r.json()) as { results?: { series?: { values: unknown[][] }[]; error?: string }[]; error?: string };
  if (body.error) throw new Error(body.error);
  return body.results?.[0] ?? {};
}
