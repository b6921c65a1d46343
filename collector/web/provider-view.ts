import type { AgentStatus, Sample } from '../../contract/index.ts';
import type { Alert } from '../alerts/pipeline/alert.ts';
import type { DeviceState } from '../alerts/state/device-state.ts';
import type { SiteFile } from '../config/schema.ts';
import { agoText, pctText, whenText } from './format.ts';
import { SERVICE_WORDS, SEVERITY, type ServiceState } from './services.ts';

/** One school as the overview needs it: its worst service state comes from the school view. */
export interface OverviewSiteInput {
  site: SiteFile;
  worst: ServiceState;
  alerts: readonly Alert[];
  /** The latest status of each of the site's agents. */
  agents: readonly AgentStatus[];
  /** When the collector last heard each agent (by agent id). */
  heardAt: ReadonlyMap<string, number>;
  siteOnline: boolean;
  internetPct: number | null | undefined;
}

export type SortKey = 'state' | 'name' | 'alerts' | 'availability';
export const SORT_KEYS: readonly SortKey[] = ['state', 'name', 'alerts', 'availability'];
export const STATE_FILTERS: readonly (ServiceState | 'all')[] = ['all', 'not-working', 'slow', 'unknown', 'maintenance', 'working'];

export interface OverviewQuery {
  sort: SortKey;
  state: ServiceState | 'all';
  q: string;
}

export interface OverviewRow {
  id: string;
  name: string;
  worst: ServiceState;
  word: string;
  openAlerts: number;
  criticalAlerts: number;
  agent: 'online' | 'offline' | 'never seen';
  agentText: string;
  spoolSamples: number | undefined;
  internetText: string;
}

export interface OverviewView {
  rows: OverviewRow[];
  total: number;
  counts: Record<ServiceState, number>;
  query: OverviewQuery;
}

/** Reads the overview's query string; anything unknown falls back to the default (never an error page). */
export function parseOverviewQuery(params: URLSearchParams): OverviewQuery {
  const sort = params.get('sort');
  const state = params.get('state');
  return {
    sort: SORT_KEYS.includes(sort as SortKey) ? (sort as SortKey) : 'state',
    state: STATE_FILTERS.includes(state as ServiceState) ? (state as ServiceState) : 'all',
    q: (params.get('q') ?? '').trim().slice(0, 100),
  };
}

/** Every school as a row, filtered and sorted as asked. Pure. */
export function overviewView(sites: readonly OverviewSiteInput[], query: OverviewQuery, now: number): OverviewView {
  const all = sites.map((s): OverviewRow & { internetPct: number | null | undefined } => {
    const firing = s.alerts.filter((a) => a.site === s.site.id && a.state === 'firing');
    const spool = s.agents.map((a) => a.spool?.samples).filter((n): n is number => n !== undefined);
    const heard = Math.max(-Infinity, ...s.agents.map((a) => s.heardAt.get(a.agent) ?? -Infinity));
    const agent = s.agents.length === 0 ? 'never seen' : s.siteOnline ? 'online' : 'offline';
    return {
      id: s.site.id,
      name: s.site.name,
      worst: s.worst,
      word: SERVICE_WORDS[s.worst],
      openAlerts: firing.length,
      criticalAlerts: firing.filter((a) => a.severity === 'critical').length,
      agent,
      agentText: Number.isFinite(heard) ? `heard ${agoText(now - heard)}` : '',
      spoolSamples: spool.length === 0 ? undefined : spool.reduce((a, b) => a + b, 0),
      internetText: pctText(s.internetPct),
      internetPct: s.internetPct,
    };
  });
  const counts = { 'not-working': 0, slow: 0, unknown: 0, maintenance: 0, working: 0 } as Record<ServiceState, number>;
  for (const r of all) counts[r.worst]++;
  const q = query.q.toLowerCase();
  const rows = all
    .filter((r) => query.state === 'all' || r.worst === query.state)
    .filter((r) => q === '' || r.name.toLowerCase().includes(q) || r.id.includes(q))
    .sort((a, b) => {
      const byName = a.name.localeCompare(b.name);
      if (query.sort === 'name') return byName;
      if (query.sort === 'alerts') return b.openAlerts - a.openAlerts || byName;
      if (query.sort === 'availability') return (a.internetPct ?? 101) - (b.internetPct ?? 101) || byName;
      return SEVERITY[a.worst] - SEVERITY[b.worst] || b.openAlerts - a.openAlerts || byName;
    })
    .map(({ internetPct: _p, ...row }) => row);
  return { rows, total: all.length, counts, query };
}

export interface TechnicianInput {
  site: SiteFile;
  now: number;
  devices: ReadonlyMap<string, DeviceState>;
  /** The newest sample of every series of each device. */
  series: (device: string) => readonly Sample[];
  alerts: readonly Alert[];
  agents: readonly AgentStatus[];
  grafanaUrl: string | undefined;
}

export interface TechnicianDevice {
  name: string;
  address: string;
  state: DeviceState;
  lastSeenText: string;
  figures: string[];
}

export interface TechnicianView {
  id: string;
  name: string;
  grafana: string | undefined;
  roles: { role: string; devices: TechnicianDevice[] }[];
  alerts: { id: string; title: string; severity: string; sinceText: string; ackedBy: string | undefined; muted: string | undefined }[];
  agents: { id: string; state: string; version: string; spool: string }[];
}

const num = (s: Sample | undefined, f: string): number | undefined => {
  const v = s?.fields[f];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};
const round = (n: number, digits = 1) => Number(n.toFixed(digits)).toString();

/** The key numbers of a device, from its newest samples: latency and loss, Wi-Fi clients, supplies, UPS. */
export function deviceFigures(series: readonly Sample[]): string[] {
  const out: string[] = [];
  const ping = series.find((s) => s.measurement === 'ping');
  const rtt = num(ping, 'rtt_avg_ms');
  const loss = num(ping, 'loss_pct');
  if (rtt !== undefined) out.push(`latency ${round(rtt, 2)} ms`);
  if (loss !== undefined) out.push(`loss ${round(loss)} %`);
  const radios = series.filter((s) => s.measurement === 'wireless').map((s) => num(s, 'clients')).filter((n): n is number => n !== undefined);
  if (radios.length > 0) out.push(`${radios.reduce((a, b) => a + b, 0)} Wi-Fi clients`);
  for (const s of series.filter((x) => x.measurement === 'printer_supply').sort((a, b) => String(a.tags.supply).localeCompare(String(b.tags.supply)))) {
    const pct = num(s, 'level_pct');
    const state = s.fields.level_state;
    out.push(`${s.tags.colour ?? s.tags.supply ?? 'supply'} ${pct !== undefined ? `${round(pct, 0)} %` : typeof state === 'string' ? state : '?'}`);
  }
  const ups = series.find((s) => s.measurement === 'ups');
  const charge = num(ups, 'battery_pct');
  const runtime = num(ups, 'runtime_min');
  if (charge !== undefined) out.push(`battery ${round(charge, 0)} %`);
  if (runtime !== undefined) out.push(`runtime ${round(runtime, 0)} min`);
  if (num(ups, 'on_battery') === 1) out.push('on battery');
  return out;
}

/** The technician's page for one school. Pure. */
export function technicianView(input: TechnicianInput): TechnicianView {
  const { site, now } = input;
  const zone = site.timezone;
  const byRole = new Map<string, TechnicianDevice[]>();
  for (const d of site.devices) {
    const series = input.series(d.name);
    const last = Math.max(-Infinity, ...series.map((s) => s.time));
    const row: TechnicianDevice = {
      name: d.name,
      address: d.address,
      state: input.devices.get(d.name) ?? 'unknown',
      lastSeenText: Number.isFinite(last) ? `${whenText(last, now, zone)} (${agoText(now - last)})` : 'no data yet',
      figures: deviceFigures(series),
    };
    byRole.set(d.role, [...(byRole.get(d.role) ?? []), row]);
  }
  const grafana = input.grafanaUrl === undefined ? undefined : `${input.grafanaUrl.replace(/\/+$/, '')}/d/hm-school/school?var-site=${encodeURIComponent(site.id)}`;
  return {
    id: site.id,
    name: site.name,
    grafana,
    roles: [...byRole].map(([role, devices]) => ({ role, devices })),
    alerts: input.alerts
      .filter((a) => a.site === site.id && a.state === 'firing')
      .map((a) => ({ id: a.id, title: a.title, severity: a.severity, sinceText: whenText(a.since, now, zone), ackedBy: a.ackedBy, muted: a.muted })),
    agents: input.agents.map((a) => ({
      id: a.agent,
      state: a.state,
      version: a.version,
      spool: a.spool === undefined ? 'unknown' : `${a.spool.samples} samples waiting${a.spool.droppedSamples > 0 ? `, ${a.spool.droppedSamples} dropped` : ''}`,
    })),
  };
}
