import { describe, expect, it } from 'vitest';
import { WIRE_VERSION, type AgentStatus, type Sample } from '../../contract/index.ts';
import type { Alert } from '../alerts/pipeline/alert.ts';
import { siteFileSchema } from '../config/schema.ts';
import { deviceFigures, overviewView, parseOverviewQuery, technicianView, type OverviewSiteInput } from './provider-view.ts';

const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);
const site = (id: string, name: string) => siteFileSchema.parse({ id, name, devices: [{ name: 'router', address: '192.0.2.1', role: 'internet' }, { name: 'hall-ap', address: '192.0.2.2', role: 'access-point' }] });
const firing = (id: string, siteId: string, severity: 'critical' | 'warning' = 'critical'): Alert => ({
  id, key: id, rule: 'device-down', site: siteId, device: 'router', severity, period: 'always', title: `${siteId} router down`, facts: [], state: 'firing', since: T0 - 60_000, notified: true, level: 0, sent: 1, resolvedSent: false, recipients: [],
});
const status = (agent: string, siteId: string, samples: number): AgentStatus => ({
  v: WIRE_VERSION, agent, site: siteId, state: 'online', version: '0.1.0', startedAt: T0 - 3_600_000, at: T0 - 5_000, uptimeSeconds: 3_600, spool: { batches: 1, samples, bytes: 100, droppedBatches: 0, droppedSamples: 0 },
});

const alerts = [firing('a1', 'north'), firing('a2', 'north', 'warning'), firing('b1', 'south')];
const inputs: OverviewSiteInput[] = [
  { site: site('north', 'North Primary'), worst: 'not-working', alerts, agents: [status('north-1', 'north', 12)], heardAt: new Map([['north-1', T0 - 120_000]]), siteOnline: true, internetPct: 99.2 },
  { site: site('south', 'South Academy'), worst: 'slow', alerts, agents: [], heardAt: new Map(), siteOnline: false, internetPct: null },
  { site: site('east', 'East Infants'), worst: 'working', alerts, agents: [status('east-1', 'east', 0)], heardAt: new Map([['east-1', T0]]), siteOnline: true, internetPct: 100 },
];

describe('overview', () => {
  it('every school a row, worst first; alerts counted per school only; agent and spool', () => {
    const v = overviewView(inputs, parseOverviewQuery(new URLSearchParams()), T0);
    expect(v.rows.map((r) => [r.name, r.word, r.openAlerts, r.criticalAlerts, r.agent, r.agentText, r.spoolSamples, r.internetText])).toEqual([
      ['North Primary', 'Not working', 2, 1, 'online', 'heard 2 min ago', 12, '99.20 %'],
      ['South Academy', 'Slow', 1, 1, 'never seen', '', undefined, 'no data'],
      ['East Infants', 'Working', 0, 0, 'online', 'heard just now', 0, '100 %'],
    ]);
    expect(v.counts).toEqual({ 'not-working': 1, slow: 1, unknown: 0, maintenance: 0, working: 1 });
  });

  it('filter by state, search by name or id, sort by name / alerts / availability; unknown query values fall back', () => {
    const names = (q: string) => overviewView(inputs, parseOverviewQuery(new URLSearchParams(q)), T0).rows.map((r) => r.name);
    expect(names('state=working')).toEqual(['East Infants']);
    expect(names('q=ACADEMY')).toEqual(['South Academy']);
    expect(names('q=east')).toEqual(['East Infants']);
    expect(names('q=nothing-matches')).toEqual([]);
    expect(names('sort=name')).toEqual(['East Infants', 'North Primary', 'South Academy']);
    expect(names('sort=alerts')).toEqual(['North Primary', 'South Academy', 'East Infants']);
    expect(names('sort=availability')).toEqual(['North Primary', 'East Infants', 'South Academy']);
    expect(parseOverviewQuery(new URLSearchParams('sort=<script>&state=evil'))).toEqual({ sort: 'state', state: 'all', q: '' });
  });
});

describe('technician page', () => {
  const sample = (measurement: string, fields: Sample['fields'], tags: Record<string, string> = {}): Sample => ({ measurement, tags: { device: 'x', ...tags }, fields, time: T0 - 30_000 });

  it('key numbers from the newest samples: latency and loss, Wi-Fi clients over radios, supplies, UPS', () => {
    expect(
      deviceFigures([
        sample('ping', { up: 1, rtt_avg_ms: 12.345, loss_pct: 0 }),
        sample('wireless', { clients: 14 }, { radio: 'na' }),
        sample('wireless', { clients: 4 }, { radio: 'ng' }),
        sample('printer_supply', { level_pct: 8, level_state: 'known' }, { supply: 'Black Toner', colour: 'black' }),
        sample('printer_supply', { level_state: 'some_remaining' }, { supply: 'Waste' }),
        sample('ups', { battery_pct: 97, runtime_min: 42.4, on_battery: 1 }),
      ]),
    ).toEqual(['latency 12.35 ms', 'loss 0 %', '18 Wi-Fi clients', 'black 8 %', 'Waste some_remaining', 'battery 97 %', 'runtime 42 min', 'on battery']);
    expect(deviceFigures([])).toEqual([]);
  });

  it('devices by role with last seen; Grafana link only when configured; other schools\' alerts left out', () => {
    const v = technicianView({ site: site('north', 'North Primary'), now: T0, devices: new Map([['router', 'down']]), series: (d) => (d === 'router' ? [sample('ping', { up: 0 })] : []), alerts, agents: [], grafanaUrl: 'https://grafana.example/' });
    expect(v.grafana).toBe('https://grafana.example/d/hm-school/school?var-site=north');
    expect(v.roles.map((r) => [r.role, r.devices.map((d) => [d.name, d.state, d.lastSeenText])])).toEqual([
      ['internet', [['router', 'down', '08:59 (1 min ago)']]],
      ['access-point', [['hall-ap', 'unknown', 'no data yet']]],
    ]);
    expect(v.alerts.map((a) => a.id)).toEqual(['a1', 'a2']);
    expect(technicianView({ site: site('north', 'N'), now: T0, devices: new Map(), series: () => [], alerts: [], agents: [], grafanaUrl: undefined }).grafana).toBeUndefined();
  });
});
