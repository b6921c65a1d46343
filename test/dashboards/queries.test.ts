import { readdirSync, readFileSync } from 'node:fs';
import type { Dashboard, Panel } from '@grafana/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInfluxClient } from '../../collector/storage/influx-client.ts';
import { backfillRollups } from '../../collector/storage/retention.ts';
import { waitFor, type InfluxResult } from '../harness/index.ts';
import { startSchoolRun, type SchoolRun } from '../support/school-run.ts';
import { interpolate, timeFilterFrom, type MacroValues } from './grafana-macros.ts';
import { expectedShape } from './query-shape.ts';

/**
 * Every query of the committed dashboards — each panel target and each template variable — run against
 * a real InfluxDB that a real agent → collector run filled, after Grafana's substitutions. A query that
 * returns nothing, or lacks a column or tag it promises, fails. The long-range panels read the 5-minute
 * rollups, which the continuous queries write only on the hour: the run's span is rolled up with
 * `backfillRollups` (the same SELECT … INTO the CQs run) before any query.
 */
const SITE = 'dash-school';
const JSON_DIR = new URL('../../dashboards/json/', import.meta.url);
const dashboards = readdirSync(JSON_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, JSON_DIR), 'utf8')) as Dashboard);

/** What a tech would pick: the school and its internet router (pinged and polled). "All" where offered. */
const CHOSEN: Record<string, string> = { site: SITE, device: 'router' };

interface RawTarget {
  refId: string;
  query: string;
}

const WINDOW_MS = 5 * 60_000;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
/** `90d` and friends in ms; undefined for anything else (e.g. `now/d`). */
const durationMs = (text: string | undefined): number | undefined => {
  const m = /^(\d+)([smhdw])$/.exec(text ?? '');
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
};

let run: SchoolRun;
let startedAt: number;

beforeAll(async () => {
  startedAt = Date.now();
  run = await startSchoolRun({ site: SITE, db: 'hallmonitor_dashboards', alsoPing: ['router'] });
  // Rates need two answered interface polls of a device; on a loaded machine a poll may time out (and still
  // count as a poll, up=0). The uplink and device panels read the router's and the firewall's rates.
  await waitFor(
    async () => {
      const rated = await run.select(`SELECT count(utilisation_pct) FROM interface WHERE site='${SITE}' AND (device='router' OR device='firewall') GROUP BY device`);
      return rated.length === 2;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'interface rates of the router and the firewall in InfluxDB', service: run.agent },
  );
  await run.collector.writer.flush();
  await backfillRollups(createInfluxClient({ url: run.influx.url, database: run.db }), run.db, { from: startedAt - WINDOW_MS, to: Date.now() + WINDOW_MS });
}, 180_000);

afterAll(async () => {
  await run?.stop();
});

async function query(text: string): Promise<InfluxResult> {
  const [result] = await run.influx.query(text, run.db);
  return result ?? { statement_id: 0 };
}

/**
 * The dashboard's range is the run (from a minute before it started). A panel with a relative time override
 * (`timeFrom: 90d`) gets that range instead, and an interval Grafana would pick for it (about 1000 points,
 * never below the panel's minimum interval).
 */
const macros = (variables: Record<string, readonly string[]>, panel?: Panel): MacroValues => {
  const override = durationMs(panel?.timeFrom);
  if (override === undefined) return { timeFilter: timeFilterFrom(startedAt - 60_000), interval: '10s', variables };
  const seconds = Math.max(Math.ceil(override / 1000 / 1000), (durationMs(panel?.interval ?? undefined) ?? 0) / 1000);
  return { timeFilter: timeFilterFrom(Date.now() - override), interval: `${seconds}s`, variables };
};

const resolved = new Map<string, Promise<Record<string, string[]>>>();

/** Fills the variables in order, each from its own query with the ones before it, as Grafana does. */
function variablesOf(d: Dashboard): Promise<Record<string, string[]>> {
  const key = d.uid ?? '';
  let values = resolved.get(key);
  if (values === undefined) {
    values = (async () => {
      const chosen: Record<string, string[]> = {};
      for (const v of d.templating?.list ?? []) {
        const result = await query(interpolate(String(v.query), macros(chosen)));
        expectShape(result, String(v.query), `$${v.name}`);
        const options = [...new Set((result.series ?? []).flatMap((s) => s.values.map((row) => String(row[1]))))];
        const pick = CHOSEN[v.name];
        if (v.includeAll) chosen[v.name] = options;
        else if (pick !== undefined && options.includes(pick)) chosen[v.name] = [pick];
        else throw new Error(`$${v.name}: ${JSON.stringify(pick)} not among ${JSON.stringify(options)}`);
      }
      return chosen;
    })();
    resolved.set(key, values);
  }
  return values;
}

function expectShape(result: InfluxResult, text: string, where: string): void {
  const shape = expectedShape(text);
  const series = result.series ?? [];
  expect(series.length, `${where} returned nothing`).toBeGreaterThan(0);
  const columns = text.startsWith('SELECT') ? ['time', ...shape.columns] : shape.columns;
  for (const s of series) {
    expect(s.columns, `${where}: columns`).toEqual(expect.arrayContaining(columns));
    expect(Object.keys(s.tags ?? {}), `${where}: tags`).toEqual(expect.arrayContaining(shape.tags));
  }
  for (const column of shape.columns) {
    const filled = series.some((s) => s.values.some((row) => row[s.columns.indexOf(column)] != null));
    expect(filled, `${where}: column ${column} is empty in every row`).toBe(true);
  }
}

const panelsOf = (d: Dashboard): Panel[] => (d.panels ?? []) as Panel[];
const targetsOf = (p: Panel): RawTarget[] => (p.targets ?? []) as unknown as RawTarget[];

describe.each(dashboards.map((d) => [d.uid ?? '', d] as const))('%s', (_uid, d) => {
  it('fills every template variable from its query', async () => {
    const values = await variablesOf(d);
    expect(Object.keys(values)).toEqual((d.templating?.list ?? []).map((v) => v.name));
  });

  const cases = panelsOf(d).flatMap((p) => targetsOf(p).map((t) => [`${p.title} ${t.refId}`, t, p] as const));
  it.each(cases)('%s returns what the panel shows', async (where, t, p) => {
    const text = interpolate(t.query, macros(await variablesOf(d), p));
    expectShape(await query(text), t.query, `${where}: ${text}`);
  });
});

describe('what the overview says about the simulated school', () => {
  const overview = dashboards.find((d) => d.uid === 'hm-overview');
  const panel = (title: string) => {
    const found = overview && panelsOf(overview).find((p) => p.title === title);
    if (!found) throw new Error(`hm-overview has no panel "${title}"`);
    return targetsOf(found).map((t) => interpolate(t.query, macros({}, found)));
  };
  const rows = async (text: string) => ((await query(text)).series ?? []).map((s) => ({ name: s.name, tags: s.tags ?? {}, values: s.values }));

  it('its tile says degraded: the dead host is down, everything else up, the agent online', async () => {
    // The panel merges both queries' rows and keeps the highest state per site (merge + groupBy max).
    const states = new Map<string, number>();
    for (const text of panel('Schools')) {
      for (const s of await rows(text)) for (const [, state] of s.values) states.set(s.tags['site'] ?? '', Math.max(states.get(s.tags['site'] ?? '') ?? -Infinity, Number(state)));
    }
    expect(states.get(SITE)).toBe(0.5);
  });

  it('no school is offline; one ping check and no SNMP check is failing', async () => {
    const [offline] = panel('Schools offline');
    expect((await rows(offline ?? ''))[0]?.values[0]?.[1]).toBe(0);
    const [failing] = panel('Checks failing now');
    const byKind = Object.fromEntries((await rows(failing ?? '')).map((s) => [s.name, s.values[0]?.[1]]));
    expect(byKind).toEqual({ ping: 1, snmp: 0 });
  });

  it('availability is between 0 and 100 % (two of three pinged devices answer)', async () => {
    for (const text of panel('Availability')) {
      const site = (await rows(text)).find((s) => s.tags['site'] === SITE);
      const value = Number(site?.values[0]?.[1]);
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThan(100);
    }
  });
});
