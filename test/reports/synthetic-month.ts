import { DateTime } from 'luxon';
import { siteFileSchema, type SiteFile } from '../../collector/config/schema.ts';
import { toLine } from '../../collector/storage/line.ts';
import type { InfluxServer } from '../harness/index.ts';

/**
 * A school's October 2026 (Europe/London: 745 hours, clocks go back on the 25th) with known outages,
 * written as ping samples every minute, on the minute, the way the agent's checks would. Every figure the
 * report should show is worked out by hand in report.test.ts from the list below.
 */
export const ZONE = 'Europe/London';
export const SCHOOL = 'St Mary\u2019s & St John\u2019s "\u00c9glise" Primary \u2014 Ysgol Gymraeg'.replace(/\u2019/g, "'");
const local = (text: string) => DateTime.fromISO(text, { zone: ZONE }).toMillis();
const utc = (text: string) => Date.parse(`${text}Z`);
const MINUTE = 60_000;

/** The site file as a provider would write it (the CLI test writes it out as YAML). */
export const siteYaml = {
  id: 'st-marys',
  name: SCHOOL,
  timezone: ZONE,
  contacts: [
    { name: 'Business manager', email: 'sbm@st-marys.example', roles: ['report'] },
    { name: 'Head', email: 'head@st-marys.example', roles: ['report', 'technical'] },
    { name: 'IT', email: 'it@st-marys.example', roles: ['technical'] },
  ],
  devices: [
    { name: 'broadband', address: '127.0.0.1', role: 'internet' },
    { name: 'firewall', address: '127.0.0.2', role: 'firewall' },
    { name: 'core-switch', address: '127.0.0.3', role: 'core-switch', parent: 'firewall' },
    { name: 'hall-ap', address: '127.0.0.4', role: 'access-point', parent: 'core-switch' },
  ],
  maintenance: [{ name: 'Core switch firmware', devices: ['core-switch'], start: '2026-10-14T22:00', end: '2026-10-15T00:30' }],
  report: { sla: { internetPct: 99.5, coreServicesPct: 99.95 } },
};
export const site: SiteFile = siteFileSchema.parse(siteYaml);

/** [start, end): every check with start <= time < end finds the device down. */
export const DOWN: Record<string, { start: number; end: number; what: string }[]> = {
  broadband: [
    { start: local('2026-09-28T10:00'), end: local('2026-09-28T11:00'), what: 'last month' },
    { start: local('2026-09-30T23:30'), end: local('2026-10-01T00:45'), what: 'across the month boundary' },
    // 00:30 BST to 01:30 GMT: one hour on the clock, two real hours.
    { start: utc('2026-10-24T23:30:00'), end: utc('2026-10-25T01:30:00'), what: 'across the DST change' },
  ],
  firewall: [{ start: local('2026-10-20T14:00'), end: local('2026-10-20T14:30'), what: 'parent of the core switch' }],
  'core-switch': [
    { start: local('2026-10-14T22:10'), end: local('2026-10-14T23:40'), what: 'inside its maintenance window' },
    { start: local('2026-10-20T14:00'), end: local('2026-10-20T14:30'), what: 'while its parent was down' },
  ],
  'hall-ap': [
    { start: local('2026-10-12T09:00'), end: local('2026-10-12T09:25'), what: 'its own outage' },
    { start: local('2026-10-14T22:10'), end: local('2026-10-14T23:40'), what: 'its parent in maintenance' },
    { start: local('2026-10-20T14:00'), end: local('2026-10-20T14:30'), what: 'while its grandparent was down' },
  ],
};

/** The agent was off: no samples from any device, and its status said offline. */
export const AGENT_OFFLINE = { start: local('2026-10-08T10:00'), end: local('2026-10-08T12:00') };
export const DATA_START = local('2026-09-25T00:00');
export const DATA_END = local('2026-11-01T01:00');

/** Every 10th minute the broadband's round trip is 40 ms, else 12 ms. */
const rtt = (t: number) => (Math.round(t / MINUTE) % 10 === 0 ? 40 : 12);

export function syntheticLines(): string[] {
  const lines: string[] = [];
  for (let t = DATA_START; t < DATA_END; t += MINUTE) {
    if (t >= AGENT_OFFLINE.start && t < AGENT_OFFLINE.end) continue;
    for (const device of site.devices) {
      const down = (DOWN[device.name] ?? []).some((d) => d.start <= t && t < d.end);
      const fields: Record<string, number> = down ? { up: 0, loss_pct: 100, sent: 3, received: 0 } : { up: 1, loss_pct: 0, sent: 3, received: 3, rtt_avg_ms: device.name === 'broadband' ? rtt(t) : 1 };
      lines.push(toLine({ measurement: 'ping', tags: { device: device.name, role: device.role }, fields, time: t }, site.id));
    }
  }
  const status = (online: number, time: number) => toLine({ measurement: 'agent_status', tags: { agent: 'st-marys-1' }, fields: { online, uptime_s: 1, version: '0.1.0' }, time }, site.id);
  lines.push(status(1, DATA_START), status(0, AGENT_OFFLINE.start), status(1, AGENT_OFFLINE.end));
  // What the agent-depth checks write: a toner nearly out, and the UPS on battery for 12 minutes.
  lines.push(toLine({ measurement: 'printer_supply', tags: { device: 'office-printer', supply: 'Black Toner Cartridge', supply_index: '1.1' }, fields: { level_pct: 4, level_state: 'ok' }, time: local('2026-10-30T09:00') }, site.id));
  lines.push(toLine({ measurement: 'printer_supply', tags: { device: 'office-printer', supply: 'Drum Unit', supply_index: '1.2' }, fields: { level_pct: 60, level_state: 'ok' }, time: local('2026-10-30T09:00') }, site.id));
  for (const [minute, onBattery] of [[0, 0], [1, 1], [13, 0]] as const) {
    lines.push(toLine({ measurement: 'ups', tags: { device: 'server-ups', role: 'ups' }, fields: { on_battery: onBattery, battery_pct: 100 }, time: local('2026-10-20T13:59') + minute * MINUTE }, site.id));
  }
  return lines;
}

/**
 * A second school whose checks run at :17 past the minute, with outages that start and end inside
 * 5-minute windows: the rollups cannot place its edges exactly, so it tests raw against rollup agreement.
 */
export const jitterSite: SiteFile = siteFileSchema.parse({
  id: 'jitter',
  name: 'Jitter Junior',
  timezone: ZONE,
  devices: [
    { name: 'line', address: '127.0.0.1', role: 'internet' },
    { name: 'fw', address: '127.0.0.2', role: 'firewall' },
    { name: 'sw', address: '127.0.0.3', role: 'core-switch', parent: 'fw' },
  ],
  maintenance: [{ name: 'Nightly backup', weekly: { days: ['tue', 'thu'], time: '23:30-00:30' } }],
  report: { servicePeriod: 'school-hours', unknown: 'down' },
  calendar: { terms: [{ start: '2026-09-01', end: '2026-10-23' }], closures: [{ start: '2026-10-09', end: '2026-10-09' }] },
});

export function jitterLines(): string[] {
  const lines: string[] = [];
  const start = local('2026-10-01T00:00') - 86_400_000 + 17_000;
  // Outages at odd minutes, some several windows long, some inside one window; a gap of 13 minutes.
  const down = (device: string, t: number) => {
    const m = Math.floor((t - start) / MINUTE);
    if (device === 'line') return m % 997 < 7 || m % 4_001 < 63;
    if (device === 'fw') return m % 2_503 < 11;
    return m % 2_503 < 11 || m % 1_499 < 3;
  };
  for (let t = start; t < DATA_END; t += MINUTE) {
    const m = Math.floor((t - start) / MINUTE);
    if (m % 6_007 < 13) continue;
    for (const device of jitterSite.devices) {
      const up = down(device.name, t) ? 0 : 1;
      lines.push(toLine({ measurement: 'ping', tags: { device: device.name, role: device.role }, fields: { up, loss_pct: up ? 0 : 100, rtt_avg_ms: 5 + (m % 7) }, time: t }, jitterSite.id));
    }
  }
  return lines;
}

export async function writeLines(influx: InfluxServer, database: string, lines: readonly string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += 20_000) await influx.write(database, lines.slice(i, i + 20_000), 'ms');
}
