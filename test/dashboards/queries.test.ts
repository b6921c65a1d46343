import { readdirSync, readFileSync } from 'node:fs';
import type { Dashboard, Panel } from '@grafana/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInfluxClient } from '../../collector/storage/influx-client.ts';
import { backfillRollups } from '../../collector/storage/retention.ts';
import { waitFor, type InfluxResult } from '../harness/index.ts';
import { startSchoolRun, type SchoolRun } from '../support/school-run.ts';
import { durationMs, interpolate, panelMacros, timeFilterFrom, type MacroValues } from './grafana-macros.ts';
import { expectedShape } from './query-shape.ts';

/**
 * Every query of the committed dashboards — each panel target and each template variable — run against
 * a real InfluxDB that a real agent → collector run filled, after Grafana's substitutions. A query that
 * returns nothing, or lacks a column or tag it promises, fails. The long-range panels read the 5-minute
 * rollups, which the collector writes per school only once each hour has closed: the run's span is rolled
 * up with `backfillRollups` (the same statements the collector's hourly scheduler runs) before any query.
 */
const SITE = 'dash-school';
const JSON_DIR = new URL('../../dashboards/json/', import.meta.url);
const dashboards = readdirSync(JSON_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, JSON_DIR), 'utf8')) as Dashboard);

/**
 * Recordings beside the school run's own (which has a UniFi AP, an HP printer, an Eaton UPS and a Windows
 * server): a colour printer with 17 supplies, a printer that reports "some remaining" and "unknown" toner
 * levels, and an Aruba Instant cluster (several APs behind one address).
 */
const MORE_DEVICES: Record<string, readonly [string, string]> = {
  'colour-printer': ['konica', 'printer'],
  'library-printer': ['brother_hl5370dw', 'printer'],
  'wifi-cluster': ['aruba-instant', 'access-point'],
  // LLDP and CDP neighbours for the device dashboard's table.
  'hall-switch': ['ios_2960x', 'switch'],
};

/** Which devices' samples each profile measurement must hold before the queries run. */
const PROFILE_DEVICES: Record<string, string[]> = {
  device_info: ['router', 'firewall', 'core-switch', 'hall-switch', 'file-server', 'office-printer', 'colour-printer', 'library-printer', 'server-ups', 'hall-ap', 'wifi-cluster'],
  host: ['file-server', 'hall-ap', 'office-printer', 'library-printer'],
  host_cpu: ['file-server', 'hall-ap'],
  host_storage: ['file-server'],
  printer: ['office-printer', 'library-printer'],
  printer_supply: ['office-printer', 'colour-printer', 'library-printer'],
  ups: ['server-ups'],
  wireless: ['hall-ap', 'wifi-cluster'],
  neighbour: ['hall-switch'],
};

/** What a tech would pick: the school. "All" where offered. */
const CHOSEN: Record<string, string> = { site: SITE };

/**
 * The device dashboard is read one device at a time, and a printer's panels are empty for a router: each of
 * its queries must return data for at least one of these (the internet router, pinged and polled, first).
 */
const DEVICES = ['router', 'file-server', 'colour-printer', 'library-printer', 'server-ups', 'hall-ap', 'hall-switch'];

interface RawTarget {
  refId: string;
  query: string;
}

const WINDOW_MS = 5 * 60_000;
let run: SchoolRun;
let startedAt: number;
/** Whether the machine running the test reports a CPU temperature (most virtual machines do not). */
let hasTemperature: boolean;

beforeAll(async () => {
  startedAt = Date.now();
  run = await startSchoolRun({
    site: SITE,
    db: 'hallmonitor_dashboards',
    alsoPing: ['router'],
    moreSnmpDevices: MORE_DEVICES,
    // The agent's own machine every 5 s (the least allowed): rates need its second reading.
    agentConfig: { host: { intervalSeconds: 5 } },
    // The dead host (role other) pages at once, so the alert panels and annotations have something to show.
    collectorConfig: { alerts: { roles: { other: { 'device-down': { for: '0s' } } } }, ingest: { reportIntervalSeconds: 5 } },
  });
  // Rates need two answered interface polls of a device; on a loaded machine a poll may time out (and still
  // count as a poll, up=0). The uplink and device panels read the router's and the firewall's rates.
  await waitFor(
    async () => {
      const rated = await run.select(`SELECT count(utilisation_pct) FROM interface WHERE site='${SITE}' AND (device='router' OR device='firewall') GROUP BY device`);
      return rated.length === 2;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'interface rates of the router and the firewall in InfluxDB', service: run.agent },
  );
  // The SNMP profiles are found by probing over the first polls: wait until each one's devices have samples.
  await waitFor(
    async () => {
      for (const [measurement, devices] of Object.entries(PROFILE_DEVICES)) {
        const [result] = await run.influx.query(`SHOW TAG VALUES FROM "${measurement}" WITH KEY = "device" WHERE site='${SITE}'`, run.db);
        const have = new Set((result?.series ?? []).flatMap((s) => s.values.map((row) => String(row[1]))));
        if (devices.some((d) => !have.has(d))) return false;
      }
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'samples of every SNMP profile from the devices that have it', service: run.agent },
  );
  // The collector's ingest counts (collector_ingest) are written every reportIntervalSeconds.
  await waitFor(async () => (await run.select(`SELECT count(samples) FROM collector_ingest WHERE site='${SITE}'`)).length > 0, {
    timeoutMs: 60_000,
    intervalMs: 500,
    what: 'the collector\'s ingest counts in InfluxDB',
    service: run.agent,
  });
  // Run times per check kind are in a health report only when a check of that kind finished in its minute;
  // the first report may come before any did, the next a minute later.
  await waitFor(
    async () => {
      const [timed] = await run.select(`SELECT count(ping_ms_avg), count(snmp_ms_avg) FROM agent_health WHERE site='${SITE}'`);
      const rated = await run.select(`SELECT count(in_bps) FROM agent_host_interface WHERE site='${SITE}'`);
      return Number(timed?.[1]) > 0 && Number(timed?.[2]) > 0 && rated.length > 0;
    },
    { timeoutMs: 80_000, intervalMs: 1_000, what: 'check run times in agent_health and agent host interface rates', service: run.agent },
  );
  // Both deserved alerts (the dead host's device-down, the empty toner's printer-supply-low) have fired: the
  // toner's waits for the printer profile, found by probing over the first polls.
  await waitFor(async () => Number((await run.select(`SELECT count(distinct(title)) FROM alert_event WHERE site='${SITE}' AND "event"='firing'`))[0]?.[1] ?? 0) >= 2, {
    timeoutMs: 90_000,
    intervalMs: 1_000,
    what: 'the dead host\'s device-down and the empty toner\'s alerts firing',
    service: run.agent,
  });
  // The broker's totals are written each report interval (5 s here); its panel shows differences between
  // 10-second buckets, so it needs points in two buckets: three points always span two.
  await waitFor(async () => Number((await run.select(`SELECT count(connections) FROM collector_broker`))[0]?.[1] ?? 0) >= 3, {
    timeoutMs: 60_000,
    intervalMs: 1_000,
    what: 'three collector_broker points',
    service: run.agent,
  });
  await run.collector.writer.flush();
  hasTemperature = (await run.select('SHOW FIELD KEYS FROM agent_host')).some(([key]) => key === 'temperature_c');
  await backfillRollups(createInfluxClient({ url: run.influx.url, database: run.db }), run.db, { from: startedAt - WINDOW_MS, to: Date.now() + WINDOW_MS });
}, 240_000);

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
  if (durationMs(panel?.timeFrom) === undefined) return { timeFilter: timeFilterFrom(startedAt - 60_000), interval: '10s', variables };
  const own = panelMacros(panel, startedAt - 60_000, Date.now());
  return { timeFilter: timeFilterFrom(own.fromMs), interval: own.interval, variables };
};

const resolved = new Map<string, Promise<Record<string, string[]>>>();

/** Fills the variables in order, each from its own query with the ones before it, as Grafana does. */
function variablesOf(d: Dashboard, device?: string): Promise<Record<string, string[]>> {
  const key = `${d.uid ?? ''} ${device ?? ''}`;
  let values = resolved.get(key);
  if (values === undefined) {
    values = (async () => {
      const chosen: Record<string, string[]> = {};
      for (const v of d.templating?.list ?? []) {
        const result = await query(interpolate(String(v.query), macros(chosen)));
        expectShape(result, String(v.query), `$${v.name}`);
        const options = [...new Set((result.series ?? []).flatMap((s) => s.values.map((row) => String(row[1]))))];
        const pick = v.name === 'device' ? device : CHOSEN[v.name];
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
  const devices = (d.templating?.list ?? []).some((v) => v.name === 'device') ? DEVICES : [undefined];

  it('fills every template variable from its query', async () => {
    for (const device of devices) {
      const values = await variablesOf(d, device);
      expect(Object.keys(values)).toEqual((d.templating?.list ?? []).map((v) => v.name));
    }
  });

  const cases = panelsOf(d).flatMap((p) => targetsOf(p).map((t) => [`${p.title} ${t.refId}`, t, p] as const));
  it.each(cases)('%s returns what the panel shows', async (where, t, p) => {
    const failures: string[] = [];
    let allEmpty = true;
    for (const device of devices) {
      const text = interpolate(t.query, macros(await variablesOf(d, device), p));
      const result = await query(text);
      allEmpty &&= (result.series ?? []).length === 0;
      try {
        expectShape(result, t.query, `${where}${device === undefined ? '' : ` (${device})`}: ${text}`);
        return;
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    // The one reading this machine may not have: a CPU temperature sensor (the agent then sends no field).
    if (allEmpty && t.query.includes('"temperature_c"') && !hasTemperature) return;
    // What a healthy school left alone must not have: refused samples, traps (none was sent). Quiet is right.
    if (allEmpty && (/"collector_ingest".*'rejected'/.test(t.query) || t.query.includes('"snmp_trap"'))) return;
    expect.fail(failures.join('\n'));
  });
});

describe.each(dashboards.filter((d) => (d.annotations?.list ?? []).length > 0).map((d) => [d.uid ?? '', d] as const))('%s annotations', (_uid, d) => {
  const annotations = (d.annotations?.list ?? []) as unknown as { name: string; query: string; textColumn: string }[];
  it.each(annotations.filter((a) => a.name === 'Alerts firing').map((a) => [a.name, a] as const))('%s: the dead host\'s alert, with its title', async (_name, a) => {
    const device = (d.templating?.list ?? []).some((v) => v.name === 'device') ? 'dead-host' : undefined;
    const variables = device === undefined ? await variablesOf(d) : { site: [SITE], device: [device] };
    const result = await query(interpolate(a.query, macros(variables)));
    const series = result.series ?? [];
    expect(series.length, `${a.name}: ${a.query}`).toBeGreaterThan(0);
    const titles = series.flatMap((s) => s.values.map((row) => row[s.columns.indexOf(a.textColumn)]));
    expect(titles.some((t) => typeof t === 'string' && t.includes('dead-host'))).toBe(true);
  });
  it.each(annotations.filter((a) => a.name !== 'Alerts firing').map((a) => [a.name, a] as const))('%s: a valid query', async (_name, a) => {
    const variables = (d.templating?.list ?? []).some((v) => v.name === 'device') ? { site: [SITE], device: ['dead-host'] } : await variablesOf(d);
    const [result] = await run.influx.query(interpolate(a.query, macros(variables)), run.db);
    expect((result as { error?: string } | undefined)?.error).toBeUndefined();
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
    // One row (school_state summed over the schools), a column per check kind.
    const [result] = (await query(failing ?? '')).series ?? [];
    const byKind = Object.fromEntries(['ping', 'snmp'].map((k) => [k, result?.values[0]?.[result.columns.indexOf(k)]]));
    expect(byKind).toEqual({ ping: 1, snmp: 0 });
  });

  it('two alerts are firing, the dead host\'s and the empty toner\'s, nobody acknowledged', async () => {
    const [firing] = panel('Alerts firing');
    const [row] = await rows(firing ?? '');
    // brother_hl5370dw: prtMarkerSuppliesLevel.1.1 = 0 is empty whatever its capacity (RFC 3805), so its
    // printer-supply-low alert is deserved beside the dead host's.
    expect(row?.values[0]?.slice(1)).toEqual([2, 0]);
  });

  it('counts the devices by the class the agent found; no UPS is on battery, no printer says it is out of toner', async () => {
    const [byClass] = panel('Devices by class');
    const counts = Object.fromEntries((await rows(byClass ?? '')).map((s) => [s.tags['class'], s.values[0]?.[1]]));
    // The DrayTek router and the FortiGate are both firewalls; the UniFi AP and the Aruba Instant cluster wireless.
    expect(counts).toEqual({ firewall: 2, printer: 3, server: 1, switch: 2, ups: 1, wireless: 2 });
    const [onBattery] = panel('Schools with a UPS on battery');
    expect((await rows(onBattery ?? ''))[0]?.values[0]?.[1]).toBe(0);
    // The panel reads the printer's own "no toner" flag (hrPrinterDetectedErrorState), which no printer here sets.
    const [outOfToner] = panel('Schools with a printer out of toner');
    expect((await rows(outOfToner ?? ''))[0]?.values[0]?.[1]).toBe(0);
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

describe('what the school dashboard says about its printers, UPS and Wi-Fi', () => {
  const school = dashboards.find((d) => d.uid === 'hm-school');
  /** The rows of one query of a panel (the first by default): one object per row, tags and columns by name. */
  const table = async (title: string, refId = 'A'): Promise<Record<string, unknown>[]> => {
    const found = school && panelsOf(school).find((p) => p.title === title);
    if (!school || !found) throw new Error(`hm-school has no panel "${title}"`);
    const target = targetsOf(found).find((t) => t.refId === refId);
    const result = await query(interpolate(target?.query ?? '', macros(await variablesOf(school), found)));
    return (result.series ?? []).flatMap((s) => s.values.map((row) => ({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, row[i]])) })));
  };

  it('printer supplies: a level where the printer measures it, the printer\'s words where it cannot, the colour where named', async () => {
    const supplies = await table('Printer supplies');
    const library = supplies.filter((r) => r['device'] === 'library-printer');
    // RFC 3805 prtMarkerSuppliesLevel: -3 is "some remaining" (no percentage, the state says why); 0 is empty
    // whatever the capacity (-2, unknown, here): 0 %.
    expect(library.map((r) => [r['supply'], r['state'], r['level']]).sort()).toEqual([
      ['Black Toner Cartridge', 'percent', 0],
      ['Black Toner Cartridge', 'some_remaining', null],
      ['Drum Unit', 'percent', expect.any(Number)],
    ]);
    // The Konica names its colorants but its recording has no prtMarkerSuppliesColorantIndex to link a supply
    // to one: the colour column is there, empty, and the colour is in the supply's own description.
    const colour = supplies.filter((r) => r['device'] === 'colour-printer');
    expect(colour).toHaveLength(17);
    expect(colour.filter((r) => r['colour'] === '')).toHaveLength(17);
    expect(colour.find((r) => r['supply'] === 'Toner (Cyan)')?.['level']).toEqual(expect.any(Number));
  });

  it('the device table says what each polled device is', async () => {
    const info = await table('Devices', 'C');
    expect(info.find((r) => r['device'] === 'server-ups')).toMatchObject({ class: 'ups', vendor: 'Eaton', model: '5PX 3000' });
    expect(info.find((r) => r['device'] === 'wifi-cluster')).toMatchObject({ class: 'wireless', vendor: 'Aruba' });
  });

  it('Wi-Fi: clients per access point of both the UniFi AP and the Aruba cluster, and the school\'s total', async () => {
    const lastOf = (rows: Record<string, unknown>[], column: string) => rows.filter((r) => r[column] != null).at(-1)?.[column];
    const perAp = await table('Wi-Fi clients', 'A');
    const aps = [...new Set(perAp.map((r) => `${String(r['device'])} ${String(r['ap'])}`))].sort();
    // The FortiGate's own Wi-Fi controller (fgWcInfoStationCount) counts too: 0 stations in its recording.
    expect(aps).toEqual(['firewall <private>', 'hall-ap <private>', 'wifi-cluster ECA-Ultimo-L11-AP06', 'wifi-cluster ECA-Ultimo-L11-AP14', 'wifi-cluster instant-ap-src-1']);
    expect(lastOf(perAp.filter((r) => r['device'] === 'firewall'), 'clients')).toBe(0);
    // The recordings: the UniFi AP has 14 clients on 5 GHz and 4 on 2.4 GHz, the Aruba cluster none.
    expect(lastOf(perAp.filter((r) => r['device'] === 'hall-ap'), 'clients')).toBe(18);
    // An interval may hold the poll of one device only (the Aruba's 0): the total's highest is the sum.
    expect(Math.max(...(await table('Wi-Fi clients', 'B')).map((r) => Number(r['total'] ?? 0)))).toBe(18);
  });

  it('the UPS is on mains with a full battery', async () => {
    expect(await table('UPS')).toEqual([
      expect.objectContaining({ device: 'server-ups', on_battery: 0, battery_pct: 100, battery_status: 'normal', runtime_min: 43, load_pct: 59 }),
    ]);
  });
});
